/**
 * Entry point of the `cdk-amplify-backend` command (package.json `bin`), bundled by esbuild into
 * assets/cli/index/index.js with the AWS SDK inside.
 */
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${String(err)}\n`);
    process.exitCode = 2;
  },
);

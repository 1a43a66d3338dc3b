/**
 * Entry point of the `cdk-amplify-backend` command (package.json `bin`), bundled by esbuild into
 * assets/cli/index/index.js with the AWS SDK inside.
 */
import { main } from './main';

// The SDK warns on Node.js versions its future releases will drop; the SDK inside this bundle is
// pinned, so the warning does not concern the user. A value set by the user wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${String(err)}\n`);
    process.exitCode = 2;
  },
);

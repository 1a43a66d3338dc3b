/**
 * One synth measurement, run by bench/run.ts in a fresh `node` process:
 *   node -r ts-node/register/transpile-only bench/synth-child.ts <ours|peer> <n> <outputs:0|1>
 * Module loading (aws-cdk-lib, the library) happens before the clock starts; the time covers
 * construct creation and `app.synth()`. Prints one JSON line: { ms, maxRssKb, resources, bytes }.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp, Side } from './stacks';

const [side, n, outputs] = process.argv.slice(2);
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'amplify-backend-bench-synth-'));
try {
  const start = process.hrtime.bigint();
  const { app, stack } = buildApp({ side: side as Side, n: Number(n), outputs: outputs === '1', outdir });
  const assembly = app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const template = assembly.getStackByName(stack.stackName).template;
  process.stdout.write(`${JSON.stringify({
    ms,
    maxRssKb: process.resourceUsage().maxRSS,
    resources: Object.keys(template.Resources).length,
    bytes: JSON.stringify(template).length,
  })}\n`);
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

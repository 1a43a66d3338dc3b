/**
 * The handlers: bytes of ours (the bundle `npx projen bundle` builds) and of the peer's
 * (the AwsCustomResource asset), and their cold module load, each in fresh `node` processes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { discard, Json, PEER_FUNCTION_PREFIX, STACK_NAME, synth } from './stacks';
import { median } from './stats';
import { REALISTIC } from './templates';
import { readAssembly } from '../test/support/lifecycle';

const ROOT = path.join(__dirname, '..');
const HANDLER_BUNDLE = path.join(ROOT, 'assets', 'lambda', 'index', 'index.js');

interface ColdLoad {
  /** Median ms of the `require()` of the file. */
  readonly first: number;
  /** Median ms of the `require()` after it, if any. */
  readonly second?: number;
  /** Every run of the first. */
  readonly runs: number[];
}

interface Handlers {
  readonly ours: { readonly bytes: number; readonly load: ColdLoad };
  /** Its SDK client (Lambda's own) is not in its asset: `load.second` times its require from node_modules. */
  readonly peer: { readonly asset: string; readonly bytes: number; readonly load: ColdLoad };
}

/** Median time to `require()` the file in a fresh `node` process; then, optionally, another module. */
function coldLoad(runs: number, file: string, thenRequire?: string): ColdLoad {
  const script = `
    const t0 = process.hrtime.bigint();
    require(process.argv[1]);
    const t1 = process.hrtime.bigint();
    if (process.argv[2]) require(process.argv[2]);
    const t2 = process.hrtime.bigint();
    console.log(JSON.stringify([Number(t1 - t0) / 1e6, Number(t2 - t1) / 1e6]));`;
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < runs; i++) {
    const args = ['-e', script, file, ...(thenRequire ? [thenRequire] : [])];
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, AWS_REGION: REALISTIC.region } });
    if (r.status !== 0) throw new Error(`cold load of ${file} failed: ${r.stderr}`);
    const [a, b] = JSON.parse(r.stdout.trim());
    first.push(a);
    second.push(b);
  }
  return { first: median(first), second: thenRequire ? median(second) : undefined, runs: first };
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name);
    return sum + (e.isDirectory() ? dirBytes(p) : fs.statSync(p).size);
  }, 0);
}

/** `loadRuns` cold loads of each handler. */
export function measureHandlers(loadRuns: number): Handlers {
  const ours = { bytes: fs.statSync(HANDLER_BUNDLE).size, load: coldLoad(loadRuns, HANDLER_BUNDLE) };

  // The AwsCustomResource handler asset, as the peer's cloud assembly holds it.
  const s = synth({ side: 'peer', n: 1, outputs: true });
  if (!s.template || !s.dir) throw new Error(`peer N=1 did not synthesize: ${s.error}`);
  try {
    const [, fn] = Object.entries<Json>(s.template.Resources).find(([id, r]) => id.startsWith(PEER_FUNCTION_PREFIX) && r.Type === 'AWS::Lambda::Function')!;
    const dir = readAssembly(s.dir, STACK_NAME).assetPaths.get(fn.Properties.Code.S3Key);
    if (!dir) throw new Error('no asset folder for the AwsCustomResource function');
    const file = path.join(dir, `${fn.Properties.Handler.split('.')[0]}.js`);
    const sdkEntry = require.resolve('@aws-sdk/client-amplifybackend', { paths: [ROOT] });
    return { ours, peer: { asset: path.basename(dir), bytes: dirBytes(dir), load: coldLoad(loadRuns, file, sdkEntry) } };
  } finally {
    discard(s);
  }
}

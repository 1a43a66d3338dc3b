/**
 * `npx projen demo`: the library's main job, on one machine and without AWS.
 *
 * Synthesizes the example app (examples/app.ts), starts the local AmplifyBackend emulator, and
 * runs the stack's custom resources through CloudFormation's lifecycle with the real bundled
 * handler: create, update (revision 2 of the app), delete. Prints the stack outputs and what
 * the emulator received. Exits non-zero if anything did not end as it should.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createExampleApp, EXAMPLE_APP_ID, EXAMPLE_STACK } from './app';
import { AmplifyBackendEmulator, RecordedRequest } from '../test/support/emulator';
import { LocalCloudFormation, StackEvent, DeployResult, VirtualClock, realNow } from '../test/support/lifecycle';

/** Amplify jobs take this long on the virtual clock, which the emulator and the stand-in share. */
const JOB_SECONDS = 45;
/** Real time each of the waiter's waits (15 s on the virtual clock) takes, so the demo can be followed. */
const POLL_MS = 150;

/** The cloud assemblies the demo wrote; removed when it ends. */
const outdirs: string[] = [];

function synth(revision: number, appId?: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `amplify-backend-demo-r${revision}-`));
  outdirs.push(outdir);
  createExampleApp({ outdir, revision, appId }).synth();
  return outdir;
}

const started = realNow();
// The emulator runs on this clock, so the handler does too, as a function and the service share time in AWS.
const virtual = new VirtualClock({ realPauseMs: POLL_MS, functionsReadIt: true });
const virtualStart = virtual.now();
/** Time since the demo started, on the virtual clock (the deployed stack's time). */
const clock = () => `${((virtual.now() - virtualStart) / 1000).toFixed(1).padStart(6)}s`;

function progress(e: StackEvent): void {
  const what = e.status === 'WAITING' ? 'waiting for the Amplify job' : e.status;
  const reason = e.reason && e.status !== 'WAITING' ? `  (${e.reason})` : e.status === 'WAITING' ? `  (${e.reason})` : '';
  // Progress goes straight to stdout: the driver captures console output while a handler runs.
  process.stdout.write(`  ${clock()}  ${e.logicalId.padEnd(24)} ${what}${reason}\n`);
}

function describeAuth(a: any): string {
  const s = a?.settings ?? {};
  switch (a?.mode) {
    case 'API_KEY': return `API_KEY(${s.expirationTime ?? '?'}d)`;
    case 'AMAZON_COGNITO_USER_POOLS': return `USER_POOL(${s.cognitoUserPoolId})`;
    case 'OPENID_CONNECT': return `OIDC(${s.openIDProviderName} ${s.openIDIssueURL})`;
    default: return String(a?.mode);
  }
}

function describeRequest(r: RecordedRequest): string {
  const b: any = r.body ?? {};
  const head = `${r.method} ${r.path}`.padEnd(44);
  switch (r.operation) {
    case 'UpdateBackendAPI': {
      const rc = b.resourceConfig ?? {};
      const parts = [`resourceName=${b.resourceName}`];
      if (rc.apiName) parts.push(`apiName=${rc.apiName}`);
      if (rc.defaultAuthType) parts.push(`default=${describeAuth(rc.defaultAuthType)}`);
      if (rc.additionalAuthTypes) parts.push(`additional=[${rc.additionalAuthTypes.map(describeAuth).join(', ')}]`);
      if (rc.conflictResolution) parts.push(`conflict=${rc.conflictResolution.resolutionStrategy}`);
      return `${head} ${r.status}  ${parts.join(' ')}`;
    }
    case 'UpdateBackendConfig':
      return `${head} ${r.status}  loginAuthConfig=${JSON.stringify(b.loginAuthConfig)}`;
    case 'GetBackendJob':
      return `${head} ${r.status}  -> ${(r.response as any)?.status}`;
    default:
      return `${head} ${r.status}`;
  }
}

/** Prints the requests, folding runs of identical GetBackendJob polls into one line. */
function printRequests(requests: RecordedRequest[]): void {
  let last = '';
  let repeat = 0;
  const flush = () => { if (repeat > 1) console.log(`      (x${repeat})`); };
  for (const r of requests) {
    const line = describeRequest(r);
    if (line === last) { repeat++; continue; }
    flush();
    console.log(`    ${String(r.seq).padStart(3)}  ${r.operation?.padEnd(20) ?? 'UNKNOWN'.padEnd(20)} ${line}`);
    last = line;
    repeat = 1;
  }
  flush();
}

function printResult(title: string, result: DeployResult): void {
  console.log(`\n  Stack ${EXAMPLE_STACK}: ${result.status}${result.reason ? `  (${result.reason})` : ''}`);
  for (const r of Object.values(result.resources)) {
    console.log(`    ${r.logicalId.padEnd(24)} ${r.type.padEnd(34)} ${r.status.padEnd(16)} ${r.physicalId ?? ''}`);
  }
  if (Object.keys(result.outputs).length) {
    console.log(`\n  Outputs after ${title}:`);
    for (const [k, v] of Object.entries(result.outputs)) console.log(`    ${k.padEnd(42)} ${v}`);
  }
}

async function main(): Promise<number> {
  const emulator = await AmplifyBackendEmulator.start({ pollsUntilComplete: Infinity, jobDurationMs: JOB_SECONDS * 1000, now: virtual.now });
  const failures: string[] = [];
  try {
    const api = { apiName: 'blog', defaultAuthType: { mode: 'API_KEY' as const } };
    emulator.addApp(EXAMPLE_APP_ID, {
      appName: 'blog',
      backendManagerAppId: 'd9z8y7x6w5v4u3',
      environments: { staging: { apis: { blogapi: api } }, prod: { apis: { blogapi: api } } },
    });
    console.log(`AmplifyBackend emulator on ${emulator.endpoint}: app ${EXAMPLE_APP_ID}, environments staging and prod, API "blogapi".`);
    console.log(`Jobs take ${JOB_SECONDS} s and is-complete polls every 15 s, on a virtual clock: waits pass in ${POLL_MS} ms of real time.`);

    const cfn = new LocalCloudFormation({ stackName: EXAMPLE_STACK, endpoint: emulator.endpoint, clock: virtual, onEvent: progress });
    const steps: Array<[string, () => Promise<DeployResult>, string]> = [
      ['create (revision 1)', async () => cfn.deploy(synth(1)), 'CREATE_COMPLETE'],
      ['update (revision 2: API key 90 days, optimistic concurrency on staging)', async () => cfn.deploy(synth(2)), 'UPDATE_COMPLETE'],
      ['delete', async () => cfn.destroy(), 'DELETE_COMPLETE'],
      ['FAILURE STORY 1: the Amplify job FAILS (the service rejects the schema); CloudFormation rolls the stack back', async () => {
        emulator.failNextJob('Schema validation failed: Unknown type "Comment" in type Post');
        return cfn.deploy(synth(1));
      }, 'ROLLBACK_COMPLETE'],
      ['FAILURE STORY 2: another job (started by the Amplify CLI) is pending on staging; the deployment waits for it, then applies', async () => {
        const cli = emulator.startExternalJob(EXAMPLE_APP_ID, 'staging', { durationMs: 40_000 });
        console.log(`  (the Amplify CLI's job ${cli.jobId} is RUNNING on staging for another 40 s)`);
        return cfn.deploy(synth(1));
      }, 'CREATE_COMPLETE'],
    ];
    for (const [title, run, expected] of steps) {
      console.log(`\n== ${title}`);
      const before = emulator.requests().length;
      const result = await run();
      printResult(title, result);
      const received = emulator.requests().slice(before);
      console.log(`\n  The emulator received ${received.length} request(s):`);
      if (received.length === 0) console.log('    (none: a delete leaves the Amplify backend as it is)');
      printRequests(received);
      if (result.status !== expected) failures.push(`${title}: ${result.status} (${result.reason ?? 'no reason'}), expected ${expected}`);
    }

    console.log('\n== FAILURE STORY 3: a mistake in the app fails `cdk synth`, before anything is deployed');
    try {
      synth(1, 'my-blog-app');
      failures.push('story 3: an app ID that is not one synthesized');
    } catch (err) {
      // As `cdk synth` prints it: aws-cdk-lib's ValidationError, scoped to the construct.
      const { name, message, constructPath } = err as Error & { constructPath?: string };
      console.log(`  ${name}: ${message.split('\n').join('\n  ')}\n      at path [${constructPath}]`);
      if (name !== 'ValidationError' || !constructPath) failures.push(`story 3: a ${name} without a construct path, not aws-cdk-lib's ValidationError`);
    }

    const staging = emulator.getApiConfig(EXAMPLE_APP_ID, 'staging', 'blogapi');
    console.log('\nThe staging API as the emulator now stores it:');
    console.log(JSON.stringify(staging, null, 2).replace(/^/gm, '  '));
    console.log(`\nAdmin UI login config: ${JSON.stringify(emulator.getLoginConfig(EXAMPLE_APP_ID))}`);
    await cfn.close();
  } finally {
    await emulator.stop();
    for (const d of outdirs) fs.rmSync(d, { recursive: true, force: true });
  }
  if (Math.abs(Date.now() - realNow()) > 1000) failures.push('a function run outlived the demo: Date.now() still reads the virtual clock');
  if (failures.length) {
    console.error(`\nDEMO FAILED:\n  ${failures.join('\n  ')}`);
    return 1;
  }
  console.log(`\nDemo finished in ${((realNow() - started) / 1000).toFixed(1)}s (${clock().trim()} on the virtual clock): create, update and delete completed, and each failure story ended as it should.`);
  console.log('Edit examples/app.ts (the stack) or examples/demo.ts (the stories) and run `npx projen demo` again.');
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});

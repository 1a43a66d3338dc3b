/**
 * End to end, the failures a real deployment meets: the bundled handler (assets/lambda/index,
 * `npx projen bundle`) run by the strict CloudFormation / Lambda / Step Functions / S3 stand-in
 * (test/support/lifecycle.ts) through the real CDK Provider framework code, against the
 * AmplifyBackend emulator over HTTP.
 *
 * Clocks: the stand-in's waits pass on its virtual clock; the handler reads `Date.now()`. The
 * emulator is given the same `Date.now()` as the handler, so that job creation times and the
 * handler's `StartedAt` compare as they would in AWS; `later(ms)` moves that time on at once
 * (as when minutes pass between two steps of a real deployment).
 *
 * An "operator" plays the rest of the world while a deployment runs: it ends the Amplify jobs
 * (the emulator completes none by itself here), as the service or the Amplify CLI would.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AdminUiLoginConfig, AmplifyBackendProvider, AmplifyBackendProviderProps, ApiAuth, ApiSchema, BackendApiConfig } from '../src';
import { AmplifyBackendEmulator, EmulatorJob, OperationName } from './support/emulator';
import { DeployResult, LocalCloudFormation, MAX_RESPONSE_BYTES, realNow } from './support/lifecycle';
import { expectOk, outputOf } from './support/lifecycle/expect';

const APP = 'd1e2e3e4e5e6e7';
const STACK = 'E2EFailures';

let emulator: AmplifyBackendEmulator;
let cfn: LocalCloudFormation | undefined;
const tmpDirs: string[] = [];

/**
 * Time moved on by `later()`: the handler and the emulator read the same `Date.now()`. The
 * stand-in's clock does not (it reads real time plus its own skipped waits).
 */
let skew = 0;

function later(ms: number): void {
  skew += ms;
}

beforeAll(async () => {
  emulator = await AmplifyBackendEmulator.start({ manualJobCompletion: true, now: () => Date.now() });
  if (!fs.existsSync(path.join(__dirname, '..', 'assets', 'lambda', 'index', 'index.js'))) {
    throw new Error('no handler bundle: run `npx projen bundle` first');
  }
});

afterAll(async () => {
  await emulator.stop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.reset();
  const apis = { blogapi: { apiName: 'blog' } };
  emulator.addApp(APP, { backendManagerAppId: `${APP}-manager`, environments: { staging: { apis }, prod: { apis } } });
  skew = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
  // The SDK's backoff jitter at zero: its retries (up to seconds each for throttling) do not sleep.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(async () => {
  jest.restoreAllMocks();
  await cfn?.close();
  cfn = undefined;
});

function tmp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** Synthesizes a one-stack app with the default provider settings unless told otherwise. */
function synth(build: (stack: Stack, provider: AmplifyBackendProvider) => void, providerProps: AmplifyBackendProviderProps = {}): string {
  const outdir = tmp('e2e-failures-');
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
  const provider = new AmplifyBackendProvider(stack, 'Provider', { queryInterval: Duration.seconds(30), ...providerProps });
  build(stack, provider);
  app.synth();
  return outdir;
}

function cloudFormation(): LocalCloudFormation {
  cfn = new LocalCloudFormation({ stackName: STACK, endpoint: emulator.endpoint });
  return cfn;
}

/** Runs `step` every few milliseconds while `deploying` runs (the operator), then returns its result. */
async function operate(deploying: Promise<DeployResult>, step: () => void): Promise<DeployResult> {
  let done = false;
  const result = deploying.finally(() => {
    done = true;
  });
  while (!done) {
    step();
    await Promise.race([result.catch(() => undefined), new Promise((r) => setTimeout(r, 5))]);
  }
  return result;
}

/** Ends a job after it ran half a minute (in AWS, a job takes minutes: a later request never meets it as new). */
function endJob(job: EmulatorJob, error?: string): void {
  later(30_000);
  if (error === undefined) emulator.completeJob(job.jobId);
  else emulator.failJob(job.jobId, error);
}

/** Ends every running job the handler started (`source: 'http'`), as the service would. */
function completeOwnJobs(): void {
  for (const job of emulator.jobs({ status: 'RUNNING' })) if (job.source === 'http') endJob(job);
}

function statuses(operation: OperationName): Array<number | string> {
  return emulator.requests(operation).map((r) => r.errorType ?? r.status);
}

const iamApi = (stack: Stack, provider: AmplifyBackendProvider, env = 'prod') =>
  new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: env, resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });

describe('B1: waiting for another job happens in is-complete', () => {
  test('a CLI job that runs 20 minutes, longer than any function may run, is waited out; one pending-job answer; then the update goes through', async () => {
    const cli = emulator.startExternalJob(APP, 'prod');
    later(60_000);
    const cdkOut = synth((stack, provider) => iamApi(stack, provider));
    const cloud = cloudFormation();

    const result = await operate(cloud.deploy(cdkOut), () => {
      if (cloud.clock.skippedMs >= 20 * 60_000 && emulator.getJob(cli.jobId)?.status === 'RUNNING') emulator.completeJob(cli.jobId);
      completeOwnJobs();
    });

    expectOk(result, 'CREATE_COMPLETE');
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException', 200]);
    const own = emulator.jobs().find((j) => j.source === 'http')!;
    expect(outputOf(result, 'ApiJobId')).toBe(own.jobId);
    expect(outputOf(result, 'ApiStatus')).toBe('COMPLETED');
    expect(own.createTime).toBeGreaterThanOrEqual(emulator.getJob(cli.jobId)!.updateTime);
    expect(emulator.getApiConfig(APP, 'prod', 'blogapi')?.defaultAuthType).toEqual({ mode: 'AWS_IAM' });
    // One JSON line per run of a handler, though it was handed the event with its ResponseURL.
    expect(cloud.requests[0].event.ResponseURL).toMatch(/^https:\/\//);
    const logged = cloud.handlerLogs.map((l) => JSON.parse(l));
    expect(logged.length).toBeGreaterThan(40);
    expect(logged.every((l) => l.handler === 'onEvent' || l.handler === 'isComplete')).toBe(true);
    expect(cloud.handlerLogs.join('\n')).not.toMatch(/ResponseURL|X-Amz-Signature|ResourceProperties|AWS_IAM/);
    expect(cloud.handlerLogs.join('\n')).not.toContain(new URL(cloud.requests[0].event.ResponseURL).host);
  });

  test('an update that times out with its job still running rolls back: the rollback waits for that job, then restores the old settings', async () => {
    const build = (auth: ApiAuth) => synth((stack, provider) => {
      new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: auth });
    }, { queryInterval: Duration.seconds(30), totalTimeout: Duration.minutes(2) });
    const cloud = cloudFormation();
    expectOk(await operate(cloud.deploy(build(ApiAuth.iam())), completeOwnJobs), 'CREATE_COMPLETE');

    let stuck: EmulatorJob | undefined;
    const result = await operate(cloud.deploy(build(ApiAuth.apiKey())), () => {
      const running = emulator.jobs({ status: 'RUNNING' })[0];
      if (!stuck && running) {
        // The update's job hangs past the provider's total timeout; real minutes pass meanwhile.
        stuck = running;
        later(90_000);
      }
      const rollingBack = cloud.requests.filter((r) => r.requestType === 'Update').length >= 2;
      const rollbackListed = emulator.requests('ListBackendJobs').length > 0;
      if (stuck && rollingBack && rollbackListed && emulator.getJob(stuck.jobId)?.status === 'RUNNING') emulator.completeJob(stuck.jobId);
      if (stuck && emulator.getJob(stuck.jobId)?.status !== 'RUNNING') completeOwnJobs();
    });

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/stopped waiting after .* the Amplify job [0-9a-f-]+ is still RUNNING/);
    // The rollback met the update's job, waited for it, then sent the old settings once.
    expect(statuses('UpdateBackendAPI')).toEqual([200, 200, 'ValidationException', 200]);
    expect(emulator.jobs().map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(emulator.getApiConfig(APP, 'staging', 'blogapi')?.defaultAuthType).toEqual({ mode: 'AWS_IAM' });
  });

  test('AccessDenied while IAM catches up with the new policy is retried; the deployment succeeds', async () => {
    emulator.injectFault({ kind: 'serviceError', status: 403, errorType: 'AccessDeniedException', operation: 'UpdateBackendAPI', times: 2, message: 'not authorized to perform: amplifybackend:UpdateBackendAPI' });
    const cloud = cloudFormation();

    const result = await operate(cloud.deploy(synth((stack, provider) => iamApi(stack, provider))), completeOwnJobs);

    expectOk(result, 'CREATE_COMPLETE');
    expect(statuses('UpdateBackendAPI')).toEqual(['AccessDeniedException', 'AccessDeniedException', 200]);
  });

  test('AdminUiLoginConfig throttled past the SDK\'s retries: is-complete applies it on a later poll', async () => {
    emulator.injectFault({ kind: 'throttle', operation: 'UpdateBackendConfig', times: 6 });
    const cloud = cloudFormation();
    const cdkOut = synth((stack, provider) => {
      new AdminUiLoginConfig(stack, 'Login', { appId: APP, identityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678', provider });
    });

    const result = await cloud.deploy(cdkOut);

    expectOk(result, 'CREATE_COMPLETE');
    expect(statuses('UpdateBackendConfig')).toEqual([...Array(6).fill('TooManyRequestsException'), 200]);
    expect(outputOf(result, 'LoginBackendManagerAppId')).toBe(`${APP}-manager`);
  });
});

describe('B5: the cause is never lost', () => {
  test('a job that never ends: is-complete fails by itself with the job\'s last status, before the framework\'s bare "Operation timed out"', async () => {
    const cloud = cloudFormation();
    let moved = false;
    const cdkOut = synth((stack, provider) => iamApi(stack, provider, 'staging'), { queryInterval: Duration.seconds(30), totalTimeout: Duration.minutes(10) });

    const result = await operate(cloud.deploy(cdkOut), () => {
      if (!moved && emulator.requests('GetBackendJob').length > 0) {
        // Ten minutes pass with the job RUNNING.
        moved = true;
        later(10 * 60_000);
      }
    });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/stopped waiting after 10 min( \d+ s)? \(the provider's totalTimeout is 10 min\): the Amplify job [0-9a-f-]+ is still RUNNING\. The job goes on in the service/);
    expect(result.reason).not.toMatch(/Operation timed out/);
    expect(emulator.jobs().map((j) => j.status)).toEqual(['RUNNING']);
  });

  test('a job that FAILED with a 20 KB error: the reason is cut to fit CloudFormation\'s 4,096 bytes, the full text is in the log', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `Type "Comment${i}" referenced by "Post.comments" does not exist`);
    const cloud = cloudFormation();
    const cdkOut = synth((stack, provider) => iamApi(stack, provider, 'staging'));

    const result = await operate(cloud.deploy(cdkOut), () => {
      for (const job of emulator.jobs({ status: 'RUNNING' })) emulator.failJob(job.jobId, `Schema validation failed:\n${lines.join('\n')}`);
    });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/FAILED: Schema validation failed: \| Type "Comment0" referenced by "Post\.comments" does not exist \| /);
    expect(result.reason).toMatch(/ \.\.\. \(cut: full text in the handler's log group \/aws\/lambda\/[^)]+\)/);
    expect(result.reason).not.toMatch(/Response object is too long/);
    expect(cloud.responses.every((r) => r.bytes <= MAX_RESPONSE_BYTES && r.accepted)).toBe(true);
    expect(cloud.handlerLogs.some((l) => l.includes(JSON.stringify(lines[249]).slice(1, -1)))).toBe(true);
  });

  test('GetBackendJob answering NotFound: waited out for two minutes, then the service\'s message, not "Operation timed out" an hour later', async () => {
    emulator.injectFault({ kind: 'notFound', operation: 'GetBackendJob', resourceType: 'BackendJob', message: 'Job not found for this app and environment', times: Infinity });
    const cloud = cloudFormation();
    let moved = false;

    const result = await operate(cloud.deploy(synth((stack, provider) => iamApi(stack, provider, 'staging'))), () => {
      if (!moved && emulator.requests('GetBackendJob').length > 0) {
        moved = true;
        later(150_000);
      }
    });

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(new RegExp(`GetBackendJob failed for app ${APP}, environment staging, API blogapi, job [0-9a-f-]+: `
      + 'NotFoundException: Job not found for this app and environment \\(still not found 1\\d\\d s after the job was started\\)'));
    expect(result.reason).not.toMatch(/Operation timed out/);
  });
});

describe('B3: a schema from a file', () => {
  /** About 1 MB of GraphQL, with text outside ASCII. */
  function schemaFile(version: string): string {
    const parts = [`# Schéma ${version}`];
    for (let i = 0, length = 0; length < 1_000_000; i++) {
      parts.push(`"""Type ${i} ✓"""\ntype Post${i} @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  title: String!\n  v${version}: String\n}`);
      length += parts[parts.length - 1].length + 1;
    }
    const file = path.join(tmp('schema-'), 'schema.graphql');
    fs.writeFileSync(file, parts.join('\n'));
    return file;
  }

  const build = (file: string) => synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, transformSchema: ApiSchema.fromFile(file) });
  });
  const sentSchemas = () => emulator.requests('UpdateBackendAPI').filter((r) => r.status === 200).map((r) => (r.body as any).resourceConfig.transformSchema);

  test('a 1 MB schema goes through Create and Update, read from the asset with the handler role\'s grant, never in the properties', async () => {
    const [v1, v2] = [schemaFile('1'), schemaFile('2')];
    const cloud = cloudFormation();

    expectOk(await operate(cloud.deploy(build(v1)), completeOwnJobs), 'CREATE_COMPLETE');
    expectOk(await operate(cloud.deploy(build(v2)), completeOwnJobs), 'UPDATE_COMPLETE');

    expect(sentSchemas()).toEqual([v1, v2].map((f) => fs.readFileSync(f, 'utf8')));
    expect(cloud.s3Requests.map((r) => r.status)).toEqual([200, 200]);
    // The events CloudFormation and the framework passed around held where the schema is, never the schema.
    expect(cloud.requests.every((r) => JSON.stringify(r.event).length < 10_000)).toBe(true);
  });

  // The rollback reads the old schema object before CloudFormation rolls any policy back: it works
  // because each schema object has a read policy of its own, deleted only after a successful update.
  test('a failed update to a 1 MB schema rolls back to the old one, read again from its asset', async () => {
    const [v1, v2] = [schemaFile('1'), schemaFile('2')];
    const cloud = cloudFormation();
    expectOk(await operate(cloud.deploy(build(v1)), completeOwnJobs), 'CREATE_COMPLETE');

    const rolledBack = await operate(cloud.deploy(build(v2)), () => {
      const running = emulator.jobs({ status: 'RUNNING' })[0];
      if (running) endJob(running, sentSchemas().pop()?.startsWith('# Schéma 2') ? 'Deployment failed' : undefined);
    });

    expect(rolledBack.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(sentSchemas()).toEqual([v1, v2, v1].map((f) => fs.readFileSync(f, 'utf8')));
  });
});

/**
 * End to end through the strict stand-in (test/support/lifecycle.ts: CloudFormation's and the
 * Provider framework's limits, on a virtual clock): the settings that decide whether a deployed
 * stack can ever get stuck. Timeouts that fit CloudFormation's hour, schemas of any size, a
 * provider whose ServiceToken never changes, and settings that never diverge silently.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { AmplifyBackendProvider, AmplifyBackendProviderProps, ApiAuth, ApiSchema, BackendApiConfig, BackendApiConfigProps, ConflictResolutionStrategy } from '../src';
import { LocalCloudFormation, SERVICE_TOKEN_CHANGED_MESSAGE } from './support/lifecycle';
import { createRequest, expectOk } from './support/lifecycle/expect';
import { endToEndSuite } from './support/lifecycle/suite';

const APP = 'd1e2e3e4e5e6e7';
const STACK = 'Lifecycle';
const API = { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi' };

const suite = endToEndSuite({
  realPauseMs: 1,
  seed: (emulator) => emulator.addApp(APP, { environments: { staging: { apis: { blogapi: { apiName: 'blog' } } } } }),
});

/** A new temporary folder (the test run's own TMPDIR removes it: test/support/jest-global-setup.ts). */
function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Synthesizes one stack; `configure` gives the default provider settings, `build` adds the constructs. */
function synth(build: (stack: Stack) => void, configure?: AmplifyBackendProviderProps): string {
  const outdir = tempDir('e2e-lifecycle-');
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { account: '123456789012', region: 'us-east-1' } });
  if (configure) AmplifyBackendProvider.configure(stack, configure);
  build(stack);
  app.synth();
  return outdir;
}

function api(props: Partial<BackendApiConfigProps> = {}, configure?: AmplifyBackendProviderProps): string {
  return synth((stack) => new BackendApiConfig(stack, 'Api', { ...API, ...props }), configure);
}

function cloudFormation(): LocalCloudFormation {
  return suite.cloudFormation({ stackName: STACK });
}

/** A schema of about `bytes` bytes: many @model types. */
function schemaOf(bytes: number, tag: string): string {
  const types: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    const type = `type ${tag}${i} @model { id: ID! title: String! body: String }\n`;
    types.push(type);
    length += type.length;
  }
  return types.join('');
}

function schemaFile(text: string): string {
  const file = path.join(tempDir('schema-'), 'schema.graphql');
  fs.writeFileSync(file, text);
  return file;
}

describe('timeouts that fit CloudFormation\'s hour', () => {
  test('a job that never ends fails the resource with is-complete\'s own answer, naming the job\'s status, before the framework or CloudFormation gives up, and the stack rolls back cleanly', async () => {
    suite.emulator.setManualJobCompletion(true);
    const cfn = cloudFormation();
    const result = await cfn.deploy(api({ defaultAuthType: ApiAuth.iam() }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    // Neither the framework's bare "Operation timed out" nor CloudFormation's "did not receive a response".
    expect(result.reason).toMatch(/^Api[0-9A-F]{8}: Received response status \[FAILED\] from custom resource\. Message returned: BackendApiConfig for /);
    expect(result.reason).toMatch(/: stopped waiting after 49 min \d+ s \(the provider's totalTimeout is 50 min\): the Amplify job [0-9a-f-]+ is still RUNNING\./);
    // On the last 15 s poll before the 50-minute total timeout (3,000 s), well within the ServiceTimeout the provider set (3,380 s).
    const create = createRequest(cfn);
    expect(create.elapsedSeconds).toBeGreaterThanOrEqual(2985);
    expect(create.elapsedSeconds).toBeLessThan(3000);
    // One job only, however many polls.
    expect(suite.emulator.requests('UpdateBackendAPI')).toHaveLength(1);
  });

  test('a waiting stack gets its answer within a shorter ServiceTimeout when the provider is set to wait less', async () => {
    suite.emulator.setManualJobCompletion(true);
    const cfn = cloudFormation();
    const result = await cfn.deploy(api({ defaultAuthType: ApiAuth.iam() }, { totalTimeout: Duration.minutes(10) }));
    expect(result.reason).toMatch(/Message returned: .*: stopped waiting after 9 min \d+ s \(the provider's totalTimeout is 10 min\): the Amplify job [0-9a-f-]+ is still RUNNING\./);
    // On the last 15 s poll before the 10-minute total timeout, well within the shorter ServiceTimeout
    // (120 s + 600 s + 40 polls x 1 s + 60 s = 820 s).
    const create = createRequest(cfn);
    expect(create.elapsedSeconds).toBeGreaterThanOrEqual(585);
    expect(create.elapsedSeconds).toBeLessThan(600);
  });
});

describe('large GraphQL schemas', () => {
  test('a 1 MB schema file goes through Create, Update and an update rollback; the handler reads it from S3 with the role\'s grant', async () => {
    const first = schemaOf(1024 * 1024, 'First');
    const second = schemaOf(1024 * 1024, 'Second');
    const cfn = cloudFormation();

    expectOk(await cfn.deploy(api({ transformSchema: ApiSchema.fromFile(schemaFile(first)) })), 'CREATE_COMPLETE');
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.transformSchema).toBe(first);

    expectOk(await cfn.deploy(api({ transformSchema: ApiSchema.fromFile(schemaFile(second)) })), 'UPDATE_COMPLETE');
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.transformSchema).toBe(second);

    // The next update's job fails: the rollback sends the 1 MB schema before it again.
    suite.emulator.failNextJob('Schema validation failed: Unknown type Third0');
    const failed = await cfn.deploy(api({ transformSchema: ApiSchema.fromFile(schemaFile(schemaOf(1024 * 1024, 'Third'))) }));
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failed.reason).toMatch(/FAILED: Schema validation failed: Unknown type Third0/);
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.transformSchema).toBe(second);
    const sent = suite.emulator.requests('UpdateBackendAPI').map((r) => (r.body as any).resourceConfig.transformSchema.slice(0, 12));
    expect(sent).toEqual(['type First0 ', 'type Second0', 'type Third0 ', 'type Second0']);
    // One allowed GetObject of a schema asset per request: Create, Update, the failed Update and its rollback.
    expect(cfn.s3Requests.map((r) => [r.method, r.status])).toEqual(Array(4).fill(['GET', 200]));
  });

  test('a 130 KB schema given as a string is shipped as an asset too, so every update (and its rollback) fits the Step Functions input', async () => {
    const cfn = cloudFormation();
    expectOk(await cfn.deploy(api({ transformSchema: ApiSchema.fromString(schemaOf(130 * 1024, 'A')) })), 'CREATE_COMPLETE');
    expectOk(await cfn.deploy(api({ transformSchema: ApiSchema.fromString(schemaOf(130 * 1024, 'B')) })), 'UPDATE_COMPLETE');
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.transformSchema?.startsWith('type B0 ')).toBe(true);
  });
});

describe('a provider whose ServiceToken never changes', () => {
  test('creating a provider with `new` on a deployed stack changes every ServiceToken, which CloudFormation refuses', async () => {
    const cfn = cloudFormation();
    expectOk(await cfn.deploy(api({ defaultAuthType: ApiAuth.iam() })), 'CREATE_COMPLETE');
    const moved = synth((stack) => {
      const provider = new AmplifyBackendProvider(stack, 'Provider', { memorySize: 512 });
      new BackendApiConfig(stack, 'Api', { ...API, defaultAuthType: ApiAuth.iam(), provider });
    });
    const result = await cfn.deploy(moved);
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toContain(SERVICE_TOKEN_CHANGED_MESSAGE);
  });

  test('configure() keeps the ServiceToken: the same change deploys', async () => {
    const cfn = cloudFormation();
    expectOk(await cfn.deploy(api({ defaultAuthType: ApiAuth.iam() })), 'CREATE_COMPLETE');
    expectOk(await cfn.deploy(api({ defaultAuthType: ApiAuth.iam(), conflictResolution: ConflictResolutionStrategy.AUTOMERGE }, { memorySize: 512 })), 'UPDATE_COMPLETE');
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.conflictResolution).toEqual({ resolutionStrategy: 'AUTOMERGE' });
  });
});

describe('settings never diverge silently', () => {
  test('setting only defaultAuthType leaves exactly that mode: the API\'s old additional modes are removed', async () => {
    suite.emulator.setApiConfig(APP, 'staging', 'blogapi', {
      apiName: 'blog',
      defaultAuthType: { mode: 'API_KEY' },
      additionalAuthTypes: [{ mode: 'AWS_IAM' }, { mode: 'OPENID_CONNECT', settings: { openIDProviderName: 'Old', openIDIssueURL: 'https://old.example.com/' } }],
      conflictResolution: { resolutionStrategy: 'AUTOMERGE' },
    });
    expectOk(await cloudFormation().deploy(api({ defaultAuthType: ApiAuth.iam() })), 'CREATE_COMPLETE');
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')).toEqual({
      apiName: 'blog',
      defaultAuthType: { mode: 'AWS_IAM' },
      additionalAuthTypes: [],
      // Left out, so kept.
      conflictResolution: { resolutionStrategy: 'AUTOMERGE' },
    });
  });

  test('an apiName other than the API\'s fails before any job, saying the service cannot rename an API', async () => {
    const result = await cloudFormation().deploy(api({ apiName: 'weblog', defaultAuthType: ApiAuth.iam() }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(/invalid apiName \(got "weblog"\): the service cannot rename an API; .* is named "blog"; set apiName to "blog" or leave it out/);
    expect(suite.emulator.requests('UpdateBackendAPI')).toHaveLength(0);
  });

  test('the API\'s own apiName passes the check and is not sent', async () => {
    expectOk(await cloudFormation().deploy(api({ apiName: 'blog', defaultAuthType: ApiAuth.iam() })), 'CREATE_COMPLETE');
    expect((suite.emulator.lastRequest('UpdateBackendAPI')!.body as any).resourceConfig.apiName).toBeUndefined();
  });
});


/**
 * Tests of the AmplifyBackend emulator (test/support/emulator.ts), driven by the REAL
 * `@aws-sdk/client-amplifybackend` over HTTP, plus a few raw `fetch` calls for what the SDK
 * cannot send (unsigned requests, wrong JSON types, unknown members).
 */
import {
  AmplifyBackendClient,
  AmplifyBackendServiceException,
  BadRequestException,
  CreateBackendAPICommand,
  DeleteBackendAPICommand,
  GatewayTimeoutException,
  GetBackendAPICommand,
  GetBackendCommand,
  GetBackendJobCommand,
  ListBackendJobsCommand,
  Mode,
  NotFoundException,
  RemoveBackendConfigCommand,
  TooManyRequestsException,
  UpdateBackendAPICommand,
  UpdateBackendConfigCommand,
} from '@aws-sdk/client-amplifybackend';
import { AmplifyBackendEmulator, pendingJobMessage, WireResourceConfig } from './support/emulator';

const APP = 'app1';
const ENV = 'dev';
const API = 'myapi';

const SEED_API: WireResourceConfig = {
  apiName: 'myapi',
  service: 'AppSync',
  defaultAuthType: { mode: 'API_KEY', settings: { description: 'seed key', expirationTime: 7 } },
};

/** A well-formed SigV4 Authorization header (the emulator does not verify signatures). */
const FAKE_AUTH = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/amplifybackend/aws4_request, '
  + 'SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef';

let emulator: AmplifyBackendEmulator;
let client: AmplifyBackendClient;

function newClient({ region = 'us-east-1', maxAttempts = 1, endpoint = emulator.endpoint } = {}): AmplifyBackendClient {
  return new AmplifyBackendClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts,
  });
}

/** Runs `fn`, expects it to reject, and returns the error. */
async function caught(fn: () => Promise<unknown>): Promise<AmplifyBackendServiceException> {
  try {
    await fn();
  } catch (err) {
    return err as AmplifyBackendServiceException;
  }
  throw new Error('expected a rejection');
}

/** Raw HTTP call; `auth` null = no Authorization header. */
async function raw(method: string, path: string, body?: string, auth: string | null = FAKE_AUTH) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${emulator.endpoint}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: JSON.parse(text) as Record<string, unknown> };
}

const NEW_SCHEMA = 'type Post @model { id: ID! title: String }';

function updateApi(config: Record<string, unknown> = { TransformSchema: NEW_SCHEMA }, env = ENV) {
  return client.send(new UpdateBackendAPICommand({ AppId: APP, BackendEnvironmentName: env, ResourceName: API, ResourceConfig: config }));
}

function poll(jobId: string, env = ENV) {
  return client.send(new GetBackendJobCommand({ AppId: APP, BackendEnvironmentName: env, JobId: jobId }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  emulator = await AmplifyBackendEmulator.start({ pollsUntilComplete: 2 });
  client = newClient();
});

afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  emulator.addApp(APP, {
    appName: 'My App',
    backendManagerAppId: 'bm-app1',
    environments: { [ENV]: { apis: { [API]: SEED_API } }, prod: {} },
  });
});

describe('UpdateBackendAPI / GetBackendJob / GetBackendAPI', () => {
  test('round-trips wire names and applies the config only when the job completes', async () => {
    const res = await updateApi({
      DefaultAuthType: {
        Mode: Mode.OPENID_CONNECT,
        Settings: {
          OpenIDIssueURL: 'https://issuer.example.com',
          OpenIDClientId: 'client-1',
          OpenIDAuthTTL: '3600',
          OpenIDIatTTL: '3600',
          OpenIDProviderName: 'idp',
        },
      },
      AdditionalAuthTypes: [{ Mode: Mode.API_KEY, Settings: { Description: 'extra', ExpirationTime: 30 } }],
      ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
    });
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(res).toMatchObject({ AppId: APP, BackendEnvironmentName: ENV, Operation: 'UpdateBackendAPI', Status: 'RUNNING' });
    expect(res.JobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.Error).toBeUndefined();

    const rec = emulator.lastRequest('UpdateBackendAPI')!;
    expect(rec).toMatchObject({ method: 'POST', path: `/backend/${APP}/api/${ENV}`, region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', status: 200 });
    expect(rec.labels).toEqual({ AppId: APP, BackendEnvironmentName: ENV });
    expect(rec.body).toEqual({
      resourceName: API,
      resourceConfig: {
        defaultAuthType: {
          mode: 'OPENID_CONNECT',
          settings: {
            openIDIssueURL: 'https://issuer.example.com',
            openIDClientId: 'client-1',
            openIDAuthTTL: '3600',
            openIDIatTTL: '3600',
            openIDProviderName: 'idp',
          },
        },
        additionalAuthTypes: [{ mode: 'API_KEY', settings: { description: 'extra', expirationTime: 30 } }],
        conflictResolution: { resolutionStrategy: 'AUTOMERGE' },
      },
    });
    expect(JSON.parse(rec.rawBody).resourceConfig.additionalAuthTypes[0].settings.expirationTime).toBe(30);
    expect(rec.response).not.toHaveProperty('error');

    // Not applied while RUNNING.
    expect(emulator.getApiConfig(APP, ENV, API)).toEqual(SEED_API);
    const first = await poll(res.JobId!);
    expect(first).toMatchObject({ Status: 'RUNNING', JobId: res.JobId, Operation: 'UpdateBackendAPI', AppId: APP, BackendEnvironmentName: ENV });
    expect(first.CreateTime).toMatch(/^\d{13}$/);
    expect(first.UpdateTime).toMatch(/^\d{13}$/);
    expect(first.Error).toBeUndefined();
    const before = await client.send(new GetBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API }));
    expect(before.ResourceConfig?.DefaultAuthType?.Mode).toBe('API_KEY');

    const second = await poll(res.JobId!);
    expect(second.Status).toBe('COMPLETED');
    expect(emulator.getJob(res.JobId!)).toMatchObject({ status: 'COMPLETED', pollCount: 2, source: 'http' });

    const after = await client.send(new GetBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API }));
    expect(after).toMatchObject({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API });
    expect(after.ResourceConfig).toMatchObject({
      ApiName: 'myapi', // kept: shallow merge
      Service: 'AppSync',
      DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDIssueURL: 'https://issuer.example.com' } },
      AdditionalAuthTypes: [{ Mode: 'API_KEY', Settings: { ExpirationTime: 30 } }],
      ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
    });
    expect(emulator.getApiConfig(APP, ENV, API)?.defaultAuthType?.settings).toEqual({
      openIDIssueURL: 'https://issuer.example.com',
      openIDClientId: 'client-1',
      openIDAuthTTL: '3600',
      openIDIatTTL: '3600',
      openIDProviderName: 'idp',
    });
    expect(emulator.lastRequest('GetBackendAPI')!.body).toEqual({ resourceName: API });
  });

  test('URL-decodes path labels', async () => {
    emulator.addApp('app x/1', { environments: { 'env:é': { apis: { a: {} } } } });
    const res = await client.send(new GetBackendAPICommand({ AppId: 'app x/1', BackendEnvironmentName: 'env:é', ResourceName: 'a' }));
    expect(res.AppId).toBe('app x/1');
    const rec = emulator.lastRequest()!;
    expect(rec.labels).toEqual({ AppId: 'app x/1', BackendEnvironmentName: 'env:é' });
    expect(rec.path).toContain('app%20x%2F1');
  });

  test('jobs complete by time (jobDurationMs) and updateTime reflects it', async () => {
    // Long enough that the two polls below land before it even on a loaded CI machine.
    emulator.configureJobs({ pollsUntilComplete: Infinity, jobDurationMs: 1000 });
    const { JobId } = await updateApi();
    // pollsUntilComplete: Infinity -> polls alone never complete it (the default, 2, would on the 2nd poll).
    for (let i = 0; i < 2; i++) expect((await poll(JobId!)).Status).toBe('RUNNING');
    expect(emulator.getApiConfig(APP, ENV, API)?.transformSchema).toBeUndefined();
    await sleep(emulator.getJob(JobId!)!.completesAt! - Date.now() + 20);
    const done = await poll(JobId!);
    expect(done.Status).toBe('COMPLETED');
    expect(Number(done.UpdateTime) - Number(done.CreateTime)).toBe(1000);
    expect(emulator.getApiConfig(APP, ENV, API)?.transformSchema).toBe(NEW_SCHEMA);
  });

  test('failNextJob: the job ends FAILED with the message and the config is unchanged', async () => {
    emulator.failNextJob('CloudFormation stack update failed');
    const { JobId } = await updateApi();
    expect((await poll(JobId!)).Status).toBe('RUNNING');
    const failed = await poll(JobId!);
    expect(failed).toMatchObject({ Status: 'FAILED', Error: 'CloudFormation stack update failed' });
    expect(emulator.getApiConfig(APP, ENV, API)).toEqual(SEED_API);
    expect(emulator.jobs({ status: 'FAILED' })).toHaveLength(1);
    // The next job is a normal one.
    const next = await updateApi();
    await poll(next.JobId!);
    expect((await poll(next.JobId!)).Status).toBe('COMPLETED');
  });

  test('manual completion: jobs stay RUNNING until completeJob / failJob', async () => {
    emulator.setManualJobCompletion(true);
    const { JobId } = await updateApi();
    for (let i = 0; i < 5; i++) expect((await poll(JobId!)).Status).toBe('RUNNING');
    expect(emulator.pendingJob(APP, ENV)).toMatchObject({ jobId: JobId, pollCount: 5, status: 'RUNNING' });
    emulator.completeJob(JobId!);
    expect((await poll(JobId!)).Status).toBe('COMPLETED');
    expect(emulator.getApiConfig(APP, ENV, API)?.transformSchema).toBe(NEW_SCHEMA);

    const second = await updateApi({ TransformSchema: 'type Third @model { id: ID! }' });
    emulator.failJob(second.JobId!, 'stuck for hours');
    expect(await poll(second.JobId!)).toMatchObject({ Status: 'FAILED', Error: 'stuck for hours' });
    expect(emulator.getApiConfig(APP, ENV, API)?.transformSchema).toBe(NEW_SCHEMA);
    expect(() => emulator.completeJob(second.JobId!)).toThrow(/already FAILED/);
  });

  test('a second job while one is pending gets the ValidationException', async () => {
    const { JobId } = await updateApi();
    const err = await caught(() => updateApi({ TransformSchema: 'type Other @model { id: ID! }' }));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      `There is already a pending job for the requested appId: ${APP} and backendEnvironmentName: ${ENV}, wait for it to complete before creating a new job.`,
    );
    expect(err.message).toBe(pendingJobMessage(APP, ENV));
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err).toBeInstanceOf(AmplifyBackendServiceException);
    expect(err).not.toBeInstanceOf(BadRequestException);
    expect(emulator.lastRequest()).toMatchObject({ status: 400, errorType: 'ValidationException' });

    // Another environment is independent.
    emulator.setApiConfig(APP, 'prod', API, {});
    await expect(updateApi({}, 'prod')).resolves.toMatchObject({ Status: 'RUNNING' });

    await poll(JobId!);
    await poll(JobId!);
    await expect(updateApi({ TransformSchema: 'type Other @model { id: ID! }' })).resolves.toMatchObject({ Status: 'RUNNING' });
  });

  test('external (CLI) jobs block HTTP jobs until they end by completeJob or by time', async () => {
    const ext = emulator.startExternalJob(APP, ENV, { resourceName: API, resourceConfig: { transformSchema: 'type T @model { id: ID! }' } });
    expect(ext).toMatchObject({ status: 'RUNNING', source: 'external', operation: 'UpdateBackendAPI' });
    const err = await caught(() => updateApi());
    expect(err.name).toBe('ValidationException');
    emulator.completeJob(ext.jobId);
    expect(emulator.getApiConfig(APP, ENV, API)?.transformSchema).toBe('type T @model { id: ID! }');

    const generating = emulator.startExternalJob(APP, 'prod', { durationMs: 1000, operation: 'GenerateBackendAPIModels' });
    emulator.setApiConfig(APP, 'prod', API, {});
    expect((await caught(() => updateApi({}, 'prod'))).name).toBe('ValidationException');
    await sleep(generating.completesAt! - Date.now() + 20);
    await expect(updateApi({}, 'prod')).resolves.toMatchObject({ Status: 'RUNNING' });
    expect(emulator.jobs({ backendEnvironmentName: 'prod', operation: 'GenerateBackendAPIModels' })[0].status).toBe('COMPLETED');
    expect(() => emulator.startExternalJob(APP, 'prod')).toThrow(/already a pending job/);
  });

  test('an update never renames the API: the apiName sent is ignored and the stored name stays', async () => {
    const { JobId } = await updateApi({ ApiName: 'renamed', TransformSchema: NEW_SCHEMA });
    expect((emulator.lastRequest('UpdateBackendAPI')!.body as any).resourceConfig.apiName).toBe('renamed');
    expect(emulator.getJob(JobId!)!.requestedConfig).toEqual({ transformSchema: NEW_SCHEMA });
    await poll(JobId!);
    expect((await poll(JobId!)).Status).toBe('COMPLETED');
    expect(emulator.getApiConfig(APP, ENV, API)).toEqual({ ...SEED_API, transformSchema: NEW_SCHEMA });
    const read = await client.send(new GetBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API }));
    expect(read.ResourceConfig?.ApiName).toBe('myapi');
  });

  test('shallow merge: additionalAuthTypes [] sent empties the stored list, left out it is kept', async () => {
    emulator.setApiConfig(APP, ENV, API, { ...SEED_API, additionalAuthTypes: [{ mode: 'AWS_IAM' }] });
    const kept = await updateApi({ TransformSchema: NEW_SCHEMA });
    expect((emulator.lastRequest('UpdateBackendAPI')!.body as any).resourceConfig).not.toHaveProperty('additionalAuthTypes');
    await poll(kept.JobId!);
    await poll(kept.JobId!);
    expect(emulator.getApiConfig(APP, ENV, API)?.additionalAuthTypes).toEqual([{ mode: 'AWS_IAM' }]);

    const emptied = await updateApi({ AdditionalAuthTypes: [] });
    expect((emulator.lastRequest('UpdateBackendAPI')!.body as any).resourceConfig).toEqual({ additionalAuthTypes: [] });
    await poll(emptied.JobId!);
    expect((await poll(emptied.JobId!)).Status).toBe('COMPLETED');
    expect(emulator.getApiConfig(APP, ENV, API)).toEqual({ ...SEED_API, transformSchema: NEW_SCHEMA, additionalAuthTypes: [] });
  });

  test('an injected clock: jobs age on it, not on real time', async () => {
    let now = Date.UTC(2030, 0, 1);
    const clocked = await AmplifyBackendEmulator.start({ now: () => now, pollsUntilComplete: Infinity, jobDurationMs: 60_000 });
    try {
      clocked.addApp(APP, { environments: { [ENV]: { apis: { [API]: SEED_API } } } });
      const c = newClient({ endpoint: clocked.endpoint });
      const { JobId } = await c.send(new UpdateBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API, ResourceConfig: { TransformSchema: NEW_SCHEMA } }));
      const get = () => c.send(new GetBackendJobCommand({ AppId: APP, BackendEnvironmentName: ENV, JobId }));
      now += 59_999;
      expect((await get()).Status).toBe('RUNNING');
      now += 1;
      const done = await get();
      c.destroy();
      expect(done).toMatchObject({ Status: 'COMPLETED', CreateTime: String(Date.UTC(2030, 0, 1)), UpdateTime: String(Date.UTC(2030, 0, 1) + 60_000) });
      expect(clocked.requests().map((r) => r.time)).toEqual([Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 1) + 59_999, Date.UTC(2030, 0, 1) + 60_000]);
    } finally {
      await clocked.stop();
    }
  });

  test('injected 200-with-error: no job is started, the next call is normal', async () => {
    emulator.injectResponseError('UpdateBackendAPI', 'Backend update is not allowed right now');
    const res = await updateApi();
    expect(res.$metadata.httpStatusCode).toBe(200);
    expect(res).toMatchObject({ Error: 'Backend update is not allowed right now', AppId: APP, BackendEnvironmentName: ENV });
    expect(res.JobId).toBeUndefined();
    expect(emulator.jobs()).toHaveLength(0);
    const ok = await updateApi();
    expect(ok.Error).toBeUndefined();
    expect(ok.JobId).toBeDefined();
  });
});

describe('CreateBackendAPI / DeleteBackendAPI', () => {
  test('create then delete an API through jobs', async () => {
    const created = await client.send(new CreateBackendAPICommand({
      AppId: APP, BackendEnvironmentName: 'prod', ResourceName: 'newapi', ResourceConfig: { ApiName: 'newapi', TransformSchema: 'schema' },
    }));
    expect(created).toMatchObject({ Operation: 'CreateBackendAPI', Status: 'RUNNING', BackendEnvironmentName: 'prod' });
    expect(emulator.lastRequest()!.body).toEqual({
      backendEnvironmentName: 'prod', resourceName: 'newapi', resourceConfig: { apiName: 'newapi', transformSchema: 'schema' },
    });
    expect(emulator.getApiConfig(APP, 'prod', 'newapi')).toBeUndefined();
    emulator.completeJob(created.JobId!);
    expect(emulator.getApiConfig(APP, 'prod', 'newapi')).toEqual({ apiName: 'newapi', transformSchema: 'schema' });

    const dup = await caught(() => client.send(new CreateBackendAPICommand({
      AppId: APP, BackendEnvironmentName: 'prod', ResourceName: 'newapi', ResourceConfig: {},
    })));
    expect(dup).toBeInstanceOf(BadRequestException);

    const deleted = await client.send(new DeleteBackendAPICommand({ AppId: APP, BackendEnvironmentName: 'prod', ResourceName: 'newapi' }));
    expect(deleted).toMatchObject({ Operation: 'DeleteBackendAPI', Status: 'RUNNING' });
    await poll(deleted.JobId!, 'prod');
    expect((await poll(deleted.JobId!, 'prod')).Status).toBe('COMPLETED');
    expect(emulator.getApiConfigs(APP, 'prod')).toEqual({});
  });
});

describe('UpdateBackendConfig / RemoveBackendConfig / GetBackend', () => {
  test('UpdateBackendConfig is synchronous and uses snake_case wire keys', async () => {
    const res = await client.send(new UpdateBackendConfigCommand({
      AppId: APP,
      LoginAuthConfig: {
        AwsCognitoIdentityPoolId: 'us-east-1:pool',
        AwsCognitoRegion: 'us-east-1',
        AwsUserPoolsId: 'us-east-1_abc',
        AwsUserPoolsWebClientId: 'client123',
      },
    }));
    expect(res).toMatchObject({
      AppId: APP,
      BackendManagerAppId: 'bm-app1',
      LoginAuthConfig: {
        AwsCognitoIdentityPoolId: 'us-east-1:pool',
        AwsCognitoRegion: 'us-east-1',
        AwsUserPoolsId: 'us-east-1_abc',
        AwsUserPoolsWebClientId: 'client123',
      },
    });
    expect(res.Error).toBeUndefined();
    const wire = {
      aws_cognito_identity_pool_id: 'us-east-1:pool',
      aws_cognito_region: 'us-east-1',
      aws_user_pools_id: 'us-east-1_abc',
      aws_user_pools_web_client_id: 'client123',
    };
    expect(emulator.lastRequest('UpdateBackendConfig')!.body).toEqual({ loginAuthConfig: wire });
    expect(emulator.lastRequest('UpdateBackendConfig')!.path).toBe(`/backend/${APP}/config/update`);
    expect(emulator.getLoginConfig(APP)).toEqual(wire);
    expect(emulator.jobs()).toHaveLength(0);

    emulator.injectResponseError('UpdateBackendConfig', 'nope');
    const errored = await client.send(new UpdateBackendConfigCommand({ AppId: APP, LoginAuthConfig: { AwsCognitoRegion: 'eu-west-1' } }));
    expect(errored.Error).toBe('nope');
    expect(emulator.getLoginConfig(APP)).toEqual(wire);

    const removed = await client.send(new RemoveBackendConfigCommand({ AppId: APP }));
    expect(removed.$metadata.httpStatusCode).toBe(200);
    expect(removed.Error).toBeUndefined();
    expect(emulator.getLoginConfig(APP)).toBeUndefined();
    expect(emulator.lastRequest()).toMatchObject({ operation: 'RemoveBackendConfig', path: `/backend/${APP}/config/remove`, status: 200 });
  });

  test('GetBackend lists environments and summarises APIs in amplifyMetaConfig', async () => {
    const res = await client.send(new GetBackendCommand({ AppId: APP, BackendEnvironmentName: ENV }));
    expect(res).toMatchObject({ AppId: APP, AppName: 'My App', BackendEnvironmentList: [ENV, 'prod'], BackendEnvironmentName: ENV });
    expect(JSON.parse(res.AmplifyMetaConfig!)).toEqual({
      api: { [API]: { service: 'AppSync', providerPlugin: 'awscloudformation', resourceConfig: SEED_API } },
    });
    expect(emulator.lastRequest()!.body).toEqual({ backendEnvironmentName: ENV });

    const noEnv = await client.send(new GetBackendCommand({ AppId: APP }));
    expect(noEnv.BackendEnvironmentName).toBeUndefined();
    expect(noEnv.BackendEnvironmentList).toEqual([ENV, 'prod']);

    const err = await caught(() => client.send(new GetBackendCommand({ AppId: APP, BackendEnvironmentName: 'nope' })));
    expect(err).toBeInstanceOf(NotFoundException);
  });
});

describe('ListBackendJobs', () => {
  test('filters by jobId, operation and status, and paginates', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = emulator.startExternalJob(APP, ENV, { operation: i % 2 === 0 ? 'UpdateBackendAPI' : 'GenerateBackendAPIModels' });
      ids.push(job.jobId);
      if (i === 1) emulator.failJob(job.jobId, 'boom');
      else emulator.completeJob(job.jobId);
    }
    const { JobId } = await updateApi();
    ids.push(JobId!);

    const list = (input: Record<string, unknown>) =>
      client.send(new ListBackendJobsCommand({ AppId: APP, BackendEnvironmentName: ENV, ...input }));

    const all = await list({});
    expect(all.Jobs!.map((j) => j.JobId)).toEqual(ids);
    expect(all.NextToken).toBeUndefined();
    expect(all.Jobs![1]).toMatchObject({ Status: 'FAILED', Error: 'boom', AppId: APP, BackendEnvironmentName: ENV });
    expect(all.Jobs![0].CreateTime).toMatch(/^\d+$/);

    expect((await list({ Status: 'RUNNING' })).Jobs!.map((j) => j.JobId)).toEqual([JobId]);
    expect((await list({ Operation: 'GenerateBackendAPIModels' })).Jobs!.map((j) => j.JobId)).toEqual([ids[1], ids[3]]);
    expect((await list({ JobId: ids[2] })).Jobs!.map((j) => j.JobId)).toEqual([ids[2]]);
    expect((await list({ Operation: 'UpdateBackendAPI', Status: 'COMPLETED' })).Jobs!.map((j) => j.JobId)).toEqual([ids[0], ids[2]]);
    expect(emulator.lastRequest()!.body).toEqual({ operation: 'UpdateBackendAPI', status: 'COMPLETED' });

    const page1 = await list({ MaxResults: 2 });
    expect(page1.Jobs!.map((j) => j.JobId)).toEqual(ids.slice(0, 2));
    expect(page1.NextToken).toBeDefined();
    expect(emulator.lastRequest()!.body).toEqual({ maxResults: 2 });
    const page2 = await list({ MaxResults: 2, NextToken: page1.NextToken });
    expect(page2.Jobs!.map((j) => j.JobId)).toEqual(ids.slice(2, 4));
    const page3 = await list({ MaxResults: 2, NextToken: page2.NextToken });
    expect(page3.Jobs!.map((j) => j.JobId)).toEqual(ids.slice(4));
    expect(page3.NextToken).toBeUndefined();

    for (const bad of [0, 26]) {
      const err = await caught(() => list({ MaxResults: bad }));
      expect(err).toBeInstanceOf(BadRequestException);
      expect(err.message).toMatch(/maxResults/);
    }
    expect(await caught(() => list({ NextToken: 'garbage' }))).toBeInstanceOf(BadRequestException);
    // Polls via ListBackendJobs do not count.
    expect(emulator.getJob(JobId!)!.pollCount).toBe(0);
  });
});

describe('errors', () => {
  test('unknown app, environment, API and job answer typed NotFoundException', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => client.send(new GetBackendAPICommand({ AppId: 'nope', BackendEnvironmentName: ENV, ResourceName: API })), 'App'],
      [() => updateApi({}, 'staging'), 'BackendEnvironment'],
      [() => client.send(new UpdateBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: 'other' })), 'BackendAPI'],
      [() => poll('00000000-0000-0000-0000-000000000000'), 'BackendJob'],
      [() => client.send(new UpdateBackendConfigCommand({ AppId: 'nope' })), 'App'],
    ];
    for (const [call, resourceType] of cases) {
      const err = await caught(call);
      expect(err).toBeInstanceOf(NotFoundException);
      expect(err.$metadata.httpStatusCode).toBe(404);
      expect((err as NotFoundException).ResourceType).toBe(resourceType);
    }
    expect(emulator.jobs()).toHaveLength(0);
  });

  test('missing required member -> BadRequestException naming it', async () => {
    const err = await caught(() => client.send(new UpdateBackendAPICommand({
      AppId: APP, BackendEnvironmentName: ENV, ResourceName: undefined as unknown as string, ResourceConfig: { ApiName: 'x' },
    })));
    expect(err).toBeInstanceOf(BadRequestException);
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toMatch(/resourceName/);
  });

  test('bad enum values -> BadRequestException', async () => {
    const badMode = await caught(() => updateApi({ DefaultAuthType: { Mode: 'APIKEY' as Mode } }));
    expect(badMode).toBeInstanceOf(BadRequestException);
    expect(badMode.message).toMatch(/resourceConfig\.defaultAuthType\.mode/);
    const badStrategy = await caught(() => updateApi({ ConflictResolution: { ResolutionStrategy: 'LAST_WRITER_WINS' } }));
    expect(badStrategy).toBeInstanceOf(BadRequestException);
    expect(badStrategy.message).toMatch(/resolutionStrategy/);
  });

  test('wrong JSON types, unknown members and non-JSON bodies are rejected with 400', async () => {
    const path = `/backend/${APP}/api/${ENV}`;
    const cases: Array<[unknown, RegExp]> = [
      [{ resourceName: API, resourceConfig: { defaultAuthType: { settings: { expirationTime: '7' } } } }, /expirationTime.*number/],
      [{ resourceName: API, resourceConfig: { apiName: 5 } }, /apiName.*string/],
      [{ resourceName: API, resourceConfig: { additionalAuthTypes: {} } }, /additionalAuthTypes.*array/],
      [{ resourceName: API, resourceConfig: 'x' }, /resourceConfig.*object/],
      [{ ResourceName: API }, /Unknown member 'ResourceName'/],
      [{ resourceName: API, resourceConfig: { defaultAuthType: { settings: { openIdIssueUrl: 'u' } } } },
        /Unknown member 'openIdIssueUrl' at 'resourceConfig\.defaultAuthType\.settings\.openIdIssueUrl'/],
      [[], /request body.*object/],
    ];
    for (const [body, message] of cases) {
      const res = await raw('POST', path, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.errorType).toBe('BadRequestException');
      expect(res.body.message).toMatch(message);
    }
    const notJson = await raw('POST', path, '{not json');
    expect(notJson).toMatchObject({ status: 400, errorType: 'BadRequestException' });
    const badLogin = await raw('POST', `/backend/${APP}/config/update`, JSON.stringify({ loginAuthConfig: { awsCognitoRegion: 'x' } }));
    expect(badLogin.body.message).toMatch(/Unknown member 'awsCognitoRegion' at 'loginAuthConfig\.awsCognitoRegion'/);
    expect(emulator.jobs()).toHaveLength(0);
    expect(emulator.getApiConfig(APP, ENV, API)).toEqual(SEED_API);
  });

  test('unsigned or wrongly scoped requests -> 403 UnrecognizedClientException; unknown routes -> 404', async () => {
    const unsigned = await raw('POST', `/backend/${APP}/details`, '{}', null);
    expect(unsigned.status).toBe(403);
    expect(unsigned.errorType).toBe('UnrecognizedClientException');
    expect(typeof unsigned.body.message).toBe('string');
    expect(emulator.lastRequest()).toMatchObject({ operation: 'GetBackend', status: 403, region: undefined });

    const wrongService = await raw('POST', `/backend/${APP}/details`, '{}', FAKE_AUTH.replace('/amplifybackend/', '/amplify/'));
    expect(wrongService).toMatchObject({ status: 403, errorType: 'UnrecognizedClientException' });

    const unknown = await raw('POST', '/backend/app1/storage', '{}');
    expect(unknown).toMatchObject({ status: 404, errorType: 'UnknownOperationException' });
    expect(emulator.lastRequest()!.operation).toBeUndefined();
    const prodPrefix = await raw('POST', `/prod/backend/${APP}/details`, '{}');
    expect(prodPrefix.status).toBe(404);
  });

  test('injected throttling / gateway timeout / 400 / 404 map to typed SDK exceptions', async () => {
    emulator.injectFault({ kind: 'throttle', operation: 'GetBackendJob' });
    emulator.injectFault({ kind: 'gatewayTimeout', operation: 'GetBackendAPI' });
    emulator.injectFault({ kind: 'badRequest', operation: 'UpdateBackendConfig', message: 'custom' });
    emulator.injectFault({ kind: 'notFound', operation: 'GetBackend', resourceType: 'Backend' });
    const { JobId } = await updateApi();

    const throttled = await caught(() => poll(JobId!));
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect(throttled.$metadata.httpStatusCode).toBe(429);
    expect((throttled as TooManyRequestsException).LimitType).toBe('RequestRate');

    const timeout = await caught(() => client.send(new GetBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API })));
    expect(timeout).toBeInstanceOf(GatewayTimeoutException);
    expect(timeout.$metadata.httpStatusCode).toBe(504);
    expect(timeout.$fault).toBe('server');

    const bad = await caught(() => client.send(new UpdateBackendConfigCommand({ AppId: APP })));
    expect(bad).toBeInstanceOf(BadRequestException);
    expect(bad.message).toBe('custom');

    const missing = await caught(() => client.send(new GetBackendCommand({ AppId: APP })));
    expect(missing).toBeInstanceOf(NotFoundException);
    expect((missing as NotFoundException).ResourceType).toBe('Backend');
    expect(emulator.pendingFaults()).toBe(0);

    // A throttled poll is not counted; the job still completes on its 2nd real poll.
    await poll(JobId!);
    expect((await poll(JobId!)).Status).toBe('COMPLETED');
  });

  test('faults apply to the next N matching calls only, and the SDK retries through a 504', async () => {
    emulator.injectFault({ kind: 'gatewayTimeout', operation: 'GetBackend', times: 2 });
    await expect(client.send(new GetBackendAPICommand({ AppId: APP, BackendEnvironmentName: ENV, ResourceName: API }))).resolves.toBeDefined();
    const retrying = newClient({ maxAttempts: 3 });
    const res = await retrying.send(new GetBackendCommand({ AppId: APP }));
    retrying.destroy();
    expect(res.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 3 });
    expect(emulator.requests('GetBackend').map((r) => r.status)).toEqual([504, 504, 200]);
  });

  test('delay fault postpones the answer; in-flight requests are logged with status 0', async () => {
    emulator.injectFault({ kind: 'delay', delayMs: 150, operation: 'GetBackend' });
    const started = Date.now();
    const pending = client.send(new GetBackendCommand({ AppId: APP }));
    await sleep(30);
    expect(emulator.lastRequest('GetBackend')!.status).toBe(0);
    const res = await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.AppId).toBe(APP);
    expect(emulator.lastRequest('GetBackend')!.status).toBe(200);
  });
});

describe('request log, seeding and reset', () => {
  test('records every request in order with operation, region and status', async () => {
    const eu = newClient({ region: 'eu-west-1' });
    await eu.send(new GetBackendCommand({ AppId: APP }));
    eu.destroy();
    await caught(() => poll('missing'));
    const { JobId } = await updateApi();
    await poll(JobId!);

    const log = emulator.requests();
    expect(log.map((r) => [r.operation, r.method, r.status])).toEqual([
      ['GetBackend', 'POST', 200],
      ['GetBackendJob', 'GET', 404],
      ['UpdateBackendAPI', 'POST', 200],
      ['GetBackendJob', 'GET', 200],
    ]);
    expect(log.map((r) => r.seq)).toEqual([...log.map((r) => r.seq)].sort((a, b) => a - b));
    expect(log[0].region).toBe('eu-west-1');
    expect(log[1]).toMatchObject({ region: 'us-east-1', errorType: 'NotFoundException', labels: { AppId: APP, BackendEnvironmentName: ENV, JobId: 'missing' } });
    expect(log[1].body).toBeUndefined();
    expect(log[3].response).toMatchObject({ jobId: JobId, status: 'RUNNING' });
    expect(log[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/amplifybackend\/aws4_request/);
    expect(typeof log[0].time).toBe('number');
    expect(emulator.requests('GetBackendJob')).toHaveLength(2);

    emulator.clearRequests();
    expect(emulator.requests()).toEqual([]);
  });

  test('seeds are validated and reset() forgets everything', async () => {
    expect(() => emulator.addApp('bad', { environments: { dev: { apis: { a: { ApiName: 'x' } as unknown as WireResourceConfig } } } }))
      .toThrow(/Unknown member 'ApiName'/);
    expect(() => emulator.setApiConfig('ghost', ENV, API, {})).toThrow(/addApp/);
    expect(emulator.environments(APP)).toEqual([ENV, 'prod']);

    emulator.injectFault({ kind: 'throttle', times: Infinity });
    emulator.setManualJobCompletion(true);
    emulator.reset();
    expect(emulator.environments(APP)).toEqual([]);
    expect(emulator.pendingFaults()).toBe(0);
    emulator.addApp(APP, { environments: { [ENV]: { apis: { [API]: {} } } } });
    const { JobId } = await updateApi();
    await poll(JobId!);
    expect((await poll(JobId!)).Status).toBe('COMPLETED');
  });
});

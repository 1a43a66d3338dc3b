/**
 * End to end: synthesize small apps with the constructs, run their custom resources through the
 * CloudFormation lifecycle with the real bundled handler (test/support/lifecycle.ts), against the
 * local AmplifyBackend emulator over HTTP with the real SDK client. Every test asserts on what the
 * emulator received, not only on the outcome.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AdminUiLoginConfig, AmplifyBackendProvider, AmplifyBackendProviderProps, ApiAuth, ApiSchema, BackendApiConfig, ConflictResolutionStrategy } from '../src';
import { pendingJobMessage } from './support/emulator';
import { fakePhysicalId, LocalCloudFormation, LocalCloudFormationOptions } from './support/lifecycle';
import { expectOk, outputOf } from './support/lifecycle/expect';
import { endToEndSuite } from './support/lifecycle/suite';

const APP = 'd1e2e3e4e5e6e7';
const OTHER_APP = 'd7e6e5e4e3e2e1';
const STACK = 'E2E';
const POLL_MS = 10;

const suite = endToEndSuite({
  realPauseMs: POLL_MS,
  seed: (emulator) => {
    const apis = { blogapi: { apiName: 'blog' }, shopapi: { apiName: 'shop' } };
    for (const app of [APP, OTHER_APP]) {
      emulator.addApp(app, {
        backendManagerAppId: `${app}-manager`,
        environments: { staging: { apis }, prod: { apis }, dev: { apis }, test: { apis } },
      });
    }
  },
});

/** Synthesizes a one-stack app; the provider polls fast. */
function synth(build: (stack: Stack, provider: AmplifyBackendProvider) => void, providerProps: AmplifyBackendProviderProps = {}): string {
  // The test run's own TMPDIR removes it (test/support/jest-global-setup.ts).
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-'));
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
  const provider = new AmplifyBackendProvider(stack, 'Provider', {
    // Polls every second fit CloudFormation's hour with a 10-minute total timeout.
    queryInterval: Duration.seconds(1),
    totalTimeout: Duration.minutes(10),
    ...providerProps,
  });
  build(stack, provider);
  app.synth();
  return outdir;
}

function cloudFormation(options: Partial<LocalCloudFormationOptions> = {}): LocalCloudFormation {
  return suite.cloudFormation({ stackName: STACK, ...options });
}

function bodies(operation: 'UpdateBackendAPI' | 'UpdateBackendConfig'): any[] {
  return suite.emulator.requests(operation).filter((r) => r.status === 200).map((r) => r.body);
}

describe('every auth mode and conflict strategy reaches the service in its wire form', () => {
  test('four APIs, four modes, four strategies', async () => {
    let poolId = '';
    const cdkOut = synth((stack, provider) => {
      const pool = new cognito.UserPool(stack, 'Pool');
      poolId = stack.resolve(pool.userPoolId).Ref;
      new BackendApiConfig(stack, 'ApiKey', {
        appId: APP,
        backendEnvironmentName: 'staging',
        resourceName: 'blogapi',
        provider,
        apiName: 'blog',
        service: 'AppSync',
        transformSchema: ApiSchema.fromString('type Post @model { id: ID! }'),
        defaultAuthType: ApiAuth.apiKey({ description: 'public', expiration: Duration.days(30) }),
        conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
      });
      new BackendApiConfig(stack, 'Iam', {
        appId: APP,
        backendEnvironmentName: 'prod',
        resourceName: 'blogapi',
        provider,
        defaultAuthType: ApiAuth.iam(),
        conflictResolution: ConflictResolutionStrategy.LAMBDA,
      });
      new BackendApiConfig(stack, 'UserPool', {
        appId: APP,
        backendEnvironmentName: 'dev',
        resourceName: 'blogapi',
        provider,
        defaultAuthType: ApiAuth.userPool(pool),
        conflictResolution: ConflictResolutionStrategy.NONE,
      });
      new BackendApiConfig(stack, 'Oidc', {
        appId: APP,
        backendEnvironmentName: 'test',
        resourceName: 'blogapi',
        provider,
        defaultAuthType: ApiAuth.openIdConnect({
          providerName: 'Auth0',
          issuerUrl: 'https://example.auth0.com/',
          clientId: 'web',
          authTtl: Duration.hours(1),
          iatTtl: Duration.minutes(5),
        }),
        additionalAuthTypes: [ApiAuth.iam(), ApiAuth.apiKey()],
        conflictResolution: ConflictResolutionStrategy.OPTIMISTIC_CONCURRENCY,
      });
    });
    const cfn = cloudFormation();
    const result = await cfn.deploy(cdkOut);
    expectOk(result, 'CREATE_COMPLETE');

    const byEnv = Object.fromEntries(suite.emulator.requests('UpdateBackendAPI').map((r) => [r.labels.BackendEnvironmentName, r as typeof r & { body: any }]));
    expect(byEnv.staging.path).toBe(`/backend/${APP}/api/staging`);
    expect(byEnv.staging.body).toEqual({
      resourceName: 'blogapi',
      // apiName is checked against the live API, never sent: the service cannot rename an API.
      resourceConfig: {
        service: 'AppSync',
        transformSchema: 'type Post @model { id: ID! }',
        defaultAuthType: { mode: 'API_KEY', settings: { description: 'public', expirationTime: 30 } },
        additionalAuthTypes: [],
        conflictResolution: { resolutionStrategy: 'AUTOMERGE' },
      },
    });
    expect(byEnv.prod.body.resourceConfig).toEqual({ defaultAuthType: { mode: 'AWS_IAM' }, additionalAuthTypes: [], conflictResolution: { resolutionStrategy: 'LAMBDA' } });
    const fakePoolId = byEnv.dev.body.resourceConfig.defaultAuthType.settings.cognitoUserPoolId;
    expect(fakePoolId).toMatch(/^us-east-1_[0-9A-Za-z]+$/);
    expect(fakePhysicalId(poolId, 'AWS::Cognito::UserPool', 'us-east-1')).toBe(fakePoolId);
    expect(byEnv.dev.body.resourceConfig.conflictResolution).toEqual({ resolutionStrategy: 'NONE' });
    expect(byEnv.test.body.resourceConfig).toEqual({
      defaultAuthType: {
        mode: 'OPENID_CONNECT',
        settings: { openIDProviderName: 'Auth0', openIDIssueURL: 'https://example.auth0.com/', openIDClientId: 'web', openIDAuthTTL: '3600000', openIDIatTTL: '300000' },
      },
      additionalAuthTypes: [{ mode: 'AWS_IAM' }, { mode: 'API_KEY' }],
      conflictResolution: { resolutionStrategy: 'OPTIMISTIC_CONCURRENCY' },
    });

    // The service applied it, and the outputs say which job did.
    expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.defaultAuthType).toEqual({ mode: 'API_KEY', settings: { description: 'public', expirationTime: 30 } });
    const stagingJob = suite.emulator.jobs({ backendEnvironmentName: 'staging' })[0];
    expect(outputOf(result, 'ApiKeyJobId')).toBe(stagingJob.jobId);
    expect(outputOf(result, 'ApiKeyStatus')).toBe('COMPLETED');
    expect(suite.emulator.jobs({ appId: APP }).map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  });
});

test('login config from Cognito constructs: snake_case keys on the wire, BackendManagerAppId out', async () => {
  const cdkOut = synth((stack, provider) => {
    const pool = new cognito.UserPool(stack, 'AdminPool');
    const client = pool.addClient('Web');
    const identityPool = new cognito.CfnIdentityPool(stack, 'Identities', { allowUnauthenticatedIdentities: false });
    new AdminUiLoginConfig(stack, 'Login', { appId: APP, userPool: pool, userPoolClient: client, identityPoolId: identityPool.ref, provider });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expectOk(result, 'CREATE_COMPLETE');
  const [request] = suite.emulator.requests('UpdateBackendConfig');
  expect(request.path).toBe(`/backend/${APP}/config/update`);
  expect(Object.keys((request.body as any).loginAuthConfig).sort()).toEqual(['aws_cognito_identity_pool_id', 'aws_cognito_region', 'aws_user_pools_id', 'aws_user_pools_web_client_id']);
  expect((request.body as any).loginAuthConfig.aws_cognito_region).toBe('us-east-1');
  expect(suite.emulator.getLoginConfig(APP)).toEqual((request.body as any).loginAuthConfig);
  expect(outputOf(result, 'LoginBackendManagerAppId')).toBe(`${APP}-manager`);
  expect(suite.emulator.requests('UpdateBackendAPI')).toHaveLength(0);
});

test('tokens are resolved at deploy time (parameters), and checked by the handler before any call', async () => {
  const cdkOut = synth((stack, provider) => {
    const appId = new CfnParameter(stack, 'AppId', { type: 'String' }).valueAsString;
    const env = new CfnParameter(stack, 'Env', { type: 'String' }).valueAsString;
    const days = new CfnParameter(stack, 'KeyDays', { type: 'Number' }).valueAsNumber;
    new BackendApiConfig(stack, 'Api', {
      appId,
      backendEnvironmentName: env,
      resourceName: 'shopapi',
      provider,
      defaultAuthType: ApiAuth.apiKey({ expiration: Duration.days(days) }),
    });
  });
  const ok = await cloudFormation({ parameters: { AppId: OTHER_APP, Env: 'prod', KeyDays: '90' } }).deploy(cdkOut);
  expectOk(ok, 'CREATE_COMPLETE');
  expect(bodies('UpdateBackendAPI')).toEqual([{ resourceName: 'shopapi', resourceConfig: { defaultAuthType: { mode: 'API_KEY', settings: { expirationTime: 90 } }, additionalAuthTypes: [] } }]);
  expect(suite.emulator.requests('UpdateBackendAPI')[0].labels).toEqual({ AppId: OTHER_APP, BackendEnvironmentName: 'prod' });

  suite.emulator.clearRequests();
  const bad = await cloudFormation({ parameters: { AppId: 'My Blog App', Env: 'prod', KeyDays: '400' } }).deploy(cdkOut);
  expect(bad.status).toBe('ROLLBACK_COMPLETE');
  expect(bad.reason).toMatch(/invalid appId \(got "My Blog App"\)/);
  expect(bad.reason).toContain('BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got 400 days): '
    + 'the API key expiration must be a whole number of days from 1 to 365, e.g. Duration.days(30).');
  expect(suite.emulator.requests()).toHaveLength(0);
});

test('the handler re-validates Durations given as tokens, and says their values with the contract\'s units (days, ms)', async () => {
  const cdkOut = synth((stack, provider) => {
    const days = new CfnParameter(stack, 'KeyDays', { type: 'Number' }).valueAsNumber;
    const ttl = new CfnParameter(stack, 'TtlMs', { type: 'Number' }).valueAsNumber;
    new BackendApiConfig(stack, 'Api', {
      appId: APP,
      backendEnvironmentName: 'dev',
      resourceName: 'blogapi',
      provider,
      defaultAuthType: ApiAuth.apiKey({ expiration: Duration.days(days) }),
      additionalAuthTypes: [ApiAuth.openIdConnect({ providerName: 'Auth0', issuerUrl: 'https://example.auth0.com/', authTtl: Duration.millis(ttl) })],
    });
  });
  const bad = await cloudFormation({ parameters: { KeyDays: '1.5', TtlMs: '0' } }).deploy(cdkOut);
  expect(bad.status).toBe('ROLLBACK_COMPLETE');
  expect(bad.reason).toContain('2 problems: '
    + '(1) BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got 1.5 days): '
    + 'the API key expiration must be a whole number of days from 1 to 365, e.g. Duration.days(30). '
    + '(2) BackendApiConfig: invalid additionalAuthTypes[0] ApiAuth.openIdConnect({ authTtl }) (got 0 ms): '
    + 'the token lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.');
  expect(suite.emulator.requests()).toHaveLength(0);
});

test('changing the resource name replaces the resource; the old one is deleted without a call', async () => {
  const build = (resourceName: string) => synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName, provider, defaultAuthType: ApiAuth.iam() });
  });
  const cfn = cloudFormation();
  expectOk(await cfn.deploy(build('blogapi')), 'CREATE_COMPLETE');
  const before = cfn.resources;
  const firstId = Object.values(before)[0].physicalId;
  expect(firstId).toBe(`${APP}/staging/blogapi`);

  suite.emulator.clearRequests();
  const updated = await cfn.deploy(build('shopapi'));
  expectOk(updated, 'UPDATE_COMPLETE');
  expect(Object.values(updated.resources)[0].physicalId).toBe(`${APP}/staging/shopapi`);
  expect(updated.events.map((e) => e.status)).toEqual(['UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  expect(updated.events[2].physicalId).toBe(`${APP}/staging/blogapi`);
  expect(suite.emulator.requests('UpdateBackendAPI').map((r) => (r.body as any).resourceName)).toEqual(['shopapi']);
  expect(suite.emulator.requests().map((r) => r.operation)).toEqual(['UpdateBackendAPI', 'GetBackendJob', 'GetBackendJob']);

  suite.emulator.clearRequests();
  const destroyed = await cfn.destroy();
  expect(destroyed.status).toBe('DELETE_COMPLETE');
  expect(suite.emulator.requests()).toHaveLength(0);
});

test('changing the app ID replaces the resource and calls the new app', async () => {
  const build = (appId: string) => synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId, backendEnvironmentName: 'prod', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
  });
  const cfn = cloudFormation();
  expectOk(await cfn.deploy(build(APP)), 'CREATE_COMPLETE');
  const updated = await cfn.deploy(build(OTHER_APP));
  expectOk(updated, 'UPDATE_COMPLETE');
  expect(suite.emulator.requests('UpdateBackendAPI').map((r) => r.labels.AppId)).toEqual([APP, OTHER_APP]);
  expect(suite.emulator.jobs({ appId: OTHER_APP }).map((j) => [j.backendEnvironmentName, j.status])).toEqual([['prod', 'COMPLETED']]);
});

test('an update sends the new properties and the output follows the new job', async () => {
  const build = (days: number) => synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'dev', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.apiKey({ expiration: Duration.days(days) }) });
  });
  const cfn = cloudFormation();
  const created = await cfn.deploy(build(7));
  const updated = await cfn.deploy(build(14));
  expectOk(updated, 'UPDATE_COMPLETE');
  expect(bodies('UpdateBackendAPI').map((b) => b.resourceConfig.defaultAuthType.settings.expirationTime)).toEqual([7, 14]);
  const jobs = suite.emulator.jobs({ appId: APP, backendEnvironmentName: 'dev' });
  expect(outputOf(created, 'ApiJobId')).toBe(jobs[0].jobId);
  expect(outputOf(updated, 'ApiJobId')).toBe(jobs[1].jobId);
  expect(suite.emulator.getApiConfig(APP, 'dev', 'blogapi')?.defaultAuthType?.settings?.expirationTime).toBe(14);
});

test('two constructs on one app and environment run one after the other, without a pending-job failure', async () => {
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Blog', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
    new BackendApiConfig(stack, 'Shop', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'shopapi', provider, defaultAuthType: ApiAuth.iam() });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expectOk(result, 'CREATE_COMPLETE');
  const updates = suite.emulator.requests('UpdateBackendAPI');
  expect(updates.map((r) => [(r.body as any).resourceName, r.status])).toEqual([['blogapi', 200], ['shopapi', 200]]);
  const [first] = suite.emulator.jobs({ backendEnvironmentName: 'staging' });
  expect(first.status).toBe('COMPLETED');
  expect(updates[1].time).toBeGreaterThanOrEqual(first.updateTime);
  expect(suite.emulator.requests().filter((r) => r.errorType === 'ValidationException')).toHaveLength(0);
});

test('a job started elsewhere (the Amplify CLI) is waited out on is-complete\'s polls, then the update goes through, once', async () => {
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'prod', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
  });
  const external = suite.emulator.startExternalJob(APP, 'prod');
  const deploying = cloudFormation().deploy(cdkOut);
  // The CLI's job ends only once is-complete has found it still running on a few polls.
  while (suite.emulator.requests('ListBackendJobs').length < 3) {
    await new Promise((r) => setTimeout(r, 5));
  }
  suite.emulator.completeJob(external.jobId);
  const result = await deploying;
  expectOk(result, 'CREATE_COMPLETE');
  const updates = suite.emulator.requests('UpdateBackendAPI');
  // Rejected once by on-event, then sent once by is-complete when nothing ran any more.
  expect(updates.map((r) => r.errorType ?? r.status)).toEqual(['ValidationException', 200]);
  expect((updates[0].response as any).message).toBe(pendingJobMessage(APP, 'prod'));
  expect(suite.emulator.getJob(external.jobId)?.status).toBe('COMPLETED');
  expect(suite.emulator.jobs({ appId: APP, backendEnvironmentName: 'prod' }).map((j) => [j.source, j.status])).toEqual([['external', 'COMPLETED'], ['http', 'COMPLETED']]);
});

test('throttling and 504s are retried to success', async () => {
  suite.emulator.injectFault({ kind: 'throttle', operation: 'UpdateBackendAPI', times: 2 });
  suite.emulator.injectFault({ kind: 'gatewayTimeout', operation: 'GetBackendJob', times: 2 });
  suite.emulator.injectFault({ kind: 'throttle', operation: 'UpdateBackendConfig', times: 1 });
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
    new AdminUiLoginConfig(stack, 'Login', { appId: APP, identityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678', provider });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expectOk(result, 'CREATE_COMPLETE');
  expect(suite.emulator.requests('UpdateBackendAPI').map((r) => r.status)).toEqual([429, 429, 200]);
  expect(suite.emulator.requests('GetBackendJob').map((r) => r.status).slice(0, 3)).toEqual([504, 504, 200]);
  expect(suite.emulator.requests('UpdateBackendConfig').map((r) => r.status)).toEqual([429, 200]);
  expect(suite.emulator.pendingFaults()).toBe(0);
});

test('a FAILED job fails the resource with the job\'s own message; the rollback delete makes no call', async () => {
  suite.emulator.failNextJob('Schema validation failed: Unknown type Comment');
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, transformSchema: ApiSchema.fromString('type Post @model { c: Comment }') });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/FAILED: Schema validation failed: Unknown type Comment/);
  const job = suite.emulator.jobs({ appId: APP })[0];
  expect(result.reason).toContain(job.jobId);
  expect(result.events.map((e) => e.status)).toEqual(['CREATE_IN_PROGRESS', 'CREATE_FAILED', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE']);
  // The delete of the failed resource came after the last poll and made no call.
  const lastPoll = suite.emulator.requests('GetBackendJob').pop()!;
  expect((lastPoll.response as any).status).toBe('FAILED');
  expect(suite.emulator.requests().pop()).toEqual(lastPoll);
  expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.transformSchema).toBeUndefined();
});

test('a 200 answer with a non-empty error fails the resource with that error', async () => {
  suite.emulator.injectResponseError('UpdateBackendAPI', 'Resource blogapi is locked by another deployment');
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/the service answered with an error: Resource blogapi is locked by another deployment/);
  expect(suite.emulator.requests().map((r) => [r.operation, r.status, (r.response as any)?.error])).toEqual([['UpdateBackendAPI', 200, 'Resource blogapi is locked by another deployment']]);
});

test('the service\'s own rejection reaches the reason (unknown API -> NotFoundException)', async () => {
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'nosuchapi', provider, defaultAuthType: ApiAuth.iam() });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/UpdateBackendAPI failed for app d1e2e3e4e5e6e7, environment staging, API nosuchapi: NotFoundException: /);
  expect(suite.emulator.requests('UpdateBackendAPI').map((r) => r.status)).toEqual([404]);
});

test('a job that never ends: is-complete stops waiting on its last poll before the framework\'s timeout, naming the job\'s status', async () => {
  suite.emulator.setManualJobCompletion(true);
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
  }, { queryInterval: Duration.seconds(1), totalTimeout: Duration.seconds(5) });
  const result = await cloudFormation().deploy(cdkOut);
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const [job] = suite.emulator.jobs();
  // 4 s of waits plus the functions' real run time.
  expect(result.reason).toMatch(new RegExp(`Message returned: BackendApiConfig for app ${APP}, environment staging, API blogapi: stopped waiting after [45] s `
    + `\\(the provider's totalTimeout is 5 s\\): the Amplify job ${job.jobId} is still RUNNING\\.`));
  // Polled at 0, 1, 2, 3 and 4 s; the framework's sixth poll and its "Operation timed out" never came.
  expect(suite.emulator.requests('GetBackendJob').map((r) => (r.response as any).status)).toEqual(Array(5).fill('RUNNING'));
});

test('waitForCompletion false: the status the service first returned, and no polls', async () => {
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam(), waitForCompletion: false });
  });
  const result = await cloudFormation().deploy(cdkOut);
  expectOk(result, 'CREATE_COMPLETE');
  expect(outputOf(result, 'ApiStatus')).toBe('RUNNING');
  expect(suite.emulator.requests().map((r) => r.operation)).toEqual(['UpdateBackendAPI']);
});

test('the handler logs neither the properties nor a pre-signed URL', async () => {
  const cdkOut = synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.apiKey({ description: 'secret-ish description' }) });
  });
  const cfn = cloudFormation();
  expectOk(await cfn.deploy(cdkOut), 'CREATE_COMPLETE');
  await cfn.destroy();
  // One line per handler run: the check below reads what every run logged.
  expect(cfn.handlerLogs.map((l) => JSON.parse(l)).map((l) => [l.handler, l.requestType])).toEqual([
    ['onEvent', 'Create'], ['isComplete', 'Create'], ['isComplete', 'Create'], ['onEvent', 'Delete'], ['isComplete', 'Delete'],
  ]);
  const all = cfn.handlerLogs.join('\n');
  expect(all).not.toMatch(/secret-ish|ResponseURL|X-Amz-Signature/);
});

test('a failed update rolls back: the old settings are sent again and the stack ends UPDATE_ROLLBACK_COMPLETE', async () => {
  const build = (strategy: ConflictResolutionStrategy) => synth((stack, provider) => {
    new BackendApiConfig(stack, 'Api', { appId: APP, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, conflictResolution: strategy });
  });
  const cfn = cloudFormation();
  expectOk(await cfn.deploy(build(ConflictResolutionStrategy.AUTOMERGE)), 'CREATE_COMPLETE');
  suite.emulator.failNextJob('Deployment of the API failed');
  const result = await cfn.deploy(build(ConflictResolutionStrategy.LAMBDA));
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.reason).toMatch(/FAILED: Deployment of the API failed/);
  expect(bodies('UpdateBackendAPI').map((b) => b.resourceConfig.conflictResolution.resolutionStrategy)).toEqual(['AUTOMERGE', 'LAMBDA', 'AUTOMERGE']);
  expect(suite.emulator.jobs({ appId: APP }).map((j) => j.status)).toEqual(['COMPLETED', 'FAILED', 'COMPLETED']);
  expect(suite.emulator.getApiConfig(APP, 'staging', 'blogapi')?.conflictResolution).toEqual({ resolutionStrategy: 'AUTOMERGE' });
  expect(Object.values(cfn.resources)[0].properties?.ResourceConfig).toEqual({ ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' } });
});

/**
 * Unit tests of the handler in `lambda/` with strict `aws-sdk-client-mock` stubs: any command
 * whose input differs from the one the handler must send falls through to a catch-all stub that
 * rejects, so a wrong field fails the test. The stubs compare inputs with a strict deep equality,
 * in which a key set to `undefined` counts: the expected inputs list the keys the handler sets to
 * `undefined` (the SDK leaves them off the wire). The emulator tests cover the wire format, and
 * test/handler-service.test.ts the waits, retries and job adoption against the emulator.
 * `Date.now()` is pinned to `NOW`, so on-event's `StartedAt` is known.
 */
import {
  AmplifyBackendClient,
  AmplifyBackendServiceException,
  BadRequestException,
  GatewayTimeoutException,
  GetBackendAPICommand,
  GetBackendJobCommand,
  GetBackendJobCommandInput,
  ListBackendJobsCommand,
  NotFoundException,
  TooManyRequestsException,
  UpdateBackendAPICommand,
  UpdateBackendAPICommandInput,
  UpdateBackendAPICommandOutput,
  UpdateBackendConfigCommand,
  UpdateBackendConfigCommandInput,
} from '@aws-sdk/client-amplifybackend';
import { mockClient } from 'aws-sdk-client-mock';
import type { OnEventResponse } from '../lambda/events';
import { isComplete, onEvent } from '../lambda/index';
import type {
  AdminUiLoginResourceProperties,
  AdminUiLoginResponseData,
  BackendApiResourceProperties,
  BackendApiResponseData,
} from '../src/handler-contract';
import { SERVICE_TOKEN, apiEvent, isCompleteRequest, loginEvent, onEventRequest, withResponseUrl } from './support/events';

const mock = mockClient(AmplifyBackendClient);

const APP_ID = 'd1a2b3c4d5e6f7';
const ENV = 'staging';
const RESOURCE_NAME = 'blogapi';
const API_PHYSICAL_ID = `${APP_ID}/${ENV}/${RESOURCE_NAME}`;
const JOB_ID = 'ab12cd34-0000-4000-8000-000000000001';
const USER_POOL_ID = 'us-east-1_AbCdEf123';
const IDENTITY_POOL_ID = 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678';
const WEB_CLIENT_ID = '1example23456789abcdefghij';
const TRANSFORM_SCHEMA = 'type Post @model @auth(rules: [{ allow: public }]) { id: ID! title: String! }';
const PENDING_JOB_MESSAGE = `There is already a pending job for the requested appId: ${APP_ID} and backendEnvironmentName: ${ENV}, wait for it to complete before creating a new job.`;
const RESPONSE_URL = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/secret?X-Amz-Signature=abc';
/** What `Date.now()` answers in these tests. */
const NOW = 1_700_000_000_000;
/** The state on-event hands is-complete beside Data. */
const STARTED = { StartedAt: String(NOW) };
const DEFERRED = { StartedAt: String(NOW), Deferred: true };

/** Every setting the construct can write, as CloudFormation hands it over: every scalar a string. */
const fullApiProps: BackendApiResourceProperties = {
  AppId: APP_ID,
  BackendEnvironmentName: ENV,
  ResourceName: RESOURCE_NAME,
  ResourceConfig: {
    ApiName: 'BlogApi',
    Service: 'AppSync',
    TransformSchema: TRANSFORM_SCHEMA,
    ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
    DefaultAuthType: { Mode: 'API_KEY', Settings: { Description: 'public reads', ExpirationTime: '30' } },
    AdditionalAuthTypes: [
      {
        Mode: 'OPENID_CONNECT',
        Settings: {
          OpenIDProviderName: 'Auth0',
          OpenIDIssueURL: 'https://example.auth0.com/',
          OpenIDClientId: 'oidc-client-123',
          OpenIDAuthTTL: '3600000',
          OpenIDIatTTL: '60000',
        },
      },
      { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: USER_POOL_ID } },
      { Mode: 'AWS_IAM' },
    ],
  },
  WaitForCompletion: 'true',
};

/** What UpdateBackendAPI must receive for `fullApiProps`. */
const fullApiInput: UpdateBackendAPICommandInput = {
  AppId: APP_ID,
  BackendEnvironmentName: ENV,
  ResourceName: RESOURCE_NAME,
  ResourceConfig: {
    // No ApiName: the service cannot rename an API; the name is checked with GetBackendAPI.
    Service: 'AppSync',
    TransformSchema: TRANSFORM_SCHEMA,
    ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
    // A number on the wire (a double), a string in the template.
    DefaultAuthType: { Mode: 'API_KEY', Settings: { Description: 'public reads', ExpirationTime: 30 } },
    AdditionalAuthTypes: [
      {
        Mode: 'OPENID_CONNECT',
        Settings: {
          OpenIDProviderName: 'Auth0',
          OpenIDIssueURL: 'https://example.auth0.com/',
          OpenIDClientId: 'oidc-client-123',
          // Strings in the model: they stay strings.
          OpenIDAuthTTL: '3600000',
          OpenIDIatTTL: '60000',
          ExpirationTime: undefined,
        },
      },
      { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: USER_POOL_ID, ExpirationTime: undefined } },
      { Mode: 'AWS_IAM', Settings: undefined },
    ],
  },
};

/** Only what is required: the API keeps its current configuration. */
const minimalApiProps: BackendApiResourceProperties = { AppId: APP_ID, BackendEnvironmentName: ENV, ResourceName: RESOURCE_NAME };
const minimalApiInput: UpdateBackendAPICommandInput = { AppId: APP_ID, BackendEnvironmentName: ENV, ResourceName: RESOURCE_NAME, ResourceConfig: undefined };

const jobStarted: Partial<UpdateBackendAPICommandOutput> = {
  $metadata: { httpStatusCode: 200 },
  AppId: APP_ID,
  BackendEnvironmentName: ENV,
  JobId: JOB_ID,
  Operation: 'UpdateBackendAPI',
  Status: 'RUNNING',
};

const onEventData: BackendApiResponseData = {
  AppId: APP_ID,
  BackendEnvironmentName: ENV,
  JobId: JOB_ID,
  Operation: 'UpdateBackendAPI',
  Status: 'RUNNING',
  CreateTime: '',
  UpdateTime: '',
};

const getJobInput: GetBackendJobCommandInput = { AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID };
const getApiInput = { AppId: APP_ID, BackendEnvironmentName: ENV, ResourceName: RESOURCE_NAME };
const listRunningInput = { AppId: APP_ID, BackendEnvironmentName: ENV, MaxResults: 25, NextToken: undefined, Status: 'RUNNING' };

const loginProps: AdminUiLoginResourceProperties = {
  AppId: APP_ID,
  LoginAuthConfig: {
    AwsCognitoIdentityPoolId: IDENTITY_POOL_ID,
    AwsCognitoRegion: 'us-east-1',
    AwsUserPoolsId: USER_POOL_ID,
    AwsUserPoolsWebClientId: WEB_CLIENT_ID,
  },
};
const loginInput: UpdateBackendConfigCommandInput = {
  AppId: APP_ID,
  LoginAuthConfig: {
    AwsCognitoIdentityPoolId: IDENTITY_POOL_ID,
    AwsCognitoRegion: 'us-east-1',
    AwsUserPoolsId: USER_POOL_ID,
    AwsUserPoolsWebClientId: WEB_CLIENT_ID,
  },
};
const BACKEND_MANAGER_APP_ID = 'd9z8y7x6w5v4u3';

function pendingJobError(attempts = 1): AmplifyBackendServiceException {
  // Not a modelled error: the SDK surfaces it as a generic service exception named after its code.
  return new AmplifyBackendServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts },
    message: PENDING_JOB_MESSAGE,
  });
}

const sdkErrors: Array<[string, () => Error]> = [
  ['BadRequestException', () => new BadRequestException({ message: 'Invalid resourceConfig: unknown auth mode', $metadata: {} })],
  ['NotFoundException', () => new NotFoundException({ message: `App ${APP_ID} not found`, ResourceType: 'App', $metadata: {} })],
  ['TooManyRequestsException', () => new TooManyRequestsException({ message: 'Rate exceeded', LimitType: 'RequestsPerSecond', $metadata: {} })],
  ['GatewayTimeoutException', () => new GatewayTimeoutException({ message: 'Endpoint request timed out', $metadata: {} })],
];

let logSpy: jest.SpyInstance;
const savedEnv = { ...process.env };

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  process.env.AWS_SESSION_TOKEN = 'test-session-token';
});

afterAll(() => {
  process.env = savedEnv;
  mock.restore();
});

beforeEach(() => {
  mock.reset();
  mock.onAnyCommand().rejects(new Error('unexpected AmplifyBackend call: no stub matches this command and input'));
  // The API is named as fullApiProps says: the name check passes.
  mock.on(GetBackendAPICommand, getApiInput, true).resolves({ $metadata: {}, ResourceName: RESOURCE_NAME, ResourceConfig: { ApiName: 'BlogApi' } });
  logSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(Date, 'now').mockReturnValue(NOW);
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('BackendApiConfig on-event', () => {
  test('Create sends UpdateBackendAPI with the SDK shape and returns the job', async () => {
    mock.on(UpdateBackendAPICommand, fullApiInput, true).resolves(jobStarted);

    const result = await onEvent(apiEvent.create(fullApiProps));

    expect(result).toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...STARTED, Data: onEventData });
    // GetBackendAPI (the name check), then UpdateBackendAPI.
    expect(mock.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetBackendAPICommand', 'UpdateBackendAPICommand']);
    // Exactly the SDK input: ExpirationTime a number, no WaitForCompletion or ServiceToken.
    expect(mock.commandCalls(UpdateBackendAPICommand, fullApiInput, true)).toHaveLength(1);
  });

  test('Create with only the required properties leaves ResourceConfig out; Data falls back to the properties and the operation called', async () => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).resolves({ $metadata: {}, JobId: JOB_ID });

    const result = await onEvent(apiEvent.create(minimalApiProps));

    expect(result).toStrictEqual({
      PhysicalResourceId: API_PHYSICAL_ID,
      ...STARTED,
      Data: { AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Operation: 'UpdateBackendAPI', Status: '', CreateTime: '', UpdateTime: '' },
    });
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
    expect(mock.commandCalls(GetBackendAPICommand)).toHaveLength(0);
  });

  test('Update sends the new properties, not the old ones, and keeps the physical ID', async () => {
    const newProps: BackendApiResourceProperties = {
      ...fullApiProps,
      ResourceConfig: { ...fullApiProps.ResourceConfig, ConflictResolution: { ResolutionStrategy: 'LAMBDA' } },
    };
    const newInput: UpdateBackendAPICommandInput = {
      ...fullApiInput,
      ResourceConfig: { ...fullApiInput.ResourceConfig, ConflictResolution: { ResolutionStrategy: 'LAMBDA' } },
    };
    mock.on(UpdateBackendAPICommand, newInput, true).resolves(jobStarted);

    const result = await onEvent(apiEvent.update(newProps, fullApiProps, API_PHYSICAL_ID));

    expect(result).toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...STARTED, Data: onEventData });
    expect(mock.commandCalls(UpdateBackendAPICommand, newInput, true)).toHaveLength(1);
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test('an apiName other than the live API\'s name fails before UpdateBackendAPI: the service cannot rename an API', async () => {
    const renamed: BackendApiResourceProperties = { ...fullApiProps, ResourceConfig: { ...fullApiProps.ResourceConfig, ApiName: 'NewName' } };

    await expect(onEvent(apiEvent.update(renamed, fullApiProps, API_PHYSICAL_ID))).rejects.toThrow(
      `BackendApiConfig: invalid apiName (got "NewName"): the service cannot rename an API; the API ${RESOURCE_NAME} of app ${APP_ID}, environment ${ENV} `
      + 'is named "BlogApi"; set apiName to "BlogApi" or leave it out.',
    );
    expect(mock.commandCalls(GetBackendAPICommand, getApiInput, true)).toHaveLength(1);
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(0);
  });

  test('apiName alone sends no resourceConfig: the name is checked, not sent', async () => {
    const props: BackendApiResourceProperties = { ...minimalApiProps, ResourceConfig: { ApiName: 'BlogApi' } };
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).resolves(jobStarted);

    await expect(onEvent(apiEvent.create(props))).resolves.toMatchObject({ Data: { JobId: JOB_ID } });
    expect(mock.commandCalls(UpdateBackendAPICommand, minimalApiInput, true)).toHaveLength(1);
  });

  test('a live API without a name cannot be checked, and the update goes on', async () => {
    mock.on(GetBackendAPICommand, getApiInput, true).resolves({ $metadata: {}, ResourceConfig: {} });
    mock.on(UpdateBackendAPICommand, fullApiInput, true).resolves(jobStarted);

    await expect(onEvent(apiEvent.create(fullApiProps))).resolves.toMatchObject({ Data: { JobId: JOB_ID } });
  });

  test('GetBackendAPI answering with an error fails with it', async () => {
    mock.on(GetBackendAPICommand, getApiInput, true).resolves({ $metadata: {}, Error: 'API metadata unavailable' });

    await expect(onEvent(apiEvent.create(fullApiProps))).rejects
      .toThrow(`GetBackendAPI failed for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}: the service answered with an error: API metadata unavailable`);
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(0);
  });

  test('a schema given both inline and as a file fails before any call', async () => {
    const props: BackendApiResourceProperties = { ...fullApiProps, TransformSchemaLocation: { Bucket: 'assets-bucket', Key: 'schema.graphql' } };

    await expect(onEvent(apiEvent.create(props))).rejects.toThrow(/transform schema is given both inline and as a file/);
    expect(mock.calls()).toHaveLength(0);
  });

  test.each([
    ['AppId', { AppId: 'd9newapp01' }, `d9newapp01/${ENV}/${RESOURCE_NAME}`],
    ['BackendEnvironmentName', { BackendEnvironmentName: 'prod' }, `${APP_ID}/prod/${RESOURCE_NAME}`],
    ['ResourceName', { ResourceName: 'shopapi' }, `${APP_ID}/${ENV}/shopapi`],
  ])('Update that changes %s calls UpdateBackendAPI for the new target and returns a new physical ID', async (_field, change, newPhysicalId) => {
    const newProps: BackendApiResourceProperties = { ...minimalApiProps, ...change };
    mock.on(UpdateBackendAPICommand, { ...minimalApiInput, ...change }, true).resolves({ ...jobStarted, ...change });

    const result = await onEvent(apiEvent.update(newProps, minimalApiProps, API_PHYSICAL_ID));

    expect(result.PhysicalResourceId).toBe(newPhysicalId);
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test('Delete makes no service call and returns the existing physical ID', async () => {
    const result = await onEvent(apiEvent.delete(fullApiProps, 'an-existing-physical-id'));

    expect(result).toStrictEqual({ PhysicalResourceId: 'an-existing-physical-id' });
    expect(mock.calls()).toHaveLength(0);
  });

  test('Delete neither validates nor calls, so a rollback of a rejected Create completes', async () => {
    const bad: BackendApiResourceProperties = { ...minimalApiProps, AppId: 'My App' };

    await expect(onEvent(apiEvent.delete(bad, 'the-id-cloudformation-sent'))).resolves
      .toStrictEqual({ PhysicalResourceId: 'the-id-cloudformation-sent' });
    expect(mock.calls()).toHaveLength(0);
  });

  test('a 200 answer carrying an error fails', async () => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).resolves({ ...jobStarted, Error: 'boom' });

    await expect(onEvent(apiEvent.create(minimalApiProps))).rejects.toThrow(/UpdateBackendAPI failed for .*blogapi.*: boom$/);
  });

  test('an answer without a job ID fails when the deployment must wait for the job', async () => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).resolves({ $metadata: {}, Status: 'RUNNING' });

    await expect(onEvent(apiEvent.create(minimalApiProps))).rejects.toThrow(/returned no job ID.*status: RUNNING/);
  });

  test('an answer without a job ID is enough when waitForCompletion is false', async () => {
    const props: BackendApiResourceProperties = { ...minimalApiProps, WaitForCompletion: 'false' };
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).resolves({ $metadata: {}, Status: 'RUNNING' });

    const result = await onEvent(apiEvent.create(props));

    expect(result.Data).toMatchObject({ JobId: '', Status: 'RUNNING' });
  });

  test.each(sdkErrors.slice(0, 2))('%s from UpdateBackendAPI fails with its name and the service message', async (name, error) => {
    const err = error();
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(err);

    await expect(onEvent(apiEvent.create(minimalApiProps))).rejects
      .toThrow(`UpdateBackendAPI failed for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}: ${name}: ${err.message}`);
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });
});

describe('BackendApiConfig on-event when the update cannot start now', () => {
  test.each(sdkErrors.slice(2))('%s outlasting the SDK\'s retries defers the update to is-complete, without Data', async (_name, error) => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(error());

    await expect(onEvent(apiEvent.create(minimalApiProps))).resolves.toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test.each([
    ['ECONNRESET', 'socket hang up'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 52.94.0.1:443'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'],
    ['EPIPE', 'write EPIPE'],
  ])('a network error is recognised by its code (%s), not its name, and defers', async (code, message) => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(Object.assign(new Error(message), { code }));

    await expect(onEvent(apiEvent.create(minimalApiProps))).resolves.toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
  });

  test('another pending job: on-event tries once, finds no job of its own running, and defers', async () => {
    mock.on(UpdateBackendAPICommand, fullApiInput, true).rejects(pendingJobError());
    mock.on(ListBackendJobsCommand, listRunningInput, true).resolves({
      $metadata: {},
      Jobs: [{ AppId: APP_ID, BackendEnvironmentName: ENV, JobId: 'cli-job', Operation: 'UpdateBackendAPI', Status: 'RUNNING', CreateTime: String(NOW - 60_000) }],
    });

    const result = await onEvent(apiEvent.create(fullApiProps));

    expect(result).toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test('another pending job that its own first attempt started (created since on-event began) is followed, not duplicated', async () => {
    // The SDK's second attempt met the refusal: the first may have started the job.
    mock.on(UpdateBackendAPICommand, fullApiInput, true).rejects(pendingJobError(2));
    mock.on(ListBackendJobsCommand, listRunningInput, true).resolves({
      $metadata: {},
      Jobs: [{ AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Operation: 'UpdateBackendAPI', Status: 'RUNNING', CreateTime: String(NOW + 200) }],
    });

    const result = await onEvent(apiEvent.create(fullApiProps));

    expect(result).toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...STARTED, Data: { ...onEventData, CreateTime: String(NOW + 200) } });
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test('a refusal at the first attempt is never taken for a job of its own, however recent the running job', async () => {
    mock.on(UpdateBackendAPICommand, fullApiInput, true).rejects(pendingJobError(1));
    mock.on(ListBackendJobsCommand).resolves({
      $metadata: {},
      Jobs: [{ AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Operation: 'UpdateBackendAPI', Status: 'RUNNING', CreateTime: String(NOW + 200) }],
    });

    await expect(onEvent(apiEvent.create(fullApiProps))).resolves.toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
    expect(mock.commandCalls(ListBackendJobsCommand)).toHaveLength(0);
  });

  test('a failed ListBackendJobs after a pending-job answer still defers (the polls list again)', async () => {
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(pendingJobError(2));
    mock.on(ListBackendJobsCommand, listRunningInput, true).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(onEvent(apiEvent.create(minimalApiProps))).resolves.toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
  });

  test('a ValidationException for another reason is final', async () => {
    const other = new AmplifyBackendServiceException({
      name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'transformSchema is not valid GraphQL',
    });
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(other);

    await expect(onEvent(apiEvent.create(minimalApiProps))).rejects
      .toThrow('ValidationException: transformSchema is not valid GraphQL');
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(1);
  });

  test('AccessDenied within a minute of the start defers (IAM catching up); later it fails with the grant to check', async () => {
    const denied = () => new AmplifyBackendServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'User: arn:aws:sts::123456789012:assumed-role/handler/fn is not authorized to perform: amplifybackend:UpdateBackendAPI',
    });
    mock.on(UpdateBackendAPICommand, minimalApiInput, true).rejects(denied());
    await expect(onEvent(apiEvent.create(minimalApiProps))).resolves.toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });

    // A poll 61 s later meets it again: final, with the service's message and the grant to check.
    mock.on(ListBackendJobsCommand, { ...listRunningInput, Status: undefined }, true).resolves({ $metadata: {}, Jobs: [] });
    jest.spyOn(Date, 'now').mockReturnValue(NOW + 61_000);
    const poll = isCompleteRequest(apiEvent.create(minimalApiProps), { PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
    await expect(isComplete(poll)).rejects.toThrow(
      `UpdateBackendAPI failed for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/handler/fn `
      + 'is not authorized to perform: amplifybackend:UpdateBackendAPI (check that the provider\'s role allows amplifybackend:UpdateBackendAPI on '
      + `arn:<partition>:amplifybackend:<region>:<account>:/backend/${APP_ID}/*;`,
    );
  });
});

describe('BackendApiConfig validation in the handler (values that were tokens at synth time)', () => {
  const apiKey = (expiration: string): BackendApiResourceProperties => ({
    ...minimalApiProps,
    ResourceConfig: { DefaultAuthType: { Mode: 'API_KEY', Settings: { ExpirationTime: expiration } } },
  });
  const oidc = (issuer: string, ttls: { OpenIDAuthTTL?: string; OpenIDIatTTL?: string } = {}): BackendApiResourceProperties => ({
    ...minimalApiProps,
    ResourceConfig: { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Auth0', OpenIDIssueURL: issuer, ...ttls } } },
  });
  const EXPIRATION_FIX = 'the API key expiration must be a whole number of days from 1 to 365, e.g. Duration.days(30).';
  const TTL_FIX = 'lifetime is a whole number of milliseconds, at least 1 (0 would refuse every token); use e.g. Duration.hours(1), or leave it out for no limit.';

  test.each<[string, BackendApiResourceProperties, string]>([
    ['appId', { ...minimalApiProps, AppId: 'My App' }, 'BackendApiConfig: invalid appId (got "My App")'],
    ['backendEnvironmentName', { ...minimalApiProps, BackendEnvironmentName: 'my env' }, 'BackendApiConfig: invalid backendEnvironmentName (got "my env")'],
    ['resourceName', { ...minimalApiProps, ResourceName: 'blog-api' }, 'BackendApiConfig: invalid resourceName (got "blog-api")'],
    ['API key expiration', apiKey('400'), `BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got 400 days): ${EXPIRATION_FIX}`],
    ['API key expiration in part days', apiKey('1.5'), `BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got 1.5 days): ${EXPIRATION_FIX}`],
    ['API key expiration that is no number', apiKey('30d'), `BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got "30d"): ${EXPIRATION_FIX}`],
    ['OIDC authTtl', oidc('https://example.auth0.com/', { OpenIDAuthTTL: '0' }),
      `BackendApiConfig: invalid defaultAuthType ApiAuth.openIdConnect({ authTtl }) (got 0 ms): the token ${TTL_FIX}`],
    ['OIDC iatTtl', oidc('https://example.auth0.com/', { OpenIDIatTTL: '1.5' }),
      `BackendApiConfig: invalid defaultAuthType ApiAuth.openIdConnect({ iatTtl }) (got 1.5 ms): the issued-at ${TTL_FIX}`],
    ['OIDC issuer URL', oidc('http://x'), 'BackendApiConfig: invalid defaultAuthType ApiAuth.openIdConnect({ issuerUrl }) (got "http://x")'],
    ['conflict resolution', { ...minimalApiProps, ResourceConfig: { ConflictResolution: { ResolutionStrategy: 'LAST_WRITER_WINS' } } },
      'BackendApiConfig: invalid conflictResolution (got "LAST_WRITER_WINS")'],
    ['waitForCompletion', { ...minimalApiProps, WaitForCompletion: 'yes' }, 'BackendApiConfig: invalid waitForCompletion (got "yes")'],
  ])('rejects a bad %s, naming the prop and the value, without calling the service', async (_what, props, message) => {
    await expect(onEvent(apiEvent.create(props))).rejects.toThrow(message);
    await expect(onEvent(apiEvent.update(props, minimalApiProps, API_PHYSICAL_ID))).rejects.toThrow(message);
    expect(mock.calls()).toHaveLength(0);
  });

  test('reports every broken rule at once', async () => {
    const props: BackendApiResourceProperties = { ...apiKey('0'), AppId: 'My App' };

    const error = await onEvent(apiEvent.create(props)).catch((e: Error) => e);

    expect(error).toBeInstanceOf(Error);
    // One line: a multi-line message would come back again in the trace the framework appends.
    expect((error as Error).message).toMatch(/^2 problems: \(1\) BackendApiConfig: invalid appId .* \(2\) BackendApiConfig: invalid defaultAuthType /);
    expect((error as Error).message).toContain(`(2) BackendApiConfig: invalid defaultAuthType ApiAuth.apiKey({ expiration }) (got 0 days): ${EXPIRATION_FIX}`);
    expect((error as Error).message).not.toContain('\n');
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('BackendApiConfig is-complete', () => {
  const created = (props: BackendApiResourceProperties = fullApiProps) =>
    isCompleteRequest(apiEvent.create(props), { PhysicalResourceId: API_PHYSICAL_ID, ...STARTED, Data: onEventData });

  test('a COMPLETED job is complete, with the job status and times', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({
      $metadata: {},
      AppId: APP_ID,
      BackendEnvironmentName: ENV,
      JobId: JOB_ID,
      Operation: 'UpdateBackendAPI',
      Status: 'COMPLETED',
      CreateTime: '1633594108726',
      UpdateTime: '1633594208726',
    });

    const result = await isComplete(created());

    expect(result).toStrictEqual({
      IsComplete: true,
      Data: { ...onEventData, Status: 'COMPLETED', CreateTime: '1633594108726', UpdateTime: '1633594208726' },
    });
    expect(mock.commandCalls(GetBackendJobCommand, getJobInput, true)).toHaveLength(1);
  });

  test('after an Update it follows the job on the new app and environment', async () => {
    const newProps: BackendApiResourceProperties = { ...minimalApiProps, AppId: 'd9newapp01', BackendEnvironmentName: 'prod' };
    const event = isCompleteRequest(apiEvent.update(newProps, minimalApiProps, API_PHYSICAL_ID), {
      PhysicalResourceId: `d9newapp01/prod/${RESOURCE_NAME}`,
      ...STARTED,
      Data: { ...onEventData, AppId: 'd9newapp01', BackendEnvironmentName: 'prod', JobId: 'job-2' },
    });
    mock.on(GetBackendJobCommand, { AppId: 'd9newapp01', BackendEnvironmentName: 'prod', JobId: 'job-2' }, true)
      .resolves({ $metadata: {}, Status: 'COMPLETED' });

    const result = await isComplete(event);

    expect(result).toStrictEqual({ IsComplete: true, Data: { ...onEventData, AppId: 'd9newapp01', BackendEnvironmentName: 'prod', JobId: 'job-2', Status: 'COMPLETED' } });
    expect(mock.calls()).toHaveLength(1);
  });

  test.each(['RUNNING', 'PENDING', undefined])('a job with status %s is not complete yet', async (status) => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({ $metadata: {}, JobId: JOB_ID, Status: status });

    // No Data: the Provider framework rejects Data while IsComplete is false.
    await expect(isComplete(created())).resolves.toStrictEqual({ IsComplete: false });
    expect(mock.commandCalls(GetBackendJobCommand, getJobInput, true)).toHaveLength(1);
  });

  test('a FAILED job fails the deployment with the job error and ID', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({
      $metadata: {},
      JobId: JOB_ID,
      Operation: 'UpdateBackendAPI',
      Status: 'FAILED',
      Error: 'Schema validation failed: Unknown directive "@modle"',
    });

    await expect(isComplete(created())).rejects.toThrow(
      `The Amplify job ${JOB_ID} (UpdateBackendAPI) for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME} FAILED: Schema validation failed: Unknown directive "@modle"`,
    );
  });

  test('a FAILED job without an error still fails', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({ $metadata: {}, Status: 'FAILED' });

    await expect(isComplete(created())).rejects.toThrow(new RegExp(`job ${JOB_ID} .*FAILED: the service gave no reason`));
  });

  test('a COMPLETED job that carries an error fails', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({ $metadata: {}, Status: 'COMPLETED', Error: 'API key could not be rotated' });

    await expect(isComplete(created())).rejects.toThrow(new RegExp(`job ${JOB_ID} .*reported an error \\(status COMPLETED\\): API key could not be rotated`));
  });

  test.each<[string, () => Error]>([
    ['NotFoundException (job not visible yet)', () => new NotFoundException({ message: `Job ${JOB_ID} not found`, ResourceType: 'Job', $metadata: {} })],
    ['TooManyRequestsException', () => new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} })],
    ['GatewayTimeoutException', () => new GatewayTimeoutException({ message: 'Endpoint request timed out', $metadata: {} })],
    ['an unmodelled 5xx', () => new AmplifyBackendServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'try later' })],
    ['ECONNRESET by its code', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    // The SDK names ECONNRESET, ECONNREFUSED, EPIPE and ETIMEDOUT "TimeoutError"; these it leaves as they are.
    ['EHOSTUNREACH by its code', () => Object.assign(new Error('connect EHOSTUNREACH 52.94.0.1:443'), { code: 'EHOSTUNREACH' })],
    ['EAI_AGAIN by its code', () => Object.assign(new Error('getaddrinfo EAI_AGAIN amplifybackend.us-east-1.amazonaws.com'), { code: 'EAI_AGAIN' })],
    ['a request timeout (TimeoutError)', () => Object.assign(new Error('a request has exceeded the configured 20000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
  ])('%s from GetBackendJob means poll again', async (_name, error) => {
    mock.on(GetBackendJobCommand, getJobInput, true).rejects(error());

    await expect(isComplete(created())).resolves.toStrictEqual({ IsComplete: false });
    expect(mock.commandCalls(GetBackendJobCommand)).toHaveLength(1);
  });

  test('NotFound from GetBackendJob two minutes after the start fails with the service message, not an hour later', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).rejects(new NotFoundException({ message: `Job ${JOB_ID} not found`, ResourceType: 'Job', $metadata: {} }));
    jest.spyOn(Date, 'now').mockReturnValue(NOW + 120_000);

    await expect(isComplete(created())).rejects.toThrow(
      `GetBackendJob failed for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}, job ${JOB_ID}: NotFoundException: Job ${JOB_ID} not found `
      + '(still not found 120 s after the job was started)',
    );
  });

  test('AccessDenied from GetBackendJob is polled again within a minute of the start, then fails naming the grant', async () => {
    const denied = new AmplifyBackendServiceException({
      name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform: amplifybackend:GetBackendJob',
    });
    mock.on(GetBackendJobCommand, getJobInput, true).rejects(denied);

    jest.spyOn(Date, 'now').mockReturnValue(NOW + 59_000);
    await expect(isComplete(created())).resolves.toStrictEqual({ IsComplete: false });
    jest.spyOn(Date, 'now').mockReturnValue(NOW + 60_000);
    await expect(isComplete(created())).rejects.toThrow(/GetBackendJob failed .*AccessDeniedException: not authorized .*\(check that the provider's role allows amplifybackend:GetBackendJob on/);
  });

  test('BadRequestException from GetBackendJob fails with the service message', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).rejects(new BadRequestException({ message: 'Invalid jobId', $metadata: {} }));

    await expect(isComplete(created())).rejects.toThrow(
      `GetBackendJob failed for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}, job ${JOB_ID}: BadRequestException: Invalid jobId`,
    );
  });

  test('a job found by the listing after a deferred start, which the service names without an operation, reads as UpdateBackendAPI, the operation called', async () => {
    const ownJob = { AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Status: 'RUNNING', CreateTime: String(NOW + 5) };
    mock.on(ListBackendJobsCommand, { ...listRunningInput, Status: undefined }, true).resolves({ $metadata: {}, Jobs: [ownJob] });
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({ $metadata: {}, Status: 'COMPLETED' });
    const poll = isCompleteRequest(apiEvent.create(minimalApiProps), { PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });

    await expect(isComplete(poll)).resolves.toStrictEqual({
      IsComplete: true,
      Data: { AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Operation: 'UpdateBackendAPI', Status: 'COMPLETED', CreateTime: '', UpdateTime: '' },
    });
  });

  test('waitForCompletion false is complete at once, without a call', async () => {
    await expect(isComplete(created({ ...fullApiProps, WaitForCompletion: 'false' }))).resolves.toStrictEqual({ IsComplete: true });
    expect(mock.calls()).toHaveLength(0);
  });

  test('Delete is complete at once, without a call', async () => {
    const event = isCompleteRequest(apiEvent.delete(fullApiProps, API_PHYSICAL_ID), { PhysicalResourceId: API_PHYSICAL_ID });

    await expect(isComplete(event)).resolves.toStrictEqual({ IsComplete: true });
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('is-complete stops waiting by itself just before the framework\'s bare "Operation timed out"', () => {
  // The provider sets these: 50 minutes of waiting, a poll every 30 s.
  const TOTAL = 50 * 60_000;
  const INTERVAL = 30_000;
  beforeEach(() => {
    process.env.TOTAL_TIMEOUT_MS = String(TOTAL);
    process.env.QUERY_INTERVAL_MS = String(INTERVAL);
  });
  afterEach(() => {
    delete process.env.TOTAL_TIMEOUT_MS;
    delete process.env.QUERY_INTERVAL_MS;
  });
  const polled = isCompleteRequest(apiEvent.create(minimalApiProps), { PhysicalResourceId: API_PHYSICAL_ID, ...STARTED, Data: onEventData });

  test('a job still RUNNING when the next poll may come too late: fails naming the job and its status', async () => {
    mock.on(GetBackendJobCommand, getJobInput, true).resolves({ $metadata: {}, JobId: JOB_ID, Status: 'RUNNING' });

    jest.spyOn(Date, 'now').mockReturnValue(NOW + TOTAL - INTERVAL - 1);
    await expect(isComplete(polled)).resolves.toStrictEqual({ IsComplete: false });
    jest.spyOn(Date, 'now').mockReturnValue(NOW + TOTAL - INTERVAL);
    await expect(isComplete(polled)).rejects.toThrow(
      `BackendApiConfig for app ${APP_ID}, environment ${ENV}, API ${RESOURCE_NAME}: stopped waiting after 49 min 30 s (the provider's totalTimeout is 50 min): `
      + `the Amplify job ${JOB_ID} is still RUNNING. The job goes on in the service: once it has ended, deploy again; raise the provider's totalTimeout if jobs this long are normal.`,
    );
  });

  test('a deferred update still blocked by another job: fails naming that job, and says nothing was changed', async () => {
    mock.on(ListBackendJobsCommand, { ...listRunningInput, Status: undefined }, true).resolves({
      $metadata: {},
      Jobs: [{ AppId: APP_ID, BackendEnvironmentName: ENV, JobId: 'cli-job', Operation: 'UpdateBackendAuth', Status: 'RUNNING', CreateTime: String(NOW - 60_000) }],
    });
    jest.spyOn(Date, 'now').mockReturnValue(NOW + TOTAL);
    const poll = isCompleteRequest(apiEvent.create(minimalApiProps), { PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });

    await expect(isComplete(poll)).rejects.toThrow(
      'stopped waiting after 50 min (the provider\'s totalTimeout is 50 min): another job, cli-job (UpdateBackendAuth), is still RUNNING on the app and environment, '
      + 'so the update was never started. Nothing was changed: deploy again once the app and environment are free. A job that never ends has to be ended by AWS Support.',
    );
    expect(mock.commandCalls(UpdateBackendAPICommand)).toHaveLength(0);
  });

  test('a deferred UpdateBackendConfig still throttled: fails with the last error', async () => {
    mock.on(UpdateBackendConfigCommand, loginInput, true).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    jest.spyOn(Date, 'now').mockReturnValue(NOW + TOTAL);
    const poll = isCompleteRequest(loginEvent.create(loginProps), { PhysicalResourceId: APP_ID, ...DEFERRED });

    await expect(isComplete(poll)).rejects.toThrow(
      `AdminUiLoginConfig for app ${APP_ID}: stopped trying after 50 min (the provider's totalTimeout is 50 min): `
      + `UpdateBackendConfig failed for app ${APP_ID}: TooManyRequestsException: Rate exceeded. Nothing was changed: deploy again.`,
    );
  });
});

describe('AdminUiLoginConfig', () => {
  const loginResponse = {
    $metadata: { httpStatusCode: 200 },
    AppId: APP_ID,
    BackendManagerAppId: BACKEND_MANAGER_APP_ID,
    LoginAuthConfig: { ...loginInput.LoginAuthConfig },
  };
  const loginData: AdminUiLoginResponseData = {
    AppId: APP_ID,
    BackendManagerAppId: BACKEND_MANAGER_APP_ID,
    AwsCognitoIdentityPoolId: IDENTITY_POOL_ID,
    AwsCognitoRegion: 'us-east-1',
    AwsUserPoolsId: USER_POOL_ID,
    AwsUserPoolsWebClientId: WEB_CLIENT_ID,
  };

  test('Create sends UpdateBackendConfig and returns what the service applied', async () => {
    mock.on(UpdateBackendConfigCommand, loginInput, true).resolves(loginResponse);

    const result = await onEvent(loginEvent.create(loginProps));

    expect(result).toStrictEqual({ PhysicalResourceId: APP_ID, ...STARTED, Data: loginData });
    expect(mock.commandCalls(UpdateBackendConfigCommand, loginInput, true)).toHaveLength(1);
    expect(mock.calls()).toHaveLength(1);
  });

  test('Data holds what the service applied, not what was sent; keys it does not return are empty strings', async () => {
    const props: AdminUiLoginResourceProperties = { AppId: APP_ID, LoginAuthConfig: { AwsCognitoIdentityPoolId: IDENTITY_POOL_ID, AwsCognitoRegion: 'us-east-1' } };
    mock.on(UpdateBackendConfigCommand, { AppId: APP_ID, LoginAuthConfig: { AwsCognitoIdentityPoolId: IDENTITY_POOL_ID, AwsCognitoRegion: 'us-east-1' } }, true)
      .resolves({ $metadata: {}, LoginAuthConfig: { AwsCognitoIdentityPoolId: IDENTITY_POOL_ID } });

    const result = await onEvent(loginEvent.create(props));

    expect(result).toStrictEqual({
      PhysicalResourceId: APP_ID,
      ...STARTED,
      Data: {
        AppId: APP_ID,
        BackendManagerAppId: '',
        AwsCognitoIdentityPoolId: IDENTITY_POOL_ID,
        AwsCognitoRegion: '',
        AwsUserPoolsId: '',
        AwsUserPoolsWebClientId: '',
      },
    });
  });

  test('Update sends the new settings; a new app ID is a new physical ID', async () => {
    const newProps: AdminUiLoginResourceProperties = {
      AppId: 'd9newapp01',
      LoginAuthConfig: { AwsUserPoolsId: 'us-east-1_NewPool9', AwsUserPoolsWebClientId: 'newclient123' },
    };
    mock.on(UpdateBackendConfigCommand, { AppId: 'd9newapp01', LoginAuthConfig: { AwsUserPoolsId: 'us-east-1_NewPool9', AwsUserPoolsWebClientId: 'newclient123' } }, true)
      .resolves({ $metadata: {}, AppId: 'd9newapp01', BackendManagerAppId: BACKEND_MANAGER_APP_ID, LoginAuthConfig: { AwsUserPoolsId: 'us-east-1_NewPool9', AwsUserPoolsWebClientId: 'newclient123' } });

    const result: OnEventResponse<unknown> = await onEvent(loginEvent.update(newProps, loginProps, APP_ID));

    expect(result).toStrictEqual({
      PhysicalResourceId: 'd9newapp01',
      ...STARTED,
      Data: {
        AppId: 'd9newapp01',
        BackendManagerAppId: BACKEND_MANAGER_APP_ID,
        AwsCognitoIdentityPoolId: '',
        AwsCognitoRegion: '',
        AwsUserPoolsId: 'us-east-1_NewPool9',
        AwsUserPoolsWebClientId: 'newclient123',
      },
    });
    expect(mock.calls()).toHaveLength(1);
  });

  test('Delete makes no service call and returns the existing physical ID', async () => {
    await expect(onEvent(loginEvent.delete(loginProps, 'd0oldapp01'))).resolves.toStrictEqual({ PhysicalResourceId: 'd0oldapp01' });
    expect(mock.calls()).toHaveLength(0);
  });

  test('is-complete is true at once, without a call, when on-event applied the settings', async () => {
    const event = isCompleteRequest(loginEvent.create(loginProps), { PhysicalResourceId: APP_ID, ...STARTED, Data: loginData });

    await expect(isComplete(event)).resolves.toStrictEqual({ IsComplete: true });
    expect(mock.calls()).toHaveLength(0);
  });

  test('a 200 answer carrying an error fails', async () => {
    mock.on(UpdateBackendConfigCommand, loginInput, true).resolves({ ...loginResponse, Error: 'user pool not found' });

    await expect(onEvent(loginEvent.create(loginProps))).rejects
      .toThrow(`UpdateBackendConfig failed for app ${APP_ID}: the service answered with an error: user pool not found`);
  });

  test.each(sdkErrors.slice(0, 2))('%s from UpdateBackendConfig fails with its name and the service message', async (name, error) => {
    const err = error();
    mock.on(UpdateBackendConfigCommand, loginInput, true).rejects(err);

    await expect(onEvent(loginEvent.create(loginProps))).rejects
      .toThrow(`UpdateBackendConfig failed for app ${APP_ID}: ${name}: ${err.message}`);
  });

  test.each(sdkErrors.slice(2))('%s outlasting the SDK\'s retries defers UpdateBackendConfig; is-complete sends it again until it succeeds', async (_name, error) => {
    mock.on(UpdateBackendConfigCommand, loginInput, true).rejects(error());

    const deferred = await onEvent(loginEvent.create(loginProps));
    expect(deferred).toStrictEqual({ PhysicalResourceId: APP_ID, ...DEFERRED });

    const poll = isCompleteRequest(loginEvent.create(loginProps), deferred);
    await expect(isComplete(poll)).resolves.toStrictEqual({ IsComplete: false });
    mock.on(UpdateBackendConfigCommand, loginInput, true).resolves(loginResponse);
    await expect(isComplete(poll)).resolves.toStrictEqual({ IsComplete: true, Data: loginData });
    expect(mock.commandCalls(UpdateBackendConfigCommand, loginInput, true)).toHaveLength(3);
  });

  test('a deferred UpdateBackendConfig that meets a final error on a poll fails with it', async () => {
    mock.on(UpdateBackendConfigCommand, loginInput, true).rejects(new BadRequestException({ message: 'user pool not found', $metadata: {} }));
    const poll = isCompleteRequest(loginEvent.create(loginProps), { PhysicalResourceId: APP_ID, ...DEFERRED });

    await expect(isComplete(poll)).rejects.toThrow(`UpdateBackendConfig failed for app ${APP_ID}: BadRequestException: user pool not found`);
  });

  test.each<[string, AdminUiLoginResourceProperties, string]>([
    ['cognitoRegion', { AppId: APP_ID, LoginAuthConfig: { AwsCognitoIdentityPoolId: IDENTITY_POOL_ID, AwsCognitoRegion: 'useast1' } },
      'AdminUiLoginConfig: invalid cognitoRegion (got "useast1")'],
    ['appId', { ...loginProps, AppId: 'arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3c4d5e6f7' },
      'AdminUiLoginConfig: invalid appId (got "arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3c4d5e6f7")'],
    ['userPool.userPoolId', { AppId: APP_ID, LoginAuthConfig: { AwsUserPoolsId: 'AbCdEf123' } }, 'AdminUiLoginConfig: invalid userPool.userPoolId (got "AbCdEf123")'],
    ['cognitoRegion vs the pool region', { AppId: APP_ID, LoginAuthConfig: { AwsUserPoolsId: USER_POOL_ID, AwsCognitoRegion: 'eu-west-1' } },
      'AdminUiLoginConfig: invalid cognitoRegion (got "eu-west-1")'],
  ])('rejects a bad %s, naming the prop and the value, without calling the service', async (_what, props, message) => {
    await expect(onEvent(loginEvent.create(props))).rejects.toThrow(message);
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('dispatch', () => {
  test('an unknown resource type fails on-event and is-complete, without a call', async () => {
    const event = onEventRequest('Custom::SomethingElse', 'Create', minimalApiProps);

    await expect(onEvent(event)).rejects.toThrow('unknown resource type Custom::SomethingElse');
    await expect(isComplete(isCompleteRequest(event, { PhysicalResourceId: 'x' }))).rejects.toThrow('unknown resource type Custom::SomethingElse');
    expect(mock.calls()).toHaveLength(0);
  });
});

describe('logging', () => {
  test('one JSON line per event, none holding the ResponseURL, the properties or the schema', async () => {
    const errorSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const warnSpy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    // Create: deferred (another job pending), then started and followed by is-complete.
    mock.on(UpdateBackendAPICommand, fullApiInput, true).rejectsOnce(pendingJobError()).resolves(jobStarted);
    mock.on(ListBackendJobsCommand, listRunningInput, true).resolves({ $metadata: {}, Jobs: [] });
    const ownJob = { AppId: APP_ID, BackendEnvironmentName: ENV, JobId: JOB_ID, Operation: 'UpdateBackendAPI', CreateTime: String(NOW + 5) };
    mock.on(ListBackendJobsCommand, { ...listRunningInput, Status: undefined }, true)
      .resolvesOnce({ $metadata: {}, Jobs: [] })
      .resolvesOnce({ $metadata: {}, Jobs: [{ ...ownJob, Status: 'RUNNING' }] })
      .resolves({ $metadata: {}, Jobs: [{ ...ownJob, Status: 'COMPLETED' }] });
    // Update: started at once, then followed with GetBackendJob.
    mock.on(GetBackendJobCommand, getJobInput, true)
      .rejectsOnce(new NotFoundException({ message: 'not yet', $metadata: {} }))
      .resolvesOnce({ $metadata: {}, Status: 'RUNNING' })
      .resolves({ $metadata: {}, Status: 'COMPLETED' });
    mock.on(UpdateBackendConfigCommand, loginInput, true).resolves({ $metadata: {}, LoginAuthConfig: loginInput.LoginAuthConfig });

    const create = withResponseUrl(apiEvent.create(fullApiProps), RESPONSE_URL);
    const created = await onEvent(create);
    expect(created).toStrictEqual({ PhysicalResourceId: API_PHYSICAL_ID, ...DEFERRED });
    const polls = [];
    for (let i = 0; i < 3; i++) polls.push(await isComplete(isCompleteRequest(create, created)));
    expect(polls.map((r) => r.IsComplete)).toEqual([false, false, true]);
    const update = withResponseUrl(apiEvent.update(fullApiProps, minimalApiProps, API_PHYSICAL_ID), RESPONSE_URL);
    const updated = await onEvent(update);
    for (let i = 0; i < 3; i++) await isComplete(isCompleteRequest(update, updated));
    await onEvent(withResponseUrl(apiEvent.delete(fullApiProps, API_PHYSICAL_ID), RESPONSE_URL));
    const login = withResponseUrl(loginEvent.create(loginProps), RESPONSE_URL);
    await isComplete(isCompleteRequest(login, await onEvent(login)));
    await onEvent(withResponseUrl(loginEvent.delete(loginProps, APP_ID), RESPONSE_URL));
    // A failure logs its full text on the same line.
    await expect(onEvent(withResponseUrl(apiEvent.create({ ...fullApiProps, AppId: 'My App' }), RESPONSE_URL))).rejects.toThrow();

    const lines = [logSpy, errorSpy, warnSpy].flatMap((spy) => spy.mock.calls.map((args: unknown[]) => args.map(String).join(' ')));
    // Exactly one line per run of a handler: 1 + 3, 1 + 3, 1, 1 + 1, 1, 1.
    expect(lines).toHaveLength(13);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((l) => l.handler)).toEqual([
      'onEvent', 'isComplete', 'isComplete', 'isComplete', 'onEvent', 'isComplete', 'isComplete', 'isComplete', 'onEvent', 'onEvent', 'isComplete', 'onEvent', 'onEvent',
    ]);
    expect(parsed[0]).toMatchObject({ requestType: 'Create', outcome: 'deferred to is-complete', error: `ValidationException: ${PENDING_JOB_MESSAGE}` });
    expect(parsed[1]).toMatchObject({ outcome: 'job started', jobId: JOB_ID });
    expect(parsed[2]).toMatchObject({ jobId: JOB_ID, status: 'RUNNING' });
    expect(parsed[12]).toMatchObject({ outcome: 'failed', error: expect.stringContaining('invalid appId (got "My App")') });
    const secrets = [
      RESPONSE_URL,
      'X-Amz-Signature',
      'cloudformation-custom-resource-response',
      'ResponseURL',
      'ResourceProperties',
      SERVICE_TOKEN,
      TRANSFORM_SCHEMA,
      'public reads',
      'oidc-client-123',
      'example.auth0.com',
      USER_POOL_ID,
      IDENTITY_POOL_ID,
      WEB_CLIENT_ID,
    ];
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });
});

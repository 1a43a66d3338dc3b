/**
 * The handler in `lambda/` against the AmplifyBackend emulator over HTTP, with the real SDK client
 * (its retries, its HTTP handler): waiting for another job in is-complete, finding this resource's
 * job by ListBackendJobs instead of starting a second one, what is retried and what is final,
 * and the client's request timeouts.
 *
 * The handler's client goes through `FaultyNetwork`, a small HTTP proxy in front of the emulator
 * that can lose an answer after the emulator acted on the request (the client sees ECONNRESET, as
 * when a connection breaks after the service started a job) or reset a connection at once.
 * Calls are made the way the Provider framework makes them: on-event, then is-complete polls, each
 * with the same input, on-event's answer merged over the request.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { types } from 'node:util';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import type { IsCompleteResponse, OnEventResponse } from '../lambda/events';
import { isComplete, onEvent } from '../lambda/index';
import { amplifyBackend } from '../lambda/service';
import type { AdminUiLoginResourceProperties, BackendApiResourceProperties, BackendApiResponseData } from '../src/handler-contract';
import { AmplifyBackendEmulator, OperationName, pendingJobMessage } from './support/emulator';
import { ApiEvent, apiEvent, isCompleteRequest, loginEvent } from './support/events';

const APP = 'd1a2b3c4d5e6f7';
const ENV = 'staging';
const API = 'blogapi';
const PHYSICAL_ID = `${APP}/${ENV}/${API}`;

const ROUTES: Record<string, RegExp> = {
  UpdateBackendAPI: /^POST \/backend\/[^/]+\/api\/[^/]+$/,
  GetBackendJob: /^GET \/backend\/[^/]+\/job\/[^/]+\/[^/]+$/,
  ListBackendJobs: /^POST \/backend\/[^/]+\/job\/[^/]+$/,
};

/** An HTTP proxy in front of the emulator that can break connections on purpose. */
class FaultyNetwork {
  static async start(target: string): Promise<FaultyNetwork> {
    const network = new FaultyNetwork(target);
    await new Promise<void>((resolve) => network.server.listen(0, '127.0.0.1', resolve));
    network.endpoint = `http://127.0.0.1:${(network.server.address() as AddressInfo).port}`;
    return network;
  }

  endpoint = '';
  private readonly server: http.Server;
  private rules: Array<{ operation: string; action: 'lose-answer' | 'reset'; times: number }> = [];

  private constructor(private readonly target: string) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.forward(req, res, Buffer.concat(chunks)));
    });
  }

  /** The next `times` calls of `operation`: 'reset' never reach the emulator; 'lose-answer' do, but their answer is lost. */
  fail(operation: string, action: 'lose-answer' | 'reset', times = 1): void {
    this.rules.push({ operation, action, times });
  }

  clear(): void {
    this.rules = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const line = `${req.method} ${(req.url ?? '').split('?')[0]}`;
    const rule = this.rules.find((r) => r.times > 0 && ROUTES[r.operation]?.test(line));
    if (rule) rule.times--;
    if (rule?.action === 'reset') {
      req.socket.destroy();
      return;
    }
    const upstream = http.request(`${this.target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        if (rule?.action === 'lose-answer') {
          res.socket?.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        res.end(Buffer.concat(parts));
      });
    });
    upstream.end(body);
  }
}

let emulator: AmplifyBackendEmulator;
let network: FaultyNetwork;
const savedEnv = { ...process.env };

/**
 * Jest runs a test file in a realm of its own, while Node's `http` module throws its socket errors
 * (ECONNRESET...) from the main realm: `err instanceof Error` is false for them here, and the SDK's
 * retry middleware (`asSdkError`) would replace such an error by a new one without its `code`.
 * Lambda runs one realm, where they are Errors: recognise them as such, as Lambda would.
 */
function recogniseErrorsOfEveryRealm(): () => void {
  const ownHasInstance = Object.getOwnPropertyDescriptor(Error, Symbol.hasInstance);
  Object.defineProperty(Error, Symbol.hasInstance, {
    configurable: true,
    // Subclasses inherit this static method: only Error itself takes other realms' errors.
    value(this: unknown, value: unknown): boolean {
      return (this === Error && types.isNativeError(value)) || Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
  return () => {
    if (ownHasInstance) Object.defineProperty(Error, Symbol.hasInstance, ownHasInstance);
    else delete (Error as unknown as Record<symbol, unknown>)[Symbol.hasInstance];
  };
}
let restoreErrorRealm: () => void;

beforeAll(async () => {
  restoreErrorRealm = recogniseErrorsOfEveryRealm();
  // The emulator reads the same clock as the handler: `later()` ages its jobs too.
  emulator = await AmplifyBackendEmulator.start({ manualJobCompletion: true, now: () => Date.now() });
  network = await FaultyNetwork.start(emulator.endpoint);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALHANDLERTEST',
    AWS_SECRET_ACCESS_KEY: 'local-handler-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_AMPLIFYBACKEND: network.endpoint,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  restoreErrorRealm();
  process.env = savedEnv;
  await network.stop();
  await emulator.stop();
});

/** Time moved on by `later()`: the handler and the emulator read the same `Date.now()`. */
let skew = 0;
const realNow = Date.now.bind(Date);

/** Lets `ms` pass, at once. */
function later(ms: number): void {
  skew += ms;
}

beforeEach(() => {
  emulator.reset();
  network.clear();
  emulator.addApp(APP, { environments: { [ENV]: { apis: { [API]: { apiName: 'blog' }, shopapi: { apiName: 'shop' } } } } });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  // The SDK's backoff jitter at zero: its retries do not sleep.
  jest.spyOn(Math, 'random').mockReturnValue(0);
  skew = 0;
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skew);
});

/** A job the Amplify CLI started a minute before the deployment. */
function cliJob(operation = 'UpdateBackendAPI'): ReturnType<AmplifyBackendEmulator['startExternalJob']> {
  const job = emulator.startExternalJob(APP, ENV, { operation });
  later(60_000);
  return job;
}

afterEach(() => {
  jest.restoreAllMocks();
});

const iamProps: BackendApiResourceProperties = {
  AppId: APP,
  BackendEnvironmentName: ENV,
  ResourceName: API,
  ResourceConfig: { DefaultAuthType: { Mode: 'AWS_IAM' } },
};

/** The Provider framework's is-complete input: on-event's answer merged over the request, the same on every poll. */
function poller(event: ApiEvent, answer: OnEventResponse<unknown>): () => Promise<IsCompleteResponse<BackendApiResponseData>> {
  const request = isCompleteRequest(event, answer);
  return () => isComplete(request) as Promise<IsCompleteResponse<BackendApiResponseData>>;
}

/**
 * On-event deferred behind a job the CLI started, which has then ended: the next poll finds the
 * app and environment free. Returns that poll.
 */
async function deferredBehindEndedCliJob(): Promise<() => Promise<IsCompleteResponse<BackendApiResponseData>>> {
  const cli = cliJob();
  const event = apiEvent.create(iamProps);
  const poll = poller(event, await onEvent(event));
  emulator.completeJob(cli.jobId);
  return poll;
}

function statuses(operation: OperationName): Array<number | string> {
  return emulator.requests(operation).map((r) => r.errorType ?? r.status);
}

describe('another job pending on the app and environment', () => {
  test('on-event tries once and defers; is-complete waits while the other job runs, starts the update once, then follows it', async () => {
    const cli = cliJob();
    const event = apiEvent.create(iamProps);

    const answer = await onEvent(event);

    expect(answer).toStrictEqual({ PhysicalResourceId: PHYSICAL_ID, StartedAt: expect.any(String), Deferred: true });
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException']);
    expect((emulator.requests('UpdateBackendAPI')[0].response as any).message).toBe(pendingJobMessage(APP, ENV));

    const poll = poller(event, answer);
    for (let i = 0; i < 3; i++) await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    // While the other job runs, no new attempt: only listings.
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException']);
    expect(emulator.requests('ListBackendJobs')).toHaveLength(3);

    emulator.completeJob(cli.jobId);
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException', 200]);
    const own = emulator.jobs({ status: 'RUNNING' })[0];
    expect(own.source).toBe('http');

    // The next polls find the job by the list and never start another.
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    emulator.completeJob(own.jobId);
    const done = await poll();
    expect(done).toStrictEqual({
      IsComplete: true,
      Data: {
        AppId: APP,
        BackendEnvironmentName: ENV,
        JobId: own.jobId,
        Operation: 'UpdateBackendAPI',
        Status: 'COMPLETED',
        CreateTime: String(own.createTime),
        UpdateTime: expect.stringMatching(/^\d+$/),
      },
    });
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException', 200]);
    // Its own job, once found, is followed with GetBackendJob like any job; the CLI's never.
    expect(new Set(emulator.requests('GetBackendJob').map((r) => r.labels.JobId))).toEqual(new Set([own.jobId]));
    expect(emulator.getApiConfig(APP, ENV, API)?.defaultAuthType).toEqual({ mode: 'AWS_IAM' });
  });

  test('the listing pages through nextToken: a job of this resource on a later page is found', async () => {
    // 30 old jobs, ended: more than one page of 25.
    for (let i = 0; i < 30; i++) emulator.completeJob(emulator.startExternalJob(APP, ENV, { operation: 'UpdateBackendAuth' }).jobId);
    later(60_000);
    const cli = cliJob();
    const event = apiEvent.create(iamProps);
    const poll = poller(event, await onEvent(event));
    emulator.completeJob(cli.jobId);
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    emulator.clearRequests();

    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });

    expect(emulator.requests('ListBackendJobs').map((r) => (r.body as any).nextToken === undefined)).toEqual([true, false]);
    expect(emulator.requests('UpdateBackendAPI')).toHaveLength(0);
  });

  test('a job of this resource that FAILED fails the deployment with the job\'s error', async () => {
    const poll = await deferredBehindEndedCliJob();
    await poll();
    const own = emulator.jobs({ status: 'RUNNING' })[0];
    emulator.failJob(own.jobId, 'Schema validation failed: Unknown type Comment');

    await expect(poll()).rejects.toThrow(`The Amplify job ${own.jobId} (UpdateBackendAPI) for app ${APP}, environment ${ENV}, API ${API} FAILED: Schema validation failed: Unknown type Comment`);
  });

  test('waitForCompletion false: complete as soon as the deferred update is started, with the status it answered', async () => {
    const cli = cliJob();
    const event = apiEvent.create({ ...iamProps, WaitForCompletion: 'false' });
    const poll = poller(event, await onEvent(event));
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    emulator.completeJob(cli.jobId);

    const done = await poll();

    const own = emulator.jobs({ status: 'RUNNING' })[0];
    expect(done).toStrictEqual({
      IsComplete: true,
      Data: { AppId: APP, BackendEnvironmentName: ENV, JobId: own.jobId, Operation: 'UpdateBackendAPI', Status: 'RUNNING', CreateTime: '', UpdateTime: '' },
    });
  });

  test('the one ambiguity: an UpdateBackendAPI job someone else starts after on-event began is taken for this resource\'s job', async () => {
    const poll = await deferredBehindEndedCliJob();
    // Before the next poll, the CLI starts another job on the same app and environment.
    const second = emulator.startExternalJob(APP, ENV, { operation: 'UpdateBackendAPI' });

    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    emulator.completeJob(second.jobId);
    await expect(poll()).resolves.toMatchObject({ IsComplete: true, Data: { JobId: second.jobId, Status: 'COMPLETED' } });
    // This resource's settings were never sent: the rule cannot tell whose the job was.
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException']);
  });

  test('a job of another operation started after on-event began is waited out, not taken for this resource\'s job', async () => {
    const poll = await deferredBehindEndedCliJob();
    const auth = emulator.startExternalJob(APP, ENV, { operation: 'UpdateBackendAuth' });

    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException']);
    emulator.completeJob(auth.jobId);
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException', 200]);
  });
});

describe('never a second job for one request', () => {
  test('on-event: the SDK\'s retry after a lost answer meets the job its first attempt started, and follows it', async () => {
    network.fail('UpdateBackendAPI', 'lose-answer');
    const event = apiEvent.create(iamProps);

    const answer = await onEvent(event);

    const jobs = emulator.jobs();
    expect(jobs).toHaveLength(1);
    expect(statuses('UpdateBackendAPI')).toEqual([200, 'ValidationException']);
    expect(answer).toStrictEqual({
      PhysicalResourceId: PHYSICAL_ID,
      StartedAt: expect.any(String),
      Data: {
        AppId: APP,
        BackendEnvironmentName: ENV,
        JobId: jobs[0].jobId,
        Operation: 'UpdateBackendAPI',
        Status: 'RUNNING',
        CreateTime: String(jobs[0].createTime),
        UpdateTime: String(jobs[0].updateTime),
      },
    });
    emulator.completeJob(jobs[0].jobId);
    await expect(poller(event, answer)()).resolves.toMatchObject({ IsComplete: true, Data: { Status: 'COMPLETED' } });
  });

  test('is-complete: an update it started whose answer was lost is found by the next poll\'s listing', async () => {
    const poll = await deferredBehindEndedCliJob();
    network.fail('UpdateBackendAPI', 'lose-answer');

    // The job starts, the answer is lost, the SDK's retry is told a job is pending: wait.
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });
    await expect(poll()).resolves.toStrictEqual({ IsComplete: false });

    expect(statuses('UpdateBackendAPI')).toEqual(['ValidationException', 200, 'ValidationException']);
    const own = emulator.jobs({ status: 'RUNNING' });
    expect(own).toHaveLength(1);
    emulator.completeJob(own[0].jobId);
    await expect(poll()).resolves.toMatchObject({ IsComplete: true, Data: { JobId: own[0].jobId } });
  });
});

describe('what is retried, and what is final', () => {
  test('throttling that outlasts the SDK\'s five attempts defers; the next poll starts the update', async () => {
    emulator.injectFault({ kind: 'throttle', operation: 'UpdateBackendAPI', times: 5 });
    const event = apiEvent.create(iamProps);

    const answer = await onEvent(event);

    expect(answer).toStrictEqual({ PhysicalResourceId: PHYSICAL_ID, StartedAt: expect.any(String), Deferred: true });
    expect(statuses('UpdateBackendAPI')).toEqual(Array(5).fill('TooManyRequestsException'));
    await expect(poller(event, answer)()).resolves.toStrictEqual({ IsComplete: false });
    expect(statuses('UpdateBackendAPI')).toHaveLength(6);
    expect(emulator.jobs()).toHaveLength(1);
  });

  test('AccessDenied just after the start (IAM catching up) defers; the next poll succeeds', async () => {
    emulator.injectFault({ kind: 'serviceError', status: 403, errorType: 'AccessDeniedException', operation: 'UpdateBackendAPI', message: 'not authorized to perform: amplifybackend:UpdateBackendAPI' });
    const event = apiEvent.create(iamProps);

    const answer = await onEvent(event);

    expect(answer).toStrictEqual({ PhysicalResourceId: PHYSICAL_ID, StartedAt: expect.any(String), Deferred: true });
    expect(statuses('UpdateBackendAPI')).toEqual(['AccessDeniedException']);
    await poller(event, answer)();
    expect(statuses('UpdateBackendAPI')).toEqual(['AccessDeniedException', 200]);
  });

  test('connections reset on every GetBackendJob attempt, through the real SDK: poll again, not a failed deployment', async () => {
    const event = apiEvent.create(iamProps);
    const answer = await onEvent(event);
    network.fail('GetBackendJob', 'reset', 5);

    await expect(poller(event, answer)()).resolves.toStrictEqual({ IsComplete: false });

    expect(emulator.requests('GetBackendJob')).toHaveLength(0);
  });

  test('GetBackendJob answering NotFound is waited out for two minutes after the start, then fails with the service\'s message', async () => {
    const event = apiEvent.create(iamProps);
    const answer = await onEvent(event);
    emulator.injectFault({ kind: 'notFound', operation: 'GetBackendJob', resourceType: 'BackendJob', message: 'Job not found', times: Infinity });

    await expect(poller(event, answer)()).resolves.toStrictEqual({ IsComplete: false });
    const late = { ...answer, StartedAt: String(Number(answer.StartedAt) - 120_000) };
    await expect(poller(event, late)()).rejects.toThrow(
      new RegExp(`^GetBackendJob failed for app ${APP}, environment ${ENV}, API ${API}, job [0-9a-f-]+: NotFoundException: Job not found \\(still not found 12\\d s after the job was started\\)$`),
    );
  });

  test('an apiName other than the API\'s own fails with what to set; a matching one is checked and not sent', async () => {
    const renamed = apiEvent.create({ ...iamProps, ResourceConfig: { ...iamProps.ResourceConfig, ApiName: 'journal' } });
    await expect(onEvent(renamed)).rejects.toThrow(
      `BackendApiConfig: invalid apiName (got "journal"): the service cannot rename an API; the API ${API} of app ${APP}, environment ${ENV} is named "blog"; set apiName to "blog" or leave it out.`,
    );
    expect(emulator.requests('UpdateBackendAPI')).toHaveLength(0);

    await onEvent(apiEvent.create({ ...iamProps, ResourceConfig: { ...iamProps.ResourceConfig, ApiName: 'blog' } }));
    expect(emulator.requests().map((r) => r.operation)).toEqual(['GetBackendAPI', 'GetBackendAPI', 'UpdateBackendAPI']);
    expect(emulator.lastRequest('UpdateBackendAPI')?.body).toEqual({ resourceName: API, resourceConfig: { defaultAuthType: { mode: 'AWS_IAM' } } });
  });

  test('AdminUiLoginConfig: throttling that outlasts the SDK\'s retries defers; is-complete sends UpdateBackendConfig again until it succeeds', async () => {
    emulator.injectFault({ kind: 'throttle', operation: 'UpdateBackendConfig', times: 6 });
    const props: AdminUiLoginResourceProperties = { AppId: APP, LoginAuthConfig: { AwsCognitoIdentityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678' } };
    const event = loginEvent.create(props);

    const answer = await onEvent(event);
    expect(answer).toStrictEqual({ PhysicalResourceId: APP, StartedAt: expect.any(String), Deferred: true });
    const poll = () => isComplete(isCompleteRequest(event, answer));
    await expect(poll()).resolves.toMatchObject({ IsComplete: true, Data: { AppId: APP, AwsCognitoIdentityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678' } });

    expect(statuses('UpdateBackendConfig')).toEqual([...Array(6).fill('TooManyRequestsException'), 200]);
    expect(emulator.getLoginConfig(APP)).toEqual({ aws_cognito_identity_pool_id: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678' });
  });
});

test('the client has request timeouts, so a hung connection fails an attempt instead of holding the function', async () => {
  await onEvent(apiEvent.create(iamProps));

  const handler = amplifyBackend().config.requestHandler as NodeHttpHandler;
  expect(handler.httpHandlerConfigs()).toMatchObject({ connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true });
});

/**
 * Local emulator of the AWS AmplifyBackend ("Amplify Admin UI") service, spoken to over HTTP by
 * the real `@aws-sdk/client-amplifybackend` (restJson1, SigV4 signing name `amplifybackend`).
 *
 * A stand-in for AWS in tests: it uses only Node built-ins and never imports from `src/` or
 * `lambda/`. Point an SDK client at it with `endpoint: emulator.endpoint` (paths are the SDK form,
 * `/backend/...`, with no `/prod` prefix).
 *
 * Behaviour in short:
 * - Every request must carry a SigV4 `Authorization` header scoped to service `amplifybackend`
 *   (the signature itself is not verified); otherwise 403 UnrecognizedClientException.
 * - Errors are answered as restJson1 errors: status + `X-Amzn-ErrorType: <Shape>` + `{"message"}`,
 *   so the SDK throws typed BadRequestException / NotFoundException / TooManyRequestsException /
 *   GatewayTimeoutException. Unknown routes: 404 UnknownOperationException.
 * - Request bodies are validated against the model (required members, JSON types, enums, ranges),
 *   and - stricter than AWS, on purpose - unknown member names are rejected (see `validateShape`).
 * - UpdateBackendAPI / CreateBackendAPI / DeleteBackendAPI start a job (status RUNNING). Its change
 *   is applied when the job COMPLETES; a FAILED job changes nothing. Only one RUNNING job per app and
 *   environment: another one is rejected with 400 ValidationException ("There is already a pending
 *   job ..."). Jobs complete after `pollsUntilComplete` GetBackendJob polls and/or `jobDurationMs`.
 *   Time-based completion is evaluated lazily (before each request and in every reader), so the
 *   emulator keeps no timers.
 * - UpdateBackendConfig is synchronous: it replaces the app's stored loginAuthConfig.
 * - Order of checks per request: signature (403) -> route (404 UnknownOperationException) ->
 *   injected faults -> body validation (400) -> app / environment / resource (404) -> pending job
 *   (400 ValidationException) -> 200 (possibly with an injected `error`).
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  JobOperationName,
  matchRoute,
  OperationName,
  RESOURCE_CONFIG_SHAPE,
  LOGIN_AUTH_CONFIG_SHAPE,
  RouteMatch,
  validateShape,
  WireLoginAuthConfig,
  WireResourceConfig,
} from './model';
import type {
  AmplifyBackendEmulatorOptions,
  EmulatorAppSeed,
  EmulatorEnvironmentSeed,
  EmulatorJob,
  ExternalJobOptions,
  FaultSpec,
  JobFilter,
  JobStatus,
  RecordedRequest,
} from './types';

/** Signing name the emulator accepts in the SigV4 credential scope. */
export const SIGNING_SERVICE = 'amplifybackend';
/** Default `pollsUntilComplete`. */
export const DEFAULT_POLLS_UNTIL_COMPLETE = 2;
/** Page size of ListBackendJobs when `maxResults` is absent (the model's maximum). */
export const DEFAULT_LIST_PAGE_SIZE = 25;

/** `resourceType` values answered in NotFoundException bodies. */
export const NOT_FOUND_RESOURCE_TYPES = {
  app: 'App',
  environment: 'BackendEnvironment',
  api: 'BackendAPI',
  job: 'BackendJob',
} as const;

/** The exact message of the "pending job" ValidationException. */
export function pendingJobMessage(appId: string, backendEnvironmentName: string): string {
  return `There is already a pending job for the requested appId: ${appId} and backendEnvironmentName: ${backendEnvironmentName}, `
    + 'wait for it to complete before creating a new job.';
}

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

interface EnvState {
  apis: Map<string, WireResourceConfig>;
}

interface AppState {
  appName: string;
  backendManagerAppId: string;
  environments: Map<string, EnvState>;
  loginAuthConfig?: WireLoginAuthConfig;
}

type JobEffect =
  | { kind: 'merge'; resourceName: string; config: WireResourceConfig }
  | { kind: 'delete'; resourceName: string };

interface JobState {
  jobId: string;
  seq: number;
  appId: string;
  backendEnvironmentName: string;
  operation: string;
  status: JobStatus;
  error?: string;
  createTime: number;
  updateTime: number;
  pollCount: number;
  source: 'http' | 'external';
  resourceName?: string;
  effect?: JobEffect;
  pollsUntilComplete?: number;
  completesAt?: number;
  failWith?: string;
}

interface FaultState {
  spec: FaultSpec;
  remaining: number;
}

interface ResponseErrorInjection {
  operation: OperationName;
  message: string;
  remaining: number;
}

type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

/** Error answered to the client. */
class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

function badRequest(message: string): ServiceError {
  return new ServiceError(400, 'BadRequestException', message);
}

function notFound(resourceType: string, message: string): ServiceError {
  return new ServiceError(404, 'NotFoundException', message, { resourceType });
}

/** Drops undefined members, so absent members are omitted from responses. */
function compact(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request\s*,/;

interface ParsedAuth {
  accessKeyId: string;
  region: string;
  service: string;
}

function parseAuthorization(header: string | undefined): ParsedAuth | undefined {
  if (!header) return undefined;
  const m = AUTH_RE.exec(header);
  if (!m || !/Signature=[0-9a-f]+/.test(header)) return undefined;
  return { accessKeyId: m[1], region: m[3], service: m[4] };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown } | null)?.offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw badRequest(`Invalid nextToken: ${token}`);
}

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

/**
 * Local AmplifyBackend service. Create with `await AmplifyBackendEmulator.start(options)`, point an
 * `AmplifyBackendClient` at `emulator.endpoint`, and `await emulator.stop()` when done.
 */
export class AmplifyBackendEmulator {
  /** Starts an emulator listening on 127.0.0.1 and a random port (see `AmplifyBackendEmulatorOptions`). */
  public static async start(options: AmplifyBackendEmulatorOptions = {}): Promise<AmplifyBackendEmulator> {
    const emulator = new AmplifyBackendEmulator(options);
    await emulator.listen(options.host ?? '127.0.0.1', options.port ?? 0);
    return emulator;
  }

  /** Base URL for `AmplifyBackendClient({ endpoint })`, e.g. `http://127.0.0.1:41234`. Set once started. */
  public endpoint = '';
  /** TCP port listened on. Set once started. */
  public port = 0;

  private readonly server: http.Server;
  private readonly initialOptions: AmplifyBackendEmulatorOptions;
  private pollsUntilComplete: number;
  private jobDurationMs: number | undefined;
  private manualJobCompletion: boolean;

  private readonly apps = new Map<string, AppState>();
  private readonly jobStore = new Map<string, JobState>();
  private log: MutableRecord[] = [];
  private faults: FaultState[] = [];
  private responseErrors: ResponseErrorInjection[] = [];
  private nextJobFailures: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private requestSeq = 0;
  private jobSeq = 0;
  /** The emulator's clock (epoch ms): job times, completion deadlines, request times. */
  private readonly now: () => number;

  private constructor(options: AmplifyBackendEmulatorOptions) {
    this.initialOptions = { ...options };
    this.now = options.now ?? Date.now;
    this.pollsUntilComplete = options.pollsUntilComplete ?? DEFAULT_POLLS_UNTIL_COMPLETE;
    this.jobDurationMs = options.jobDurationMs;
    this.manualJobCompletion = options.manualJobCompletion ?? false;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
          res.end(JSON.stringify({ message: `Emulator bug: ${String(err)}` }));
        }
      });
    });
  }

  // ------------------------------------------------------------------ lifecycle

  /** Closes the server and every open connection (keep-alive sockets included). */
  public async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Forgets all apps, jobs, logged requests, faults and injections; restores the start options. Keeps listening. */
  public reset(): void {
    this.apps.clear();
    this.jobStore.clear();
    this.log = [];
    this.faults = [];
    this.responseErrors = [];
    this.nextJobFailures = [];
    this.pollsUntilComplete = this.initialOptions.pollsUntilComplete ?? DEFAULT_POLLS_UNTIL_COMPLETE;
    this.jobDurationMs = this.initialOptions.jobDurationMs;
    this.manualJobCompletion = this.initialOptions.manualJobCompletion ?? false;
  }

  // ------------------------------------------------------------------ seeding

  /** Adds (or replaces) an app with its environments and API configs (wire form; validated, throws on a bad seed). */
  public addApp(appId: string, seed: EmulatorAppSeed = {}): void {
    if (seed.loginAuthConfig !== undefined) this.assertSeed(seed.loginAuthConfig, 'login', `${appId}.loginAuthConfig`);
    const app: AppState = {
      appName: seed.appName ?? appId,
      backendManagerAppId: seed.backendManagerAppId ?? appId,
      environments: new Map(),
      loginAuthConfig: clone(seed.loginAuthConfig),
    };
    this.apps.set(appId, app);
    for (const [envName, envSeed] of Object.entries(seed.environments ?? {})) this.addEnvironment(appId, envName, envSeed);
  }

  /** Adds (or replaces) one environment of an existing app. */
  public addEnvironment(appId: string, backendEnvironmentName: string, seed: EmulatorEnvironmentSeed = {}): void {
    const app = this.requireApp(appId);
    const env: EnvState = { apis: new Map() };
    app.environments.set(backendEnvironmentName, env);
    for (const [name, config] of Object.entries(seed.apis ?? {})) this.setApiConfig(appId, backendEnvironmentName, name, config);
  }

  /** Stores (replaces) an API resource's config directly, without a job. */
  public setApiConfig(appId: string, backendEnvironmentName: string, resourceName: string, config: WireResourceConfig): void {
    this.assertSeed(config, 'api', `${appId}.${backendEnvironmentName}.apis.${resourceName}`);
    this.requireEnv(appId, backendEnvironmentName).apis.set(resourceName, clone(config));
  }

  // ------------------------------------------------------------------ readers

  /** Stored config (wire form, a copy) of one API resource; undefined if the app/env/resource does not exist. */
  public getApiConfig(appId: string, backendEnvironmentName: string, resourceName: string): WireResourceConfig | undefined {
    this.settle();
    return clone(this.apps.get(appId)?.environments.get(backendEnvironmentName)?.apis.get(resourceName));
  }

  /** All stored API configs of one environment (resourceName -> wire config, copies); {} if unknown. */
  public getApiConfigs(appId: string, backendEnvironmentName: string): Record<string, WireResourceConfig> {
    this.settle();
    const apis = this.apps.get(appId)?.environments.get(backendEnvironmentName)?.apis;
    return apis ? clone(Object.fromEntries(apis)) : {};
  }

  /** Stored Admin UI login config of an app (snake_case wire keys, a copy); undefined if none or unknown app. */
  public getLoginConfig(appId: string): WireLoginAuthConfig | undefined {
    return clone(this.apps.get(appId)?.loginAuthConfig);
  }

  /** Environment names of an app, in insertion order ([] if unknown). */
  public environments(appId: string): string[] {
    return [...(this.apps.get(appId)?.environments.keys() ?? [])];
  }

  /** Jobs (copies, creation order), optionally filtered by app, environment, status, operation. */
  public jobs(filter: JobFilter = {}): EmulatorJob[] {
    this.settle();
    return [...this.jobStore.values()]
      .filter((j) => filter.appId === undefined || j.appId === filter.appId)
      .filter((j) => filter.backendEnvironmentName === undefined || j.backendEnvironmentName === filter.backendEnvironmentName)
      .filter((j) => filter.status === undefined || j.status === filter.status)
      .filter((j) => filter.operation === undefined || j.operation === filter.operation)
      .map((j) => this.publicJob(j));
  }

  /** One job (a copy), or undefined. */
  public getJob(jobId: string): EmulatorJob | undefined {
    this.settle();
    const job = this.jobStore.get(jobId);
    return job ? this.publicJob(job) : undefined;
  }

  /** The RUNNING job of an app + environment, if any. */
  public pendingJob(appId: string, backendEnvironmentName: string): EmulatorJob | undefined {
    this.settle();
    const job = this.findPending(appId, backendEnvironmentName);
    return job ? this.publicJob(job) : undefined;
  }

  /** Requests received so far (copies, arrival order), optionally only those routed to `operation`. */
  public requests(operation?: OperationName): RecordedRequest[] {
    return this.log.filter((r) => operation === undefined || r.operation === operation).map((r) => clone(r) as RecordedRequest);
  }

  /** The last request received (optionally of one operation), or undefined. */
  public lastRequest(operation?: OperationName): RecordedRequest | undefined {
    const all = this.requests(operation);
    return all[all.length - 1];
  }

  /** Empties the request log. */
  public clearRequests(): void {
    this.log = [];
  }

  // ------------------------------------------------------------------ jobs

  /**
   * Creates a RUNNING job that did not come through HTTP (simulates the Amplify CLI or Studio). It
   * blocks other jobs of that app + environment until it ends: after `durationMs`, after
   * `pollsUntilComplete` polls, or by `completeJob()` / `failJob()`. Throws if a job is already pending.
   */
  public startExternalJob(appId: string, backendEnvironmentName: string, options: ExternalJobOptions = {}): EmulatorJob {
    this.requireEnv(appId, backendEnvironmentName);
    this.settle();
    if (this.findPending(appId, backendEnvironmentName)) throw new Error(pendingJobMessage(appId, backendEnvironmentName));
    if (options.resourceConfig !== undefined) this.assertSeed(options.resourceConfig, 'api', 'startExternalJob.resourceConfig');
    if (options.resourceConfig !== undefined && options.resourceName === undefined) {
      throw new Error('startExternalJob: resourceConfig needs resourceName');
    }
    const now = this.now();
    const job = this.createJob({
      appId,
      backendEnvironmentName,
      operation: options.operation ?? 'UpdateBackendAPI',
      source: 'external',
      resourceName: options.resourceName,
      effect: options.resourceName !== undefined
        ? { kind: 'merge', resourceName: options.resourceName, config: clone(options.resourceConfig ?? {}) }
        : undefined,
      pollsUntilComplete: options.pollsUntilComplete,
      completesAt: options.durationMs !== undefined ? now + options.durationMs : undefined,
      failWith: options.failWith,
    }, now);
    return this.publicJob(job);
  }

  /** Ends a RUNNING job as COMPLETED now and applies its change (even if it was set to fail). Throws if not RUNNING. */
  public completeJob(jobId: string): EmulatorJob {
    const job = this.requireRunningJob(jobId);
    this.finishJob(job, this.now(), 'COMPLETED');
    return this.publicJob(job);
  }

  /** Ends a RUNNING job as FAILED now with `error` = message; nothing is applied. Throws if not RUNNING. */
  public failJob(jobId: string, message = 'Job failed (emulator failJob)'): EmulatorJob {
    const job = this.requireRunningJob(jobId);
    this.finishJob(job, this.now(), 'FAILED', message);
    return this.publicJob(job);
  }

  /**
   * The next job started through HTTP (one per call; calls queue up) will end FAILED with `error` =
   * message when it would otherwise complete (by polls/time). Its change is not applied.
   */
  public failNextJob(message: string): void {
    this.nextJobFailures.push(message);
  }

  /**
   * true: no job ends by itself any more (polls are still counted, deadlines ignored) until
   * `completeJob()`/`failJob()`. false: automatic completion resumes (jobs already past their poll
   * count or deadline end on the next request or read).
   */
  public setManualJobCompletion(enabled: boolean): void {
    this.manualJobCompletion = enabled;
  }

  /** Changes the completion rule of jobs started through HTTP from now on (`undefined` members keep their value). */
  public configureJobs(options: { pollsUntilComplete?: number; jobDurationMs?: number | null }): void {
    if (options.pollsUntilComplete !== undefined) this.pollsUntilComplete = options.pollsUntilComplete;
    if (options.jobDurationMs !== undefined) this.jobDurationMs = options.jobDurationMs ?? undefined;
  }

  // ------------------------------------------------------------------ fault injection

  /** Makes the next `times` (default 1) calls, optionally of one operation, fail or wait (see `FaultSpec`). */
  public injectFault(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  /**
   * The next `times` (default 1) successful (200) responses of `operation` carry a non-empty
   * `error` member. The call has no effect: UpdateBackendAPI/CreateBackendAPI/DeleteBackendAPI start
   * no job (the answer has appId, backendEnvironmentName, operation, error and no jobId/status);
   * UpdateBackendConfig/RemoveBackendConfig change nothing; read operations answer normally plus `error`.
   */
  public injectResponseError(operation: OperationName, message = 'Injected service error', times = 1): void {
    this.responseErrors.push({ operation, message, remaining: times });
  }

  /** Removes all pending faults, response-error injections and `failNextJob` messages. */
  public clearFaults(): void {
    this.faults = [];
    this.responseErrors = [];
    this.nextJobFailures = [];
  }

  /** Number of fault injections (`injectFault`) not used up yet. */
  public pendingFaults(): number {
    return this.faults.filter((f) => f.remaining > 0).length;
  }

  // ------------------------------------------------------------------ HTTP

  private async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.port = address.port;
    this.endpoint = `http://${host}:${address.port}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const time = this.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0];

    let route: RouteMatch | undefined;
    let badLabel = false;
    try {
      route = matchRoute(method, rawPath);
    } catch {
      badLabel = true;
    }
    let parsed: unknown;
    let bodyIsJson = true;
    if (rawBody.trim() !== '') {
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        bodyIsJson = false;
      }
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const auth = parseAuthorization(req.headers.authorization);

    const record: MutableRecord = {
      seq: ++this.requestSeq,
      operation: route?.spec.name,
      method,
      path: rawPath,
      labels: route?.labels ?? {},
      body: parsed,
      rawBody,
      headers,
      region: auth?.region,
      accessKeyId: auth?.accessKeyId,
      status: 0,
      time,
    };
    this.log.push(record);

    const send = (status: number, payload: Record<string, unknown>, errorType?: string): void => {
      record.status = status;
      record.response = payload;
      if (errorType) record.errorType = errorType;
      const responseHeaders: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
      if (errorType) responseHeaders['x-amzn-errortype'] = errorType;
      res.writeHead(status, responseHeaders);
      res.end(JSON.stringify(payload));
    };
    const sendError = (err: ServiceError): void => send(err.status, { message: err.message, ...err.extra }, err.errorType);

    if (!auth) {
      return sendError(new ServiceError(403, 'UnrecognizedClientException',
        'Missing or malformed SigV4 Authorization header (AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/amplifybackend/aws4_request, ...)'));
    }
    if (auth.service !== SIGNING_SERVICE) {
      return sendError(new ServiceError(403, 'UnrecognizedClientException',
        `Credential should be scoped to correct service: '${SIGNING_SERVICE}', got '${auth.service}'`));
    }
    if (badLabel) return sendError(badRequest(`Malformed URL encoding in path: ${rawPath}`));
    if (!route) {
      return sendError(new ServiceError(404, 'UnknownOperationException',
        `No AmplifyBackend operation (implemented by the emulator) for ${method} ${rawPath}`));
    }
    const operation = route.spec.name;

    const delay = this.takeFault(operation, true);
    if (delay && delay.kind === 'delay') await this.sleep(delay.delayMs);
    const fault = this.takeFault(operation, false);
    if (fault) return sendError(this.faultError(fault, operation));

    try {
      let input: Record<string, unknown> = {};
      if (route.spec.input) {
        if (!bodyIsJson) throw badRequest('Request body is not valid JSON');
        const candidate = parsed === undefined ? {} : parsed;
        const problem = validateShape(candidate, route.spec.input, '');
        if (problem) throw badRequest(problem);
        input = candidate as Record<string, unknown>;
      }
      this.settle();
      const payload = this.dispatch(operation, route.labels, input);
      send(200, compact(payload));
    } catch (err) {
      if (err instanceof ServiceError) return sendError(err);
      throw err;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private takeFault(operation: OperationName, delay: boolean): FaultSpec | undefined {
    const found = this.faults.find((f) => f.remaining > 0
      && (f.spec.kind === 'delay') === delay
      && (f.spec.operation === undefined || f.spec.operation === operation));
    if (!found) return undefined;
    found.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return found.spec;
  }

  private faultError(spec: FaultSpec, operation: OperationName): ServiceError {
    const msg = (fallback: string): string => spec.message ?? fallback;
    switch (spec.kind) {
      case 'throttle':
        return new ServiceError(429, 'TooManyRequestsException', msg(`Rate exceeded (injected, ${operation})`), {
          limitType: spec.limitType ?? 'RequestRate',
        });
      case 'gatewayTimeout':
        return new ServiceError(504, 'GatewayTimeoutException', msg(`Gateway timeout (injected, ${operation})`));
      case 'badRequest':
        return badRequest(msg(`Bad request (injected, ${operation})`));
      case 'notFound':
        return notFound(spec.resourceType ?? NOT_FOUND_RESOURCE_TYPES.app, msg(`Not found (injected, ${operation})`));
      case 'serviceError':
        return new ServiceError(spec.status, spec.errorType, msg(`${spec.errorType} (injected, ${operation})`));
      case 'delay':
        throw new Error('unreachable');
    }
  }

  private takeResponseError(operation: OperationName): string | undefined {
    const found = this.responseErrors.find((r) => r.remaining > 0 && r.operation === operation);
    if (!found) return undefined;
    found.remaining--;
    this.responseErrors = this.responseErrors.filter((r) => r.remaining > 0);
    return found.message;
  }

  // ------------------------------------------------------------------ operations

  private dispatch(operation: OperationName, labels: Record<string, string>, input: Record<string, unknown>): Record<string, unknown> {
    switch (operation) {
      case 'UpdateBackendAPI':
      case 'DeleteBackendAPI':
        return this.opMutateApi(operation, labels.AppId, labels.BackendEnvironmentName, input);
      case 'CreateBackendAPI':
        return this.opMutateApi(operation, labels.AppId, input.backendEnvironmentName as string, input);
      case 'GetBackendAPI':
        return this.opGetBackendApi(labels.AppId, labels.BackendEnvironmentName, input.resourceName as string);
      case 'GetBackendJob':
        return this.opGetBackendJob(labels.AppId, labels.BackendEnvironmentName, labels.JobId);
      case 'ListBackendJobs':
        return this.opListBackendJobs(labels.AppId, labels.BackendEnvironmentName, input);
      case 'UpdateBackendConfig':
        return this.opUpdateBackendConfig(labels.AppId, input.loginAuthConfig as WireLoginAuthConfig | undefined);
      case 'RemoveBackendConfig':
        return this.opRemoveBackendConfig(labels.AppId);
      case 'GetBackend':
        return this.opGetBackend(labels.AppId, input.backendEnvironmentName as string | undefined);
    }
  }

  private opMutateApi(
    operation: JobOperationName, appId: string, backendEnvironmentName: string, input: Record<string, unknown>,
  ): Record<string, unknown> {
    const env = this.lookupEnv(appId, backendEnvironmentName);
    const resourceName = input.resourceName as string;
    const config = input.resourceConfig as WireResourceConfig | undefined;
    const exists = env.apis.has(resourceName);
    if (operation === 'CreateBackendAPI' && exists) {
      throw badRequest(`API resource '${resourceName}' already exists in backend environment '${backendEnvironmentName}'`);
    }
    if (operation !== 'CreateBackendAPI' && !exists) {
      throw notFound(NOT_FOUND_RESOURCE_TYPES.api,
        `API resource '${resourceName}' not found in backend environment '${backendEnvironmentName}' of app '${appId}'`);
    }
    if (this.findPending(appId, backendEnvironmentName)) {
      throw new ServiceError(400, 'ValidationException', pendingJobMessage(appId, backendEnvironmentName));
    }
    const injected = this.takeResponseError(operation);
    if (injected !== undefined) return { appId, backendEnvironmentName, error: injected, operation };

    const now = this.now();
    const job = this.createJob({
      appId,
      backendEnvironmentName,
      operation,
      source: 'http',
      resourceName,
      effect: operation === 'DeleteBackendAPI'
        ? { kind: 'delete', resourceName }
        : { kind: 'merge', resourceName, config: clone(config ?? {}) },
      pollsUntilComplete: Number.isFinite(this.pollsUntilComplete) ? this.pollsUntilComplete : undefined,
      completesAt: this.jobDurationMs !== undefined ? now + this.jobDurationMs : undefined,
      failWith: this.nextJobFailures.shift(),
    }, now);
    return { appId, backendEnvironmentName, jobId: job.jobId, operation, status: job.status };
  }

  private opGetBackendApi(appId: string, backendEnvironmentName: string, resourceName: string): Record<string, unknown> {
    const env = this.lookupEnv(appId, backendEnvironmentName);
    const config = env.apis.get(resourceName);
    if (!config) {
      throw notFound(NOT_FOUND_RESOURCE_TYPES.api,
        `API resource '${resourceName}' not found in backend environment '${backendEnvironmentName}' of app '${appId}'`);
    }
    return {
      appId,
      backendEnvironmentName,
      error: this.takeResponseError('GetBackendAPI'),
      resourceConfig: clone(config),
      resourceName,
    };
  }

  private opGetBackendJob(appId: string, backendEnvironmentName: string, jobId: string): Record<string, unknown> {
    this.lookupEnv(appId, backendEnvironmentName);
    const job = this.jobStore.get(jobId);
    if (!job || job.appId !== appId || job.backendEnvironmentName !== backendEnvironmentName) {
      throw notFound(NOT_FOUND_RESOURCE_TYPES.job,
        `Job '${jobId}' not found for appId: ${appId} and backendEnvironmentName: ${backendEnvironmentName}`);
    }
    job.pollCount++;
    if (job.status === 'RUNNING' && !this.manualJobCompletion
      && job.pollsUntilComplete !== undefined && job.pollCount >= job.pollsUntilComplete) {
      this.finishJob(job, this.now());
    }
    const injected = this.takeResponseError('GetBackendJob');
    return { ...this.wireJob(job), error: injected ?? job.error };
  }

  private opListBackendJobs(appId: string, backendEnvironmentName: string, input: Record<string, unknown>): Record<string, unknown> {
    this.lookupEnv(appId, backendEnvironmentName);
    const pageSize = (input.maxResults as number | undefined) ?? DEFAULT_LIST_PAGE_SIZE;
    const offset = input.nextToken !== undefined ? decodeToken(input.nextToken as string) : 0;
    const matching = [...this.jobStore.values()]
      .filter((j) => j.appId === appId && j.backendEnvironmentName === backendEnvironmentName)
      .filter((j) => input.jobId === undefined || j.jobId === input.jobId)
      .filter((j) => input.operation === undefined || j.operation === input.operation)
      .filter((j) => input.status === undefined || j.status === input.status)
      .sort((a, b) => a.seq - b.seq);
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize < matching.length ? encodeToken(offset + pageSize) : undefined;
    return {
      error: this.takeResponseError('ListBackendJobs'),
      jobs: page.map((j) => compact(this.wireJob(j))),
      nextToken: next,
    };
  }

  private opUpdateBackendConfig(appId: string, loginAuthConfig: WireLoginAuthConfig | undefined): Record<string, unknown> {
    const app = this.lookupApp(appId);
    const injected = this.takeResponseError('UpdateBackendConfig');
    if (injected === undefined && loginAuthConfig !== undefined) app.loginAuthConfig = clone(loginAuthConfig);
    return {
      appId,
      backendManagerAppId: app.backendManagerAppId,
      error: injected,
      loginAuthConfig: clone(app.loginAuthConfig),
    };
  }

  private opRemoveBackendConfig(appId: string): Record<string, unknown> {
    const app = this.lookupApp(appId);
    const injected = this.takeResponseError('RemoveBackendConfig');
    if (injected === undefined) app.loginAuthConfig = undefined;
    return { error: injected };
  }

  private opGetBackend(appId: string, backendEnvironmentName: string | undefined): Record<string, unknown> {
    const app = this.lookupApp(appId);
    const envName = backendEnvironmentName ?? app.environments.keys().next().value;
    if (backendEnvironmentName !== undefined) this.lookupEnv(appId, backendEnvironmentName);
    const env = envName !== undefined ? app.environments.get(envName) : undefined;
    const api: Record<string, unknown> = {};
    for (const [name, config] of env?.apis ?? []) {
      api[name] = { service: config.service ?? 'AppSync', providerPlugin: 'awscloudformation', resourceConfig: clone(config) };
    }
    return {
      amplifyMetaConfig: JSON.stringify({ api }),
      appId,
      appName: app.appName,
      backendEnvironmentList: [...app.environments.keys()],
      backendEnvironmentName,
      error: this.takeResponseError('GetBackend'),
    };
  }

  // ------------------------------------------------------------------ job internals

  /** `now`: the creation time, the same instant a time-based deadline was computed from. */
  private createJob(init: Omit<JobState, 'jobId' | 'seq' | 'status' | 'createTime' | 'updateTime' | 'pollCount'>, now: number): JobState {
    const job: JobState = {
      ...init,
      jobId: randomUUID(),
      seq: ++this.jobSeq,
      status: 'RUNNING',
      createTime: now,
      updateTime: now,
      pollCount: 0,
    };
    this.jobStore.set(job.jobId, job);
    return job;
  }

  /** Ends time-expired RUNNING jobs (lazy evaluation of `completesAt`). */
  private settle(): void {
    if (this.manualJobCompletion) return;
    const now = this.now();
    for (const job of this.jobStore.values()) {
      if (job.status === 'RUNNING' && job.completesAt !== undefined && job.completesAt <= now) this.finishJob(job, job.completesAt);
    }
  }

  /** Ends a job: COMPLETED applies its effect; FAILED (explicit, or via `failWith` when no outcome is forced) does not. */
  private finishJob(job: JobState, at: number, forced?: JobStatus, forcedError?: string): void {
    const status: JobStatus = forced ?? (job.failWith !== undefined ? 'FAILED' : 'COMPLETED');
    job.status = status;
    job.updateTime = Math.max(at, job.createTime);
    if (status === 'FAILED') {
      job.error = forcedError ?? job.failWith ?? 'Job failed';
      return;
    }
    const env = this.apps.get(job.appId)?.environments.get(job.backendEnvironmentName);
    if (!env || !job.effect) return;
    if (job.effect.kind === 'delete') {
      env.apis.delete(job.effect.resourceName);
    } else {
      // Shallow merge: each top-level member given replaces the stored one.
      env.apis.set(job.effect.resourceName, { ...env.apis.get(job.effect.resourceName), ...clone(job.effect.config) });
    }
  }

  private findPending(appId: string, backendEnvironmentName: string): JobState | undefined {
    for (const job of this.jobStore.values()) {
      if (job.status === 'RUNNING' && job.appId === appId && job.backendEnvironmentName === backendEnvironmentName) return job;
    }
    return undefined;
  }

  private requireRunningJob(jobId: string): JobState {
    this.settle();
    const job = this.jobStore.get(jobId);
    if (!job) throw new Error(`No such job: ${jobId}`);
    if (job.status !== 'RUNNING') throw new Error(`Job ${jobId} is already ${job.status}`);
    return job;
  }

  private wireJob(job: JobState): Record<string, unknown> {
    return {
      appId: job.appId,
      backendEnvironmentName: job.backendEnvironmentName,
      createTime: String(job.createTime),
      error: job.error,
      jobId: job.jobId,
      operation: job.operation,
      status: job.status,
      updateTime: String(job.updateTime),
    };
  }

  private publicJob(job: JobState): EmulatorJob {
    return clone(compact({
      jobId: job.jobId,
      appId: job.appId,
      backendEnvironmentName: job.backendEnvironmentName,
      operation: job.operation,
      status: job.status,
      error: job.error,
      createTime: job.createTime,
      updateTime: job.updateTime,
      pollCount: job.pollCount,
      source: job.source,
      resourceName: job.resourceName,
      requestedConfig: job.effect?.kind === 'merge' ? job.effect.config : undefined,
      pollsUntilComplete: job.pollsUntilComplete,
      completesAt: job.completesAt,
      failWith: job.failWith,
    })) as unknown as EmulatorJob;
  }

  // ------------------------------------------------------------------ lookups

  private lookupApp(appId: string): AppState {
    const app = this.apps.get(appId);
    if (!app) throw notFound(NOT_FOUND_RESOURCE_TYPES.app, `App '${appId}' not found`);
    return app;
  }

  private lookupEnv(appId: string, backendEnvironmentName: string): EnvState {
    const env = this.lookupApp(appId).environments.get(backendEnvironmentName);
    if (!env) {
      throw notFound(NOT_FOUND_RESOURCE_TYPES.environment,
        `Backend environment '${backendEnvironmentName}' not found for app '${appId}'`);
    }
    return env;
  }

  private requireApp(appId: string): AppState {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`Unknown app '${appId}': call addApp() first`);
    return app;
  }

  private requireEnv(appId: string, backendEnvironmentName: string): EnvState {
    const env = this.requireApp(appId).environments.get(backendEnvironmentName);
    if (!env) throw new Error(`Unknown environment '${backendEnvironmentName}' of app '${appId}': call addEnvironment() first`);
    return env;
  }

  private assertSeed(value: unknown, kind: 'api' | 'login', where: string): void {
    const problem = validateShape(value, kind === 'api' ? RESOURCE_CONFIG_SHAPE : LOGIN_AUTH_CONFIG_SHAPE, '');
    if (problem) throw new Error(`Invalid ${kind === 'api' ? 'API resourceConfig' : 'loginAuthConfig'} seed at ${where}: ${problem}`);
  }
}

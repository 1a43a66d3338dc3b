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
 *   emulator keeps no timers. Times follow the `now` option (default `Date.now`), so a test can
 *   age jobs on a virtual clock.
 * - UpdateBackendAPI applies its resourceConfig as a shallow merge: each top-level member sent
 *   replaces the stored one (an `additionalAuthTypes: []` sent empties the stored list), a member
 *   left out keeps its stored value. The API's name is never changed by an update: `apiName` in
 *   an UpdateBackendAPI is ignored and the stored name stays. This is what the service applies to
 *   the Amplify CLI's headless update request, which has no API-name member (see `updateArtifacts`
 *   in https://github.com/aws-amplify/amplify-category-api/blob/main/packages/amplify-category-api/src/provider-utils/awscloudformation/cfn-api-artifact-handler.ts).
 *   CreateBackendAPI stores the name it is given.
 * - UpdateBackendConfig is synchronous: it replaces the app's stored loginAuthConfig.
 * - Order of checks per request: signature (403) -> route (404 UnknownOperationException) ->
 *   injected faults -> body validation (400) -> app / environment / resource (404) -> pending job
 *   (400 ValidationException) -> 200 (possibly with an injected `error`).
 *
 * Parts: `./http.ts` (server, routing, request log), `./state.ts` (apps, jobs, operations),
 * `./faults.ts` (fault injection), `./errors.ts` (answers' errors), `./model.ts` (wire model).
 */
import { FaultInjector } from './faults';
import { EmulatorHttp } from './http';
import type { OperationName, WireLoginAuthConfig, WireResourceConfig } from './model';
import { BackendState, DEFAULT_POLLS_UNTIL_COMPLETE, JobRules } from './state';
import type {
  AmplifyBackendEmulatorOptions,
  EmulatorAppSeed,
  EmulatorJob,
  ExternalJobOptions,
  FaultSpec,
  JobFilter,
  RecordedRequest,
} from './types';

export { SIGNING_SERVICE } from './http';
export { DEFAULT_LIST_PAGE_SIZE, DEFAULT_POLLS_UNTIL_COMPLETE } from './state';
export { NOT_FOUND_RESOURCE_TYPES, pendingJobMessage } from './errors';

/**
 * Local AmplifyBackend service. Create with `await AmplifyBackendEmulator.start(options)`, point an
 * `AmplifyBackendClient` at `emulator.endpoint`, and `await emulator.stop()` when done.
 */
export class AmplifyBackendEmulator {
  /** Starts an emulator listening on 127.0.0.1 and a random port (see `AmplifyBackendEmulatorOptions`). */
  public static async start(options: AmplifyBackendEmulatorOptions = {}): Promise<AmplifyBackendEmulator> {
    const emulator = new AmplifyBackendEmulator(options);
    await emulator.http.listen();
    return emulator;
  }

  private readonly initialOptions: AmplifyBackendEmulatorOptions;
  private readonly faults = new FaultInjector();
  private readonly state: BackendState;
  private readonly http: EmulatorHttp;

  private constructor(options: AmplifyBackendEmulatorOptions) {
    this.initialOptions = { ...options };
    const now = options.now ?? Date.now;
    this.state = new BackendState(this.startRules(), this.faults, now);
    this.http = new EmulatorHttp(this.state, this.faults, now);
  }

  /** Base URL for `AmplifyBackendClient({ endpoint })`, e.g. `http://127.0.0.1:41234`. Set once started. */
  public get endpoint(): string {
    return this.http.endpoint;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Closes the server and every open connection (keep-alive sockets included). */
  public async stop(): Promise<void> {
    await this.http.stop();
  }

  /** Forgets all apps, jobs, logged requests, faults and injections; restores the start options. Keeps listening. */
  public reset(): void {
    this.state.reset(this.startRules());
    this.http.clearRequests();
    this.faults.clearFaults();
  }

  // ------------------------------------------------------------------ seeding

  /** Adds (or replaces) an app with its environments and API configs (wire form; validated, throws on a bad seed). */
  public addApp(appId: string, seed: EmulatorAppSeed = {}): void {
    this.state.addApp(appId, seed);
  }

  /** Stores (replaces) an API resource's config directly, without a job. */
  public setApiConfig(appId: string, backendEnvironmentName: string, resourceName: string, config: WireResourceConfig): void {
    this.state.setApiConfig(appId, backendEnvironmentName, resourceName, config);
  }

  // ------------------------------------------------------------------ readers

  /** Stored config (wire form, a copy) of one API resource; undefined if the app/env/resource does not exist. */
  public getApiConfig(appId: string, backendEnvironmentName: string, resourceName: string): WireResourceConfig | undefined {
    return this.state.getApiConfig(appId, backendEnvironmentName, resourceName);
  }

  /** All stored API configs of one environment (resourceName -> wire config, copies); {} if unknown. */
  public getApiConfigs(appId: string, backendEnvironmentName: string): Record<string, WireResourceConfig> {
    return this.state.getApiConfigs(appId, backendEnvironmentName);
  }

  /** Stored Admin UI login config of an app (snake_case wire keys, a copy); undefined if none or unknown app. */
  public getLoginConfig(appId: string): WireLoginAuthConfig | undefined {
    return this.state.getLoginConfig(appId);
  }

  /** Environment names of an app, in insertion order ([] if unknown). */
  public environments(appId: string): string[] {
    return this.state.environments(appId);
  }

  /** Jobs (copies, creation order), optionally filtered by app, environment, status, operation. */
  public jobs(filter: JobFilter = {}): EmulatorJob[] {
    return this.state.jobs(filter);
  }

  /** One job (a copy), or undefined. */
  public getJob(jobId: string): EmulatorJob | undefined {
    return this.state.getJob(jobId);
  }

  /** The RUNNING job of an app + environment, if any. */
  public pendingJob(appId: string, backendEnvironmentName: string): EmulatorJob | undefined {
    return this.state.pendingJob(appId, backendEnvironmentName);
  }

  /** Requests received so far (copies, arrival order), optionally only those routed to `operation`. */
  public requests(operation?: OperationName): RecordedRequest[] {
    return this.http.requests(operation);
  }

  /** The last request received (optionally of one operation), or undefined. */
  public lastRequest(operation?: OperationName): RecordedRequest | undefined {
    return this.http.lastRequest(operation);
  }

  /** Empties the request log. */
  public clearRequests(): void {
    this.http.clearRequests();
  }

  // ------------------------------------------------------------------ jobs

  /**
   * Creates a RUNNING job that did not come through HTTP (simulates the Amplify CLI or Studio). It
   * blocks other jobs of that app + environment until it ends: after `durationMs`, after
   * `pollsUntilComplete` polls, or by `completeJob()` / `failJob()`. Throws if a job is already pending.
   */
  public startExternalJob(appId: string, backendEnvironmentName: string, options: ExternalJobOptions = {}): EmulatorJob {
    return this.state.startExternalJob(appId, backendEnvironmentName, options);
  }

  /** Ends a RUNNING job as COMPLETED now and applies its change (even if it was set to fail). Throws if not RUNNING. */
  public completeJob(jobId: string): EmulatorJob {
    return this.state.completeJob(jobId);
  }

  /** Ends a RUNNING job as FAILED now with `error` = message; nothing is applied. Throws if not RUNNING. */
  public failJob(jobId: string, message = 'Job failed (emulator failJob)'): EmulatorJob {
    return this.state.failJob(jobId, message);
  }

  /**
   * The next job started through HTTP (one per call; calls queue up) will end FAILED with `error` =
   * message when it would otherwise complete (by polls/time). Its change is not applied.
   */
  public failNextJob(message: string): void {
    this.faults.failNextJob(message);
  }

  /**
   * true: no job ends by itself any more (polls are still counted, deadlines ignored) until
   * `completeJob()`/`failJob()`. false: automatic completion resumes (jobs already past their poll
   * count or deadline end on the next request or read).
   */
  public setManualJobCompletion(enabled: boolean): void {
    this.state.setManualJobCompletion(enabled);
  }

  /** Changes the completion rule of jobs started through HTTP from now on (`undefined` members keep their value). */
  public configureJobs(options: { pollsUntilComplete?: number; jobDurationMs?: number | null }): void {
    this.state.configureJobs(options);
  }

  // ------------------------------------------------------------------ fault injection

  /** Makes the next `times` (default 1) calls, optionally of one operation, fail or wait (see `FaultSpec`). */
  public injectFault(spec: FaultSpec): void {
    this.faults.injectFault(spec);
  }

  /**
   * The next `times` (default 1) successful (200) responses of `operation` carry a non-empty
   * `error` member. The call has no effect: UpdateBackendAPI/CreateBackendAPI/DeleteBackendAPI start
   * no job (the answer has appId, backendEnvironmentName, operation, error and no jobId/status);
   * UpdateBackendConfig/RemoveBackendConfig change nothing; read operations answer normally plus `error`.
   */
  public injectResponseError(operation: OperationName, message = 'Injected service error', times = 1): void {
    this.faults.injectResponseError(operation, message, times);
  }

  /** Number of fault injections (`injectFault`) not used up yet. */
  public pendingFaults(): number {
    return this.faults.pendingFaults();
  }

  private startRules(): JobRules {
    return {
      pollsUntilComplete: this.initialOptions.pollsUntilComplete ?? DEFAULT_POLLS_UNTIL_COMPLETE,
      jobDurationMs: this.initialOptions.jobDurationMs,
      manualJobCompletion: this.initialOptions.manualJobCompletion ?? false,
    };
  }
}

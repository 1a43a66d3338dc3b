/**
 * The AmplifyBackend emulator's state and behaviour: apps, environments, API configs and login
 * configs, jobs and their completion, and what each operation does (see `./server.ts` for the
 * rules). Times come from the injected clock (`now`).
 */
import { randomUUID } from 'node:crypto';
import { badRequest, clone, compact, NOT_FOUND_RESOURCE_TYPES, notFound, pendingJobMessage, ServiceError } from './errors';
import type { FaultInjector } from './faults';
import {
  JobOperationName,
  LOGIN_AUTH_CONFIG_SHAPE,
  OperationName,
  RESOURCE_CONFIG_SHAPE,
  validateShape,
  WireLoginAuthConfig,
  WireResourceConfig,
} from './model';
import type {
  EmulatorAppSeed,
  EmulatorEnvironmentSeed,
  EmulatorJob,
  ExternalJobOptions,
  JobFilter,
  JobStatus,
} from './types';

/** Default `pollsUntilComplete`. */
export const DEFAULT_POLLS_UNTIL_COMPLETE = 2;
/** Page size of ListBackendJobs when `maxResults` is absent (the model's maximum). */
export const DEFAULT_LIST_PAGE_SIZE = 25;

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

/**
 * What an UpdateBackendAPI applies: the members sent, less `apiName`. The service never renames an
 * API on update (the Amplify CLI's headless update request has no API-name member), so a name
 * sent is ignored and the stored one stays.
 */
function withoutApiName(config: WireResourceConfig | undefined): WireResourceConfig {
  const { apiName: _ignored, ...rest } = clone(config ?? {});
  return rest;
}

/** Job completion rules: how jobs started through HTTP end. */
export interface JobRules {
  pollsUntilComplete: number;
  jobDurationMs: number | undefined;
  manualJobCompletion: boolean;
}

export class BackendState {
  private readonly apps = new Map<string, AppState>();
  /** In creation order (a Map keeps insertion order), which ListBackendJobs and jobs() answer in. */
  private readonly jobStore = new Map<string, JobState>();
  private pollsUntilComplete: number;
  private jobDurationMs: number | undefined;
  private manualJobCompletion: boolean;

  constructor(rules: JobRules, private readonly faults: FaultInjector, private readonly now: () => number) {
    this.pollsUntilComplete = rules.pollsUntilComplete;
    this.jobDurationMs = rules.jobDurationMs;
    this.manualJobCompletion = rules.manualJobCompletion;
  }

  /** Forgets every app and job; takes `rules` as the completion rules. */
  reset(rules: JobRules): void {
    this.apps.clear();
    this.jobStore.clear();
    this.pollsUntilComplete = rules.pollsUntilComplete;
    this.jobDurationMs = rules.jobDurationMs;
    this.manualJobCompletion = rules.manualJobCompletion;
  }

  // ------------------------------------------------------------------ seeding

  /** Adds (or replaces) an app with its environments and API configs (wire form; validated, throws on a bad seed). */
  addApp(appId: string, seed: EmulatorAppSeed = {}): void {
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
  private addEnvironment(appId: string, backendEnvironmentName: string, seed: EmulatorEnvironmentSeed = {}): void {
    const app = this.requireApp(appId);
    const env: EnvState = { apis: new Map() };
    app.environments.set(backendEnvironmentName, env);
    for (const [name, config] of Object.entries(seed.apis ?? {})) this.setApiConfig(appId, backendEnvironmentName, name, config);
  }

  /** Stores (replaces) an API resource's config directly, without a job. */
  setApiConfig(appId: string, backendEnvironmentName: string, resourceName: string, config: WireResourceConfig): void {
    this.assertSeed(config, 'api', `${appId}.${backendEnvironmentName}.apis.${resourceName}`);
    this.requireEnv(appId, backendEnvironmentName).apis.set(resourceName, clone(config));
  }

  // ------------------------------------------------------------------ readers

  /** Stored config (wire form, a copy) of one API resource; undefined if the app/env/resource does not exist. */
  getApiConfig(appId: string, backendEnvironmentName: string, resourceName: string): WireResourceConfig | undefined {
    this.settle();
    return clone(this.apps.get(appId)?.environments.get(backendEnvironmentName)?.apis.get(resourceName));
  }

  /** All stored API configs of one environment (resourceName -> wire config, copies); {} if unknown. */
  getApiConfigs(appId: string, backendEnvironmentName: string): Record<string, WireResourceConfig> {
    this.settle();
    const apis = this.apps.get(appId)?.environments.get(backendEnvironmentName)?.apis;
    return apis ? clone(Object.fromEntries(apis)) : {};
  }

  /** Stored Admin UI login config of an app (snake_case wire keys, a copy); undefined if none or unknown app. */
  getLoginConfig(appId: string): WireLoginAuthConfig | undefined {
    return clone(this.apps.get(appId)?.loginAuthConfig);
  }

  /** Environment names of an app, in insertion order ([] if unknown). */
  environments(appId: string): string[] {
    return [...(this.apps.get(appId)?.environments.keys() ?? [])];
  }

  /** Jobs (copies, creation order), optionally filtered by app, environment, status, operation. */
  jobs(filter: JobFilter = {}): EmulatorJob[] {
    this.settle();
    return [...this.jobStore.values()]
      .filter((j) => filter.appId === undefined || j.appId === filter.appId)
      .filter((j) => filter.backendEnvironmentName === undefined || j.backendEnvironmentName === filter.backendEnvironmentName)
      .filter((j) => filter.status === undefined || j.status === filter.status)
      .filter((j) => filter.operation === undefined || j.operation === filter.operation)
      .map((j) => this.publicJob(j));
  }

  /** One job (a copy), or undefined. */
  getJob(jobId: string): EmulatorJob | undefined {
    this.settle();
    const job = this.jobStore.get(jobId);
    return job ? this.publicJob(job) : undefined;
  }

  /** The RUNNING job of an app + environment, if any. */
  pendingJob(appId: string, backendEnvironmentName: string): EmulatorJob | undefined {
    this.settle();
    const job = this.findPending(appId, backendEnvironmentName);
    return job ? this.publicJob(job) : undefined;
  }


  // ------------------------------------------------------------------ jobs

  /**
   * Creates a RUNNING job that did not come through HTTP (simulates the Amplify CLI or Studio). It
   * blocks other jobs of that app + environment until it ends: after `durationMs`, after
   * `pollsUntilComplete` polls, or by `completeJob()` / `failJob()`. Throws if a job is already pending.
   */
  startExternalJob(appId: string, backendEnvironmentName: string, options: ExternalJobOptions = {}): EmulatorJob {
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
  completeJob(jobId: string): EmulatorJob {
    const job = this.requireRunningJob(jobId);
    this.finishJob(job, this.now(), 'COMPLETED');
    return this.publicJob(job);
  }

  /** Ends a RUNNING job as FAILED now with `error` = message; nothing is applied. Throws if not RUNNING. */
  failJob(jobId: string, message = 'Job failed (emulator failJob)'): EmulatorJob {
    const job = this.requireRunningJob(jobId);
    this.finishJob(job, this.now(), 'FAILED', message);
    return this.publicJob(job);
  }

  /**
   * true: no job ends by itself any more (polls are still counted, deadlines ignored) until
   * `completeJob()`/`failJob()`. false: automatic completion resumes (jobs already past their poll
   * count or deadline end on the next request or read).
   */
  setManualJobCompletion(enabled: boolean): void {
    this.manualJobCompletion = enabled;
  }

  /** Changes the completion rule of jobs started through HTTP from now on (`undefined` members keep their value). */
  configureJobs(options: { pollsUntilComplete?: number; jobDurationMs?: number | null }): void {
    if (options.pollsUntilComplete !== undefined) this.pollsUntilComplete = options.pollsUntilComplete;
    if (options.jobDurationMs !== undefined) this.jobDurationMs = options.jobDurationMs ?? undefined;
  }

  // ------------------------------------------------------------------ operations

  dispatch(operation: OperationName, labels: Record<string, string>, input: Record<string, unknown>): Record<string, unknown> {
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
    const injected = this.faults.takeResponseError(operation);
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
        : { kind: 'merge', resourceName, config: operation === 'UpdateBackendAPI' ? withoutApiName(config) : clone(config ?? {}) },
      pollsUntilComplete: Number.isFinite(this.pollsUntilComplete) ? this.pollsUntilComplete : undefined,
      completesAt: this.jobDurationMs !== undefined ? now + this.jobDurationMs : undefined,
      failWith: this.faults.takeNextJobFailure(),
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
      error: this.faults.takeResponseError('GetBackendAPI'),
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
    const injected = this.faults.takeResponseError('GetBackendJob');
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
      .filter((j) => input.status === undefined || j.status === input.status);
    const page = matching.slice(offset, offset + pageSize);
    const next = offset + pageSize < matching.length ? encodeToken(offset + pageSize) : undefined;
    return {
      error: this.faults.takeResponseError('ListBackendJobs'),
      jobs: page.map((j) => compact(this.wireJob(j))),
      nextToken: next,
    };
  }

  private opUpdateBackendConfig(appId: string, loginAuthConfig: WireLoginAuthConfig | undefined): Record<string, unknown> {
    const app = this.lookupApp(appId);
    const injected = this.faults.takeResponseError('UpdateBackendConfig');
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
    const injected = this.faults.takeResponseError('RemoveBackendConfig');
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
      error: this.faults.takeResponseError('GetBackend'),
    };
  }

  // ------------------------------------------------------------------ job internals

  /** `now`: the creation time, the same instant a time-based deadline was computed from. */
  private createJob(init: Omit<JobState, 'jobId' | 'status' | 'createTime' | 'updateTime' | 'pollCount'>, now: number): JobState {
    const job: JobState = {
      ...init,
      jobId: randomUUID(),
      status: 'RUNNING',
      createTime: now,
      updateTime: now,
      pollCount: 0,
    };
    this.jobStore.set(job.jobId, job);
    return job;
  }

  /** Ends time-expired RUNNING jobs (lazy evaluation of `completesAt`). */
  settle(): void {
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
    if (!env) throw new Error(`Unknown environment '${backendEnvironmentName}' of app '${appId}': seed it in addApp() first`);
    return env;
  }

  private assertSeed(value: unknown, kind: 'api' | 'login', where: string): void {
    const problem = validateShape(value, kind === 'api' ? RESOURCE_CONFIG_SHAPE : LOGIN_AUTH_CONFIG_SHAPE, '');
    if (problem) throw new Error(`Invalid ${kind === 'api' ? 'API resourceConfig' : 'loginAuthConfig'} seed at ${where}: ${problem}`);
  }
}

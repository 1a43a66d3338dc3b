/**
 * Public types of the AmplifyBackend emulator (test support; see `./server.ts`).
 */
import type { OperationName, WireLoginAuthConfig, WireResourceConfig } from './model';

/** Options of `AmplifyBackendEmulator.start()`. All optional. */
export interface AmplifyBackendEmulatorOptions {
  /**
   * A job started through HTTP completes on the Nth `GetBackendJob` call for that job (that call
   * already answers `COMPLETED`). `ListBackendJobs` does not count as a poll.
   * `Infinity` disables poll-based completion. Default: 2.
   */
  readonly pollsUntilComplete?: number;
  /**
   * A job started through HTTP also completes this many ms after it was created (whichever of
   * polls/time comes first). Default: undefined (no time-based completion).
   */
  readonly jobDurationMs?: number;
  /**
   * When true, no job ends by itself (polls and time are ignored) until `completeJob()` /
   * `failJob()` is called, or `setManualJobCompletion(false)`. Default: false.
   */
  readonly manualJobCompletion?: boolean;
  /**
   * The clock (epoch ms) that job durations, `createTime` / `updateTime` and request times follow.
   * Pass a `VirtualClock`'s `now` (test/support/lifecycle.ts) to age jobs on the stand-in's
   * virtual time. Default: `Date.now`.
   */
  readonly now?: () => number;
}

/** Seed of one backend environment: its Admin UI (AppSync) API resources in WIRE form. */
export interface EmulatorEnvironmentSeed {
  /** resourceName -> stored `BackendAPIResourceConfig` (wire names, e.g. `defaultAuthType.settings.openIDIssueURL`). */
  readonly apis?: Record<string, WireResourceConfig>;
}

/** Seed of one Amplify app, for `addApp()`. */
export interface EmulatorAppSeed {
  /** Default: the appId. */
  readonly appName?: string;
  /** Answered by UpdateBackendConfig. Default: the appId. */
  readonly backendManagerAppId?: string;
  /** envName -> environment. Default: no environment. */
  readonly environments?: Record<string, EmulatorEnvironmentSeed>;
  /** Initial Admin UI login config (snake_case wire keys). Default: none. */
  readonly loginAuthConfig?: WireLoginAuthConfig;
}

/** Job status values used by the service (the model types it as a plain string). */
export type JobStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** A job as the emulator stores it (readers return copies). Times are epoch milliseconds. */
export interface EmulatorJob {
  readonly jobId: string;
  readonly appId: string;
  readonly backendEnvironmentName: string;
  /** e.g. 'UpdateBackendAPI'. */
  readonly operation: string;
  readonly status: JobStatus;
  /** Set when FAILED. */
  readonly error?: string;
  readonly createTime: number;
  readonly updateTime: number;
  /** Number of GetBackendJob calls that asked for this job. */
  readonly pollCount: number;
  /** 'http' = started by an SDK call; 'external' = `startExternalJob()` (simulated Amplify CLI / Studio). */
  readonly source: 'http' | 'external';
  /** API resource the job acts on, if any. */
  readonly resourceName?: string;
  /** resourceConfig that is shallow-merged into the stored API config when the job COMPLETES. */
  readonly requestedConfig?: WireResourceConfig;
  /** Completion rule captured at creation: complete on this poll count (undefined = not by polls). */
  readonly pollsUntilComplete?: number;
  /** Completion rule captured at creation: complete at this epoch ms (undefined = not by time). */
  readonly completesAt?: number;
  /** When set, the job ends FAILED with this error instead of COMPLETED (unless `completeJob()` is called). */
  readonly failWith?: string;
}

/** Options of `startExternalJob()`. */
export interface ExternalJobOptions {
  /** Job operation name. Default: 'UpdateBackendAPI'. */
  readonly operation?: string;
  /** Completes this many ms after creation. Default: undefined (only `completeJob()`/`failJob()` end it). */
  readonly durationMs?: number;
  /** Completes on the Nth GetBackendJob poll of it. Default: undefined (not by polls). */
  readonly pollsUntilComplete?: number;
  /** End FAILED with this error instead of COMPLETED when it ends by time/polls. */
  readonly failWith?: string;
  /** API resource the job changes on COMPLETED (created if missing). */
  readonly resourceName?: string;
  /** Config shallow-merged into `resourceName` on COMPLETED. */
  readonly resourceConfig?: WireResourceConfig;
}

/** Filter of `jobs()`. */
export interface JobFilter {
  readonly appId?: string;
  readonly backendEnvironmentName?: string;
  readonly status?: JobStatus;
  readonly operation?: string;
}

/** One HTTP request received by the emulator, in arrival order. */
export interface RecordedRequest {
  /** 1-based arrival order. */
  readonly seq: number;
  /** Matched operation; undefined for an unknown route. */
  readonly operation: OperationName | undefined;
  readonly method: string;
  /** Raw request path as received (still URL-encoded), without query string. */
  readonly path: string;
  /** Path labels by Smithy member name (`AppId`, `BackendEnvironmentName`, `JobId`), URL-decoded. */
  readonly labels: Readonly<Record<string, string>>;
  /** Parsed JSON body (wire names); undefined if the body was empty or not JSON. */
  readonly body: unknown;
  /** Body text as received. */
  readonly rawBody: string;
  /** Request headers (lower-case names). */
  readonly headers: Readonly<Record<string, string>>;
  /** Region from the SigV4 credential scope; undefined when unsigned. */
  readonly region: string | undefined;
  /** Access key id from the SigV4 credential scope; undefined when unsigned. */
  readonly accessKeyId: string | undefined;
  /** HTTP status answered; 0 while the request is still in flight (e.g. delayed by a fault). */
  readonly status: number;
  /** `X-Amzn-ErrorType` answered, for error responses. */
  readonly errorType?: string;
  /** JSON body answered. */
  readonly response?: unknown;
  /** Arrival time, epoch ms. */
  readonly time: number;
}

/** Which calls a fault applies to. */
export interface FaultTarget {
  /** Only calls of this operation. Default: any implemented operation. */
  readonly operation?: OperationName;
  /** How many matching calls. Default: 1. `Infinity` = until `reset()`. */
  readonly times?: number;
  /** Error message. Default: a descriptive one. */
  readonly message?: string;
}

/**
 * A fault for `injectFault()`. Faults apply after the signature check and routing, before any
 * validation. A `delay` fault postpones the call and then lets it proceed normally (an error fault
 * may still apply to the same call).
 */
export type FaultSpec = FaultTarget & (
  | { readonly kind: 'throttle'; readonly limitType?: string } // 429 TooManyRequestsException
  | { readonly kind: 'gatewayTimeout' } // 504 GatewayTimeoutException
  | { readonly kind: 'badRequest' } // 400 BadRequestException
  | { readonly kind: 'notFound'; readonly resourceType?: string } // 404 NotFoundException
  | { readonly kind: 'serviceError'; readonly status: number; readonly errorType: string } // anything else
  | { readonly kind: 'delay'; readonly delayMs: number }
);

import { AmplifyBackendClient } from '@aws-sdk/client-amplifybackend';
import { HandlerEnv } from '../src/handler-contract';

/**
 * Timeouts of every HTTP request the handler makes (AmplifyBackend and the S3 schema read): a
 * connection that cannot be opened in 5 s, or an answer that does not come in 20 s, fails that
 * attempt (a `TimeoutError`), which the SDK retries; a hung connection never holds the function
 * until its own timeout. `throwOnRequestTimeout`: without it @smithy/node-http-handler only
 * warns when `requestTimeout` passes.
 */
export const REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true } as const;

/** Attempts per call, the SDK's retries of throttling, 5xx and network errors included. */
export const MAX_ATTEMPTS = 5;

/** How long after on-event began an AccessDenied (or a DNS failure) is taken for IAM (or DNS) catching up. */
const EARLY_GRACE_MS = 60_000;

/** How long after on-event began GetBackendJob answering NotFound is taken for a job not visible yet. */
export const JOB_NOT_FOUND_GRACE_MS = 120_000;

/** Clocks of the handler and of the service may differ by this much. */
export const CLOCK_MARGIN_MS = 1_000;

let client: AmplifyBackendClient | undefined;

/**
 * The AmplifyBackend client, made once per container. Region, credentials and endpoint come
 * from the standard SDK configuration (AWS_REGION, the role, AWS_ENDPOINT_URL_AMPLIFYBACKEND).
 * Throttling (TooManyRequestsException), 5xx answers and network errors are retried by the SDK's
 * standard mode, `MAX_ATTEMPTS` attempts in all.
 */
export function amplifyBackend(): AmplifyBackendClient {
  client ??= new AmplifyBackendClient({ maxAttempts: MAX_ATTEMPTS, requestHandler: { ...REQUEST_TIMEOUTS } });
  return client;
}

interface ServiceErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * A failed call, described for CloudFormation: "<Operation> failed for <target>: <ErrorName>:
 * <message>". It keeps the error as thrown, which the classifications below look at.
 */
export class CallError extends Error {
  constructor(message: string, readonly raw: unknown) {
    super(message);
  }
}

function shape(err: unknown): ServiceErrorShape {
  if (err instanceof CallError) return shape(err.raw);
  return typeof err === 'object' && err !== null ? err as ServiceErrorShape : {};
}

/**
 * Node's codes (`err.code`) for a connection that broke, was refused, timed out or found no
 * route: worth another try. ENOTFOUND (no such host) is not among them: it is retried only in
 * the early grace period (see `retryLater`).
 */
const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EAI_AGAIN',
]);

/** Throttling and server-side errors by their modelled names (AmplifyBackend, S3). */
const TRANSIENT_ERROR_NAMES = new Set([
  'TooManyRequestsException', 'GatewayTimeoutException', 'ThrottlingException', 'SlowDown',
  'InternalError', 'ServiceUnavailable', 'RequestTimeout',
  // @smithy/node-http-handler's connection and socket timeouts.
  'TimeoutError',
]);

/**
 * The service's answer while another job runs on the same app and environment: a
 * ValidationException whose message says so. Any other ValidationException is final.
 */
export function isPendingJob(err: unknown): boolean {
  return /already a pending job/i.test(shape(err).message ?? '');
}

/** Throttling, a 5xx, a request timeout or a network error: the same call may succeed later. */
export function isTransient(err: unknown): boolean {
  const e = shape(err);
  if (e.code !== undefined && NETWORK_ERROR_CODES.has(e.code)) return true;
  if (e.name !== undefined && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}

export function isAccessDenied(err: unknown): boolean {
  const e = shape(err);
  return e.name === 'AccessDeniedException' || e.name === 'AccessDenied' || e.code === 'AccessDenied';
}

export function isNotFound(err: unknown): boolean {
  return shape(err).name === 'NotFoundException';
}

/**
 * Why a call that failed with `err` may be tried again later, or undefined when the failure is
 * final. `startedAt`: when on-event began (epoch ms).
 * - another job pending on the app and environment (the "already a pending job" ValidationException);
 * - throttling, a 5xx or a network error that outlasted the SDK's retries;
 * - AccessDenied, or a host not found, within `EARLY_GRACE_MS` of the start: IAM is eventually
 *   consistent after the provider's policy changed in the same deployment.
 */
export function retryLater(err: unknown, startedAt: number, now = Date.now()): string | undefined {
  if (isPendingJob(err)) return 'another job is pending on this app and environment';
  if (isTransient(err)) return 'throttling, a 5xx or a network error outlasted the SDK retries';
  if (now - startedAt < EARLY_GRACE_MS) {
    if (isAccessDenied(err)) return 'AccessDenied soon after the start: IAM may not have caught up with the role policy yet';
    if (shape(err).code === 'ENOTFOUND') return 'host not found soon after the start';
  }
  return undefined;
}

/** `<ErrorName>: <message>`, the name being Node's code for a network error. */
export function errorSummary(err: unknown): string {
  const e = shape(err);
  const name = (e.name === undefined || e.name === 'Error') && e.code ? e.code : e.name ?? 'Error';
  return `${name}: ${e.message ?? String(err)}`;
}

/** What to check when the handler's role is denied an AmplifyBackend action, for `describeError`. */
export function amplifyAccessHint(action: string, appId: string): (err: unknown) => string | undefined {
  return (err) => (isAccessDenied(err)
    ? `check that the provider's role allows amplifybackend:${action} on arn:<partition>:amplifybackend:<region>:<account>:/backend/${appId}/*; `
      + 'the provider grants it to a role it creates; a role imported with mutable: false needs the provider\'s managedPolicies attached'
    : undefined);
}

/**
 * "<Operation> failed for <target>: <ErrorName>: <the service's message>", plus what to check
 * (`hint`), e.g. the grant an AccessDenied points at.
 */
export function describeError(operation: string, target: string, err: unknown, hint?: (err: unknown) => string | undefined): CallError {
  const what = hint?.(err);
  return new CallError(`${operation} failed for ${target}: ${errorSummary(err)}${what ? ` (${what})` : ''}`, err);
}

/** Runs one call; its failure is thrown described (`describeError`). */
export async function call<T>(operation: string, target: string, fn: () => Promise<T>, hint?: (err: unknown) => string | undefined): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw describeError(operation, target, err, hint);
  }
}

/** "42 s" or "49 min 30 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

/**
 * Whether is-complete should stop waiting now, on what may be its last poll: the provider's
 * waiter polls every `QUERY_INTERVAL_MS` until `TOTAL_TIMEOUT_MS` have passed since it started
 * (after on-event), then the framework answers a bare "Operation timed out". When the next poll
 * might come after that, is-complete fails by itself instead, saying what it was waiting for.
 * Returns "after <elapsed> (the provider's totalTimeout is <total>)", or undefined to wait on
 * (also when the provider did not say its timeouts).
 */
export function stopWaiting(startedAt: number, now = Date.now()): string | undefined {
  const total = Number(process.env[HandlerEnv.TOTAL_TIMEOUT_MS]);
  const interval = Number(process.env[HandlerEnv.QUERY_INTERVAL_MS]);
  if (!(total > 0) || !(interval > 0)) return undefined;
  const elapsed = now - startedAt;
  return elapsed + interval >= total ? `after ${duration(elapsed)} (the provider's totalTimeout is ${duration(total)})` : undefined;
}

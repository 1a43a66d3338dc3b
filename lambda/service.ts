import { AmplifyBackendClient, AmplifyBackendServiceException } from '@aws-sdk/client-amplifybackend';

let client: AmplifyBackendClient | undefined;

/**
 * The AmplifyBackend client, made once per container. Region, credentials and endpoint come
 * from the standard SDK configuration (AWS_REGION, the role, AWS_ENDPOINT_URL_AMPLIFYBACKEND).
 * Throttling (TooManyRequestsException) and 5xx answers are retried by the SDK's standard mode.
 */
export function amplifyBackend(): AmplifyBackendClient {
  client ??= new AmplifyBackendClient({ maxAttempts: 5 });
  return client;
}

/**
 * The service's answer while another job runs on the same app and environment: a
 * ValidationException whose message says so. Any other ValidationException fails at once.
 */
export function isPendingJob(err: unknown): boolean {
  return err instanceof Error && /already a pending job/i.test(err.message);
}

/** Errors worth another poll rather than a failed deployment. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (['TooManyRequestsException', 'GatewayTimeoutException', 'NotFoundException', 'TimeoutError', 'ECONNRESET'].includes(err.name)) return true;
  const status = (err as AmplifyBackendServiceException).$metadata?.httpStatusCode;
  return status !== undefined && status >= 500;
}

/** "<Operation> failed for <target>: <ErrorName>: <the service's message>" */
export function describeError(operation: string, target: string, err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  return new Error(`${operation} failed for ${target}: ${e.name}: ${e.message}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

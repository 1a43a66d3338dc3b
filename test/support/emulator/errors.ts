/**
 * Errors the AmplifyBackend emulator answers (restJson1: status + `X-Amzn-ErrorType` + `{ message }`),
 * and small helpers shared by its parts.
 */

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

/** Error answered to the client. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function badRequest(message: string): ServiceError {
  return new ServiceError(400, 'BadRequestException', message);
}

export function notFound(resourceType: string, message: string): ServiceError {
  return new ServiceError(404, 'NotFoundException', message, { resourceType });
}

/** Drops undefined members, so absent members are omitted from responses. */
export function compact(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

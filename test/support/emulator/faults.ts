/**
 * Fault injection of the AmplifyBackend emulator: errors and delays answered instead of (or before)
 * the normal answer, 200 answers that carry an `error`, and jobs set to fail.
 */
import { badRequest, notFound, NOT_FOUND_RESOURCE_TYPES, ServiceError } from './errors';
import type { OperationName } from './model';
import type { FaultSpec } from './types';

interface FaultState {
  spec: FaultSpec;
  remaining: number;
}

interface ResponseErrorInjection {
  operation: OperationName;
  message: string;
  remaining: number;
}

export class FaultInjector {
  private faults: FaultState[] = [];
  private responseErrors: ResponseErrorInjection[] = [];
  private nextJobFailures: string[] = [];

  /** Makes the next `times` (default 1) calls, optionally of one operation, fail or wait (see `FaultSpec`). */
  injectFault(spec: FaultSpec): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  /**
   * The next `times` (default 1) successful (200) responses of `operation` carry a non-empty
   * `error` member. The call has no effect: UpdateBackendAPI/CreateBackendAPI/DeleteBackendAPI start
   * no job (the answer has appId, backendEnvironmentName, operation, error and no jobId/status);
   * UpdateBackendConfig/RemoveBackendConfig change nothing; read operations answer normally plus `error`.
   */
  injectResponseError(operation: OperationName, message = 'Injected service error', times = 1): void {
    this.responseErrors.push({ operation, message, remaining: times });
  }

  /** Removes all pending faults, response-error injections and `failNextJob` messages. */
  clearFaults(): void {
    this.faults = [];
    this.responseErrors = [];
    this.nextJobFailures = [];
  }

  /** Number of fault injections (`injectFault`) not used up yet. */
  pendingFaults(): number {
    return this.faults.filter((f) => f.remaining > 0).length;
  }

  /** The next queued `failNextJob` message, if any. */
  takeNextJobFailure(): string | undefined {
    return this.nextJobFailures.shift();
  }

  /** Queues a failure for the next job started through HTTP. */
  failNextJob(message: string): void {
    this.nextJobFailures.push(message);
  }

  takeFault(operation: OperationName, delay: boolean): FaultSpec | undefined {
    const found = this.faults.find((f) => f.remaining > 0
      && (f.spec.kind === 'delay') === delay
      && (f.spec.operation === undefined || f.spec.operation === operation));
    if (!found) return undefined;
    found.remaining--;
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return found.spec;
  }

  faultError(spec: FaultSpec, operation: OperationName): ServiceError {
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

  takeResponseError(operation: OperationName): string | undefined {
    const found = this.responseErrors.find((r) => r.remaining > 0 && r.operation === operation);
    if (!found) return undefined;
    found.remaining--;
    this.responseErrors = this.responseErrors.filter((r) => r.remaining > 0);
    return found.message;
  }
}

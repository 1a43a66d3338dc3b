/**
 * The events the CDK Provider framework hands to the user handlers, and what they answer.
 *
 * The framework hands on-event the CloudFormation request whole, its pre-signed `ResponseURL`
 * included (node_modules/aws-cdk-lib/custom-resources/lib/provider-framework/runtime/framework.js,
 * `invokeUserFunction`), so no event is ever logged whole. It hands is-complete on-event's answer
 * merged over that request (`{ ...cfnRequest, ...onEventResult }`): the same input on every poll,
 * so whatever is-complete needs to know must be in on-event's answer, and nothing a poll learns
 * survives to the next one except in the service.
 */
export interface OnEventRequest<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly ResponseURL?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken: string };
  readonly OldResourceProperties?: P & { readonly ServiceToken: string };
}

/**
 * Top-level members on-event adds to its answer for is-complete. They are not in `Data`, because
 * every member of `Data` becomes an attribute of the resource.
 */
interface HandlerState {
  /**
   * When on-event began, in epoch milliseconds as a string (what `Date.now()` gave on-event's
   * clock). Set on every Create and Update: is-complete counts its grace periods from it (a job
   * not found yet, AccessDenied while IAM catches up).
   */
  readonly StartedAt?: string;
  /**
   * True when on-event could not start the operation (another job pending, throttling, a 5xx or
   * network error that outlasted the SDK's retries, AccessDenied within the grace period):
   * is-complete then starts it, or follows the job started for it, on its polls. An
   * UpdateBackendAPI job created after `StartedAt` counts as this resource's job (on-event's own
   * call was refused, so a job of its own can only come from a later poll).
   */
  readonly Deferred?: boolean;
}

export interface OnEventResponse<D> extends HandlerState {
  readonly PhysicalResourceId: string;
  readonly Data?: D;
}

export type IsCompleteRequest<P, D> = OnEventRequest<P> & OnEventResponse<D>;

export interface IsCompleteResponse<D> {
  readonly IsComplete: boolean;
  /** Only with `IsComplete: true`: the framework refuses Data while the resource is not complete. */
  readonly Data?: Partial<D>;
}


/**
 * What one run of a handler did, logged as ONE JSON line when it ends: which resource and what
 * happened, never the event whole, the ResponseURL, the properties nor the schema text.
 */
export class EventLog {
  private readonly fields: Record<string, unknown> = {};

  constructor(private readonly handler: 'onEvent' | 'isComplete', private readonly event: OnEventRequest<unknown>) {}

  /** Records what happened (`outcome`, job ID and status, a retried error...); the last value of a key wins. */
  note(fields: Record<string, unknown>): void {
    Object.assign(this.fields, fields);
  }

  /** Writes the line. */
  flush(): void {
    const e = this.event as Partial<OnEventResponse<unknown>> & OnEventRequest<unknown>;
    console.log(JSON.stringify({
      handler: this.handler,
      requestType: e.RequestType,
      resourceType: e.ResourceType,
      logicalResourceId: e.LogicalResourceId,
      requestId: e.RequestId,
      physicalResourceId: e.PhysicalResourceId,
      startedAt: e.StartedAt,
      deferred: e.Deferred,
      ...this.fields,
    }));
  }
}

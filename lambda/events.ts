/**
 * The events the CDK Provider framework hands to the user handlers: the CloudFormation request
 * (without its ResponseURL, which is never logged) and, for is-complete, what on-event returned.
 */
export interface OnEventRequest<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken: string };
  readonly OldResourceProperties?: P & { readonly ServiceToken: string };
}

export interface OnEventResponse<D> {
  readonly PhysicalResourceId: string;
  readonly Data?: D;
}

export type IsCompleteRequest<P, D> = OnEventRequest<P> & OnEventResponse<D>;

export interface IsCompleteResponse<D> {
  readonly IsComplete: boolean;
  readonly Data?: Partial<D>;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** One line per event in the function's log: what and where, never the ResponseURL nor the properties. */
export function logEvent(handler: string, event: OnEventRequest<unknown>, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({
    handler,
    requestType: event.RequestType,
    resourceType: event.ResourceType,
    logicalResourceId: event.LogicalResourceId,
    physicalResourceId: event.PhysicalResourceId,
    ...extra,
  }));
}

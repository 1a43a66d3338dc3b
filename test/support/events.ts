/**
 * Typed builders for the events the CDK Provider framework hands to the handler in `lambda/`:
 * on-event requests (Create / Update with OldResourceProperties / Delete) and the is-complete
 * requests made from them. Resource properties are typed against the handler contract, so a
 * test cannot send a property the construct would never write.
 */
import type { IsCompleteRequest, OnEventRequest, OnEventResponse } from '../../lambda/events';
import type { AdminUiLoginResourceProperties, BackendApiResourceProperties } from '../../src/handler-contract';
import { ADMIN_UI_LOGIN_RESOURCE_TYPE, BACKEND_API_RESOURCE_TYPE } from '../../src/handler-contract';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/AmplifyStack/5b0e7f20-0000-11ef-8000-0a1b2c3d4e5f';
export const SERVICE_TOKEN = 'arn:aws:lambda:us-east-1:123456789012:function:AmplifyStack-ProviderframeworkonEvent-AbC123';

type RequestType = OnEventRequest<unknown>['RequestType'];

export interface EventOptions<P> {
  /** The resource's physical ID; CloudFormation sends one with Update and Delete. */
  readonly physicalResourceId?: string;
  /** The properties before an Update. */
  readonly oldProperties?: P;
  /** @default 'Resource' */
  readonly logicalResourceId?: string;
  /** Overrides the resource type, e.g. to send one the handler does not know. */
  readonly resourceType?: string;
}

let requestCounter = 0;
/** Where the fake pre-signed response URLs point. */
const RESPONSE_URL_PREFIX = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/Test/';

/**
 * An on-event request as the Provider framework passes it on: the CloudFormation request whole,
 * its pre-signed ResponseURL included (framework.js `invokeUserFunction` adds it back).
 */
export function onEventRequest<P>(resourceType: string, requestType: RequestType, properties: P, options: EventOptions<P> = {}): OnEventRequest<P> {
  requestCounter += 1;
  return {
    RequestType: requestType,
    ResourceType: options.resourceType ?? resourceType,
    LogicalResourceId: options.logicalResourceId ?? 'Resource',
    StackId: STACK_ID,
    RequestId: `00000000-0000-4000-8000-${String(requestCounter).padStart(12, '0')}`,
    ResponseURL: `${RESPONSE_URL_PREFIX}${requestCounter}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAFAKE%2F20261130%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${'f'.repeat(64)}`,
    ...(options.physicalResourceId !== undefined ? { PhysicalResourceId: options.physicalResourceId } : {}),
    ResourceProperties: { ServiceToken: SERVICE_TOKEN, ...properties },
    ...(options.oldProperties !== undefined ? { OldResourceProperties: { ServiceToken: SERVICE_TOKEN, ...options.oldProperties } } : {}),
  };
}

export type ApiEvent = OnEventRequest<BackendApiResourceProperties>;
export type LoginEvent = OnEventRequest<AdminUiLoginResourceProperties>;

export const apiEvent = {
  create: (p: BackendApiResourceProperties, o: EventOptions<BackendApiResourceProperties> = {}): ApiEvent =>
    onEventRequest(BACKEND_API_RESOURCE_TYPE, 'Create', p, o),
  update: (p: BackendApiResourceProperties, old: BackendApiResourceProperties, physicalResourceId: string, o: EventOptions<BackendApiResourceProperties> = {}): ApiEvent =>
    onEventRequest(BACKEND_API_RESOURCE_TYPE, 'Update', p, { ...o, oldProperties: old, physicalResourceId }),
  delete: (p: BackendApiResourceProperties, physicalResourceId: string, o: EventOptions<BackendApiResourceProperties> = {}): ApiEvent =>
    onEventRequest(BACKEND_API_RESOURCE_TYPE, 'Delete', p, { ...o, physicalResourceId }),
};

export const loginEvent = {
  create: (p: AdminUiLoginResourceProperties, o: EventOptions<AdminUiLoginResourceProperties> = {}): LoginEvent =>
    onEventRequest(ADMIN_UI_LOGIN_RESOURCE_TYPE, 'Create', p, o),
  update: (p: AdminUiLoginResourceProperties, old: AdminUiLoginResourceProperties, physicalResourceId: string, o: EventOptions<AdminUiLoginResourceProperties> = {}): LoginEvent =>
    onEventRequest(ADMIN_UI_LOGIN_RESOURCE_TYPE, 'Update', p, { ...o, oldProperties: old, physicalResourceId }),
  delete: (p: AdminUiLoginResourceProperties, physicalResourceId: string, o: EventOptions<AdminUiLoginResourceProperties> = {}): LoginEvent =>
    onEventRequest(ADMIN_UI_LOGIN_RESOURCE_TYPE, 'Delete', p, { ...o, physicalResourceId }),
};

/** The is-complete request the Provider framework builds: the on-event request merged with on-event's answer. */
export function isCompleteRequest<P, D>(event: OnEventRequest<P>, response: OnEventResponse<D>): IsCompleteRequest<P, D> {
  return { ...event, ...response };
}

/** The event as CloudFormation sends it to a custom resource, with its presigned ResponseURL. */
export function withResponseUrl<E extends OnEventRequest<unknown>>(event: E, responseUrl: string): E & { readonly ResponseURL: string } {
  return { ...event, ResponseURL: responseUrl };
}


/**
 * Entry points of the handler bundle: `index.onEvent` and `index.isComplete`, for both custom
 * resource types of the library, told apart by the event's ResourceType.
 */
import * as adminUiLogin from './admin-ui-login';
import * as backendApi from './backend-api';
import { IsCompleteRequest, IsCompleteResponse, LambdaContext, OnEventRequest, OnEventResponse } from './events';
import { ADMIN_UI_LOGIN_RESOURCE_TYPE, BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';

export async function onEvent(event: OnEventRequest<any>, context: LambdaContext): Promise<OnEventResponse<unknown>> {
  switch (event.ResourceType) {
    case BACKEND_API_RESOURCE_TYPE: return backendApi.onEvent(event, context);
    case ADMIN_UI_LOGIN_RESOURCE_TYPE: return adminUiLogin.onEvent(event);
    default: throw new Error(`cdk-amplify-backend: unknown resource type ${event.ResourceType}`);
  }
}

export async function isComplete(event: IsCompleteRequest<any, any>): Promise<IsCompleteResponse<unknown>> {
  switch (event.ResourceType) {
    case BACKEND_API_RESOURCE_TYPE: return backendApi.isComplete(event);
    case ADMIN_UI_LOGIN_RESOURCE_TYPE: return adminUiLogin.isComplete();
    default: throw new Error(`cdk-amplify-backend: unknown resource type ${event.ResourceType}`);
  }
}

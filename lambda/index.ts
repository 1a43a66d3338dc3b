/**
 * Entry points of the handler bundle: `index.onEvent` and `index.isComplete`, for both custom
 * resource types of the library, told apart by the event's ResourceType. Each run logs one JSON
 * line (`EventLog`), with the full text of an error, and throws errors only through
 * `toReportedError`, so the reason CloudFormation shows is one line that fits its answer.
 */
import * as adminUiLogin from './admin-ui-login';
import * as backendApi from './backend-api';
import { fullText, toReportedError } from './errors';
import { EventLog, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './events';
import { ADMIN_UI_LOGIN_RESOURCE_TYPE, BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';

async function run<T>(handler: 'onEvent' | 'isComplete', event: OnEventRequest<unknown>, fn: (log: EventLog) => Promise<T>): Promise<T> {
  const log = new EventLog(handler, event);
  try {
    return await fn(log);
  } catch (err) {
    log.note({ outcome: 'failed', error: fullText(err) });
    throw toReportedError(err);
  } finally {
    log.flush();
  }
}

/** Lambda passes a context too; no step needs the remaining time any more. */
export async function onEvent(event: OnEventRequest<any>): Promise<OnEventResponse<unknown>> {
  return run<OnEventResponse<unknown>>('onEvent', event, (log) => {
    switch (event.ResourceType) {
      case BACKEND_API_RESOURCE_TYPE: return backendApi.onEvent(event, log);
      case ADMIN_UI_LOGIN_RESOURCE_TYPE: return adminUiLogin.onEvent(event, log);
      default: throw new Error(`cdk-amplify-backend: unknown resource type ${event.ResourceType}`);
    }
  });
}

export async function isComplete(event: IsCompleteRequest<any, any>): Promise<IsCompleteResponse<unknown>> {
  return run<IsCompleteResponse<unknown>>('isComplete', event, (log) => {
    switch (event.ResourceType) {
      case BACKEND_API_RESOURCE_TYPE: return backendApi.isComplete(event, log);
      case ADMIN_UI_LOGIN_RESOURCE_TYPE: return adminUiLogin.isComplete(event, log);
      default: throw new Error(`cdk-amplify-backend: unknown resource type ${event.ResourceType}`);
    }
  });
}

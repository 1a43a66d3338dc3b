import { UpdateBackendConfigCommand } from '@aws-sdk/client-amplifybackend';
import { IsCompleteResponse, OnEventRequest, OnEventResponse, logEvent } from './events';
import { amplifyBackend, describeError } from './service';
import type { AdminUiLoginResourceProperties, AdminUiLoginResponseData } from '../src/handler-contract';
import { allResolved, validateAdminUiLogin } from '../src/validation';

type Event = OnEventRequest<AdminUiLoginResourceProperties>;

export async function onEvent(event: Event): Promise<OnEventResponse<AdminUiLoginResponseData>> {
  logEvent('onEvent', event);
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    // The Admin UI keeps its last login settings: nothing to undo.
    return { PhysicalResourceId: event.PhysicalResourceId ?? p.AppId };
  }
  const errors = validateAdminUiLogin(p, allResolved);
  if (errors.length > 0) throw new Error(errors.join('\n'));

  let out;
  try {
    out = await amplifyBackend().send(new UpdateBackendConfigCommand({ AppId: p.AppId, LoginAuthConfig: p.LoginAuthConfig }));
  } catch (err) {
    throw describeError('UpdateBackendConfig', `app ${p.AppId}`, err);
  }
  if (out.Error) {
    throw new Error(`UpdateBackendConfig failed for app ${p.AppId}: the service answered with an error: ${out.Error}`);
  }
  const applied = out.LoginAuthConfig ?? {};
  return {
    PhysicalResourceId: p.AppId,
    Data: {
      AppId: out.AppId ?? p.AppId,
      BackendManagerAppId: out.BackendManagerAppId ?? '',
      AwsCognitoIdentityPoolId: applied.AwsCognitoIdentityPoolId ?? '',
      AwsCognitoRegion: applied.AwsCognitoRegion ?? '',
      AwsUserPoolsId: applied.AwsUserPoolsId ?? '',
      AwsUserPoolsWebClientId: applied.AwsUserPoolsWebClientId ?? '',
    },
  };
}

/** UpdateBackendConfig is synchronous: done as soon as on-event returned. */
export async function isComplete(): Promise<IsCompleteResponse<AdminUiLoginResponseData>> {
  return { IsComplete: true };
}

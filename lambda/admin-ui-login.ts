/**
 * `Custom::AmplifyAdminUiLoginConfig`: UpdateBackendConfig, which is synchronous and idempotent.
 * When on-event cannot apply it now (`retryLater`: throttling, a 5xx or a network error that
 * outlasted the SDK's retries, a pending job, AccessDenied just after the start), it answers
 * with `Deferred`, and is-complete sends it again on each poll until it succeeds, bounded
 * only by the provider's total timeout.
 */
import { UpdateBackendConfigCommand, UpdateBackendConfigCommandOutput } from '@aws-sdk/client-amplifybackend';
import { rulesBroken } from './errors';
import { EventLog, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './events';
import { amplifyAccessHint, amplifyBackend, call, errorSummary, retryLater, stopWaiting } from './service';
import type { AdminUiLoginResourceProperties, AdminUiLoginResponseData } from '../src/handler-contract';
import { allResolved, validateAdminUiLogin } from '../src/validation';

type Event = OnEventRequest<AdminUiLoginResourceProperties>;
type Poll = IsCompleteRequest<AdminUiLoginResourceProperties, AdminUiLoginResponseData>;

async function update(p: AdminUiLoginResourceProperties): Promise<AdminUiLoginResponseData> {
  const out: UpdateBackendConfigCommandOutput = await call('UpdateBackendConfig', `app ${p.AppId}`,
    () => amplifyBackend().send(new UpdateBackendConfigCommand({ AppId: p.AppId, LoginAuthConfig: p.LoginAuthConfig })),
    amplifyAccessHint('UpdateBackendConfig', p.AppId));
  if (out.Error) {
    throw new Error(`UpdateBackendConfig failed for app ${p.AppId}: the service answered with an error: ${out.Error}`);
  }
  const applied = out.LoginAuthConfig ?? {};
  return {
    AppId: out.AppId ?? p.AppId,
    BackendManagerAppId: out.BackendManagerAppId ?? '',
    AwsCognitoIdentityPoolId: applied.AwsCognitoIdentityPoolId ?? '',
    AwsCognitoRegion: applied.AwsCognitoRegion ?? '',
    AwsUserPoolsId: applied.AwsUserPoolsId ?? '',
    AwsUserPoolsWebClientId: applied.AwsUserPoolsWebClientId ?? '',
  };
}

export async function onEvent(event: Event, log: EventLog): Promise<OnEventResponse<AdminUiLoginResponseData>> {
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    // The Admin UI keeps its last login settings: nothing to undo.
    return { PhysicalResourceId: event.PhysicalResourceId ?? p.AppId };
  }
  const startedAt = Date.now();
  const errors = validateAdminUiLogin(p, allResolved);
  if (errors.length > 0) throw rulesBroken(errors);

  const state = { PhysicalResourceId: p.AppId, StartedAt: String(startedAt) };
  try {
    const data = await update(p);
    log.note({ outcome: 'applied' });
    return { ...state, Data: data };
  } catch (err) {
    const why = retryLater(err, startedAt);
    if (!why) throw err;
    log.note({ outcome: 'deferred to is-complete', why, error: errorSummary(err) });
    return { ...state, Deferred: true };
  }
}

/** Done at once, unless on-event deferred the update: then one more try per poll. */
export async function isComplete(event: Poll, log: EventLog): Promise<IsCompleteResponse<AdminUiLoginResponseData>> {
  if (event.RequestType === 'Delete' || !event.Deferred) return { IsComplete: true };
  const p = event.ResourceProperties;
  const startedAt = Number(event.StartedAt);
  try {
    const data = await update(p);
    log.note({ outcome: 'applied' });
    return { IsComplete: true, Data: data };
  } catch (err) {
    const why = retryLater(err, startedAt);
    if (!why) throw err;
    log.note({ outcome: 'waiting', why, error: errorSummary(err) });
    const late = stopWaiting(startedAt);
    if (late) {
      throw new Error(`AdminUiLoginConfig for app ${p.AppId}: stopped trying ${late}: ${err instanceof Error ? err.message : String(err)}. Nothing was changed: deploy again.`);
    }
    return { IsComplete: false };
  }
}

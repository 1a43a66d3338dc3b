import {
  BackendAPIAuthType,
  BackendAPIResourceConfig,
  GetBackendJobCommand,
  UpdateBackendAPICommand,
  UpdateBackendAPICommandOutput,
} from '@aws-sdk/client-amplifybackend';
import { IsCompleteRequest, IsCompleteResponse, LambdaContext, OnEventRequest, OnEventResponse, logEvent } from './events';
import { amplifyBackend, describeError, isPendingJob, isTransient, sleep } from './service';
import type { ApiAuthProperties, ApiResourceConfigProperties, BackendApiResourceProperties, BackendApiResponseData } from '../src/handler-contract';
import { HandlerEnv } from '../src/handler-contract';
import { allResolved, validateBackendApi } from '../src/validation';

type Event = OnEventRequest<BackendApiResourceProperties>;

/** Time kept back from the function's timeout when waiting out another pending job. */
const SAFETY_MARGIN_MS = 10_000;

function physicalId(p: BackendApiResourceProperties): string {
  return `${p.AppId}/${p.BackendEnvironmentName}/${p.ResourceName}`;
}

function target(p: BackendApiResourceProperties): string {
  return `app ${p.AppId}, environment ${p.BackendEnvironmentName}, API ${p.ResourceName}`;
}

function toSdkAuth(a: ApiAuthProperties): BackendAPIAuthType {
  const s = a.Settings;
  return {
    Mode: a.Mode as BackendAPIAuthType['Mode'],
    Settings: s && {
      ...s,
      // CloudFormation turned the number into a string; the wire wants a double.
      ExpirationTime: s.ExpirationTime === undefined ? undefined : Number(s.ExpirationTime),
    },
  };
}

/** The contract's ResourceConfig as the SDK's input shape. */
export function toSdkResourceConfig(rc: ApiResourceConfigProperties | undefined): BackendAPIResourceConfig | undefined {
  if (!rc) return undefined;
  return {
    ...rc,
    ConflictResolution: rc.ConflictResolution && {
      ResolutionStrategy: rc.ConflictResolution.ResolutionStrategy as NonNullable<BackendAPIResourceConfig['ConflictResolution']>['ResolutionStrategy'],
    },
    DefaultAuthType: rc.DefaultAuthType && toSdkAuth(rc.DefaultAuthType),
    AdditionalAuthTypes: rc.AdditionalAuthTypes?.map(toSdkAuth),
  };
}

export async function onEvent(event: Event, context: LambdaContext): Promise<OnEventResponse<BackendApiResponseData>> {
  logEvent('onEvent', event);
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    // The API existed before the stack and outlives it: nothing to undo.
    return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(p) };
  }
  const errors = validateBackendApi(p, allResolved);
  if (errors.length > 0) throw new Error(errors.join('\n'));

  const command = new UpdateBackendAPICommand({
    AppId: p.AppId,
    BackendEnvironmentName: p.BackendEnvironmentName,
    ResourceName: p.ResourceName,
    ResourceConfig: toSdkResourceConfig(p.ResourceConfig),
  });
  const retryMs = Number(process.env[HandlerEnv.PENDING_JOB_RETRY_MS] ?? '15000');
  let out: UpdateBackendAPICommandOutput;
  for (let attempt = 1; ; attempt++) {
    try {
      out = await amplifyBackend().send(command);
      break;
    } catch (err) {
      if (isPendingJob(err) && context.getRemainingTimeInMillis() > retryMs + SAFETY_MARGIN_MS) {
        logEvent('onEvent', event, { waiting: 'another job is pending on this app and environment', attempt, retryMs });
        await sleep(retryMs);
        continue;
      }
      throw describeError('UpdateBackendAPI', target(p), err);
    }
  }
  if (out.Error) {
    throw new Error(`UpdateBackendAPI failed for ${target(p)}: the service answered with an error: ${out.Error}`);
  }
  if (!out.JobId && p.WaitForCompletion !== 'false') {
    throw new Error(`UpdateBackendAPI for ${target(p)} returned no job ID, so the job cannot be followed (status: ${out.Status ?? 'none'}).`);
  }
  logEvent('onEvent', event, { jobId: out.JobId, status: out.Status });
  return {
    PhysicalResourceId: physicalId(p),
    Data: {
      AppId: out.AppId ?? p.AppId,
      BackendEnvironmentName: out.BackendEnvironmentName ?? p.BackendEnvironmentName,
      JobId: out.JobId ?? '',
      Operation: out.Operation ?? '',
      Status: out.Status ?? '',
      CreateTime: '',
      UpdateTime: '',
    },
  };
}

export async function isComplete(event: IsCompleteRequest<BackendApiResourceProperties, BackendApiResponseData>): Promise<IsCompleteResponse<BackendApiResponseData>> {
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete' || p.WaitForCompletion === 'false') return { IsComplete: true };
  const jobId = event.Data?.JobId ?? '';
  let job;
  try {
    job = await amplifyBackend().send(new GetBackendJobCommand({ AppId: p.AppId, BackendEnvironmentName: p.BackendEnvironmentName, JobId: jobId }));
  } catch (err) {
    // A job may not be visible at once, and throttling or a 5xx outlasting the SDK's retries
    // is no reason to fail a deployment: poll again.
    if (isTransient(err)) {
      logEvent('isComplete', event, { jobId, retrying: `${(err as Error).name}: ${(err as Error).message}` });
      return { IsComplete: false };
    }
    throw describeError('GetBackendJob', `${target(p)}, job ${jobId}`, err);
  }
  logEvent('isComplete', event, { jobId, status: job.Status });
  if (job.Status === 'FAILED') {
    throw new Error(`The Amplify job ${jobId} (${job.Operation ?? 'UpdateBackendAPI'}) for ${target(p)} FAILED: ${job.Error || 'the service gave no reason'}`);
  }
  if (job.Error) {
    throw new Error(`The Amplify job ${jobId} for ${target(p)} reported an error (status ${job.Status ?? 'none'}): ${job.Error}`);
  }
  if (job.Status !== 'COMPLETED') return { IsComplete: false };
  return {
    IsComplete: true,
    Data: {
      Status: job.Status,
      Operation: job.Operation ?? event.Data?.Operation ?? '',
      CreateTime: job.CreateTime ?? '',
      UpdateTime: job.UpdateTime ?? '',
    },
  };
}

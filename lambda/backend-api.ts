/**
 * `Custom::AmplifyBackendApiConfig`: UpdateBackendAPI, which starts an asynchronous job.
 *
 * On-event tries to start the job once (the SDK's own retries apply). When it cannot start now
 * (see `retryLater`: another job pending on the app and environment, throttling, a 5xx or a
 * network error outlasting the SDK's retries, AccessDenied just after the start), it answers
 * with `Deferred` and is-complete does the waiting on its polls, bounded only by the
 * provider's total timeout; no function is held for minutes.
 *
 * Is-complete cannot remember a job it started (it gets the same input on every poll), so it
 * finds this resource's job with ListBackendJobs on the app and environment, and never starts a
 * second one. The rule:
 * - this resource's job is the earliest UpdateBackendAPI job created after on-event began (its
 *   own call was refused, so any job of its own is started by a later poll): RUNNING -> wait;
 *   COMPLETED -> done, its times and status as attributes; FAILED -> fail with its error;
 * - no such job, and a job (any operation) is still running -> wait;
 * - nothing running -> UpdateBackendAPI; once it answers, the next poll finds the job by the list.
 * On-event looks for a job of its own only when the SDK had to try UpdateBackendAPI more than
 * once and a retry met the pending-job refusal: the first attempt may have started the job before
 * its answer was lost. A RUNNING job created since on-event began (less `CLOCK_MARGIN_MS`, 1 s, for
 * the clocks of the function and of the service) is then that job, and on-event follows it. A
 * refusal at the first attempt means another job was there first: never adopted.
 *
 * The one ambiguity: an UpdateBackendAPI job that someone else (the Amplify CLI, Studio, another
 * stack) starts on the same app and environment after on-event began, before this resource has
 * started its own, is taken for this resource's job: the deployment then waits for that job and
 * ends with its outcome, without sending this resource's settings. The service gives no way to
 * tell whose a job is (no client token, no resource name in a job).
 */
import {
  BackendAPIAuthType,
  BackendAPIResourceConfig,
  BackendJobRespObj,
  GetBackendAPICommand,
  GetBackendJobCommand,
  GetBackendJobCommandOutput,
  ListBackendJobsCommand,
  UpdateBackendAPICommand,
  UpdateBackendAPICommandInput,
  UpdateBackendAPICommandOutput,
} from '@aws-sdk/client-amplifybackend';
import { oneLine, rulesBroken } from './errors';
import { EventLog, IsCompleteRequest, IsCompleteResponse, OnEventRequest, OnEventResponse } from './events';
import { readSchema, schemaHint } from './schema';
import {
  CLOCK_MARGIN_MS,
  CallError,
  JOB_NOT_FOUND_GRACE_MS,
  amplifyAccessHint,
  amplifyBackend,
  call,
  describeError,
  errorSummary,
  isNotFound,
  isPendingJob,
  retryLater,
  stopWaiting,
} from './service';
import type { ApiAuthProperties, ApiResourceConfigProperties, BackendApiResourceProperties, BackendApiResponseData } from '../src/handler-contract';
import { WAIT_FOR_COMPLETION } from '../src/handler-contract';
import { allResolved, validateBackendApi } from '../src/validation';

type Event = OnEventRequest<BackendApiResourceProperties>;
type Poll = IsCompleteRequest<BackendApiResourceProperties, BackendApiResponseData>;
type Result = IsCompleteResponse<BackendApiResponseData>;

/** The operation of the jobs UpdateBackendAPI starts, as ListBackendJobs reports it. */
const OPERATION = 'UpdateBackendAPI';
/** Page size of ListBackendJobs: the model's maximum. */
const LIST_PAGE_SIZE = 25;
/** At most this many pages (10,000 jobs) per listing: a guard against a service that never ends its pages. */
const MAX_LIST_PAGES = 400;
/** The job statuses that end a job; AWS's own clients treat every other status as running. */
const TERMINAL = new Set(['COMPLETED', 'FAILED']);

const WAIT: Result = { IsComplete: false };

/**
 * "Not complete yet" while the provider's waiter will poll again; on what may be its last poll, a
 * failure that says what the deployment was waiting for (`stopWaiting`).
 */
function wait(p: BackendApiResourceProperties, startedAt: number, what: string, advice: string): Result {
  const late = stopWaiting(startedAt);
  if (late) throw new Error(`BackendApiConfig for ${target(p)}: stopped waiting ${late}: ${what}. ${advice}`);
  return WAIT;
}

/** What to do when the deployment stopped waiting for this resource's own job. */
const OWN_JOB_ADVICE = 'The job goes on in the service: once it has ended, deploy again; raise the provider\'s totalTimeout if jobs this long are normal.';
/** What to do when the deployment stopped waiting before it could start the update. */
const NOT_STARTED_ADVICE = 'Nothing was changed: deploy again once the app and environment are free.';

/** Whether the deployment waits for the job to end (`waitForCompletion`, true unless set false). */
function waits(p: BackendApiResourceProperties): boolean {
  return p.WaitForCompletion !== WAIT_FOR_COMPLETION.FALSE;
}

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

/**
 * The contract's ResourceConfig as the SDK's input shape, without `ApiName` (the service cannot
 * rename an API: `checkApiName`), with the schema read from S3 when it was shipped as a file;
 * undefined when nothing is left to send (the API keeps its configuration).
 */
function toSdkResourceConfig(rc: ApiResourceConfigProperties | undefined, schemaFromFile?: string): BackendAPIResourceConfig | undefined {
  const { ApiName: _name, ConflictResolution, DefaultAuthType, AdditionalAuthTypes, ...plain } = rc ?? {};
  const out: BackendAPIResourceConfig = { ...plain };
  if (schemaFromFile !== undefined) out.TransformSchema = schemaFromFile;
  if (ConflictResolution) {
    out.ConflictResolution = {
      ResolutionStrategy: ConflictResolution.ResolutionStrategy as NonNullable<BackendAPIResourceConfig['ConflictResolution']>['ResolutionStrategy'],
    };
  }
  if (DefaultAuthType) out.DefaultAuthType = toSdkAuth(DefaultAuthType);
  if (AdditionalAuthTypes) out.AdditionalAuthTypes = AdditionalAuthTypes.map(toSdkAuth);
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The service cannot rename an API (the Amplify CLI's headless update, which it runs, has no
 * name member), so an `apiName` must be the API's name: checked with GetBackendAPI, and never
 * sent. A live API without a name cannot be checked and passes.
 */
async function checkApiName(p: BackendApiResourceProperties, wanted: string): Promise<void> {
  const live = await call('GetBackendAPI', target(p), () => amplifyBackend().send(new GetBackendAPICommand({
    AppId: p.AppId,
    BackendEnvironmentName: p.BackendEnvironmentName,
    ResourceName: p.ResourceName,
  })), amplifyAccessHint('GetBackendAPI', p.AppId));
  if (live.Error) throw new Error(`GetBackendAPI failed for ${target(p)}: the service answered with an error: ${live.Error}`);
  const name = live.ResourceConfig?.ApiName;
  if (name && name !== wanted) {
    throw new Error(`BackendApiConfig: invalid apiName (got ${JSON.stringify(wanted)}): the service cannot rename an API; `
      + `the API ${p.ResourceName} of app ${p.AppId}, environment ${p.BackendEnvironmentName} is named ${JSON.stringify(name)}; `
      + `set apiName to ${JSON.stringify(name)} or leave it out.`);
  }
}

/** Checks the API's name, reads the schema file, and calls UpdateBackendAPI. */
async function startUpdate(p: BackendApiResourceProperties): Promise<UpdateBackendAPICommandOutput> {
  if (p.ResourceConfig?.ApiName !== undefined) await checkApiName(p, p.ResourceConfig.ApiName);
  const loc = p.TransformSchemaLocation;
  const schema = loc
    ? await call('S3 GetObject', `the transform schema s3://${loc.Bucket}/${loc.Key}`, () => readSchema(loc), (err) => schemaHint(loc, err))
    : undefined;
  const input: UpdateBackendAPICommandInput = {
    AppId: p.AppId,
    BackendEnvironmentName: p.BackendEnvironmentName,
    ResourceName: p.ResourceName,
    ResourceConfig: toSdkResourceConfig(p.ResourceConfig, schema),
  };
  const out = await call('UpdateBackendAPI', target(p), () => amplifyBackend().send(new UpdateBackendAPICommand(input)),
    amplifyAccessHint('UpdateBackendAPI', p.AppId));
  if (out.Error) throw new Error(`UpdateBackendAPI failed for ${target(p)}: the service answered with an error: ${out.Error}`);
  return out;
}

/** Every job of the app and environment (optionally of one status), every page. */
async function listJobs(p: BackendApiResourceProperties, status?: string): Promise<BackendJobRespObj[]> {
  const jobs: BackendJobRespObj[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const out = await call('ListBackendJobs', target(p), () => amplifyBackend().send(new ListBackendJobsCommand({
      AppId: p.AppId,
      BackendEnvironmentName: p.BackendEnvironmentName,
      MaxResults: LIST_PAGE_SIZE,
      NextToken: token,
      Status: status,
    })), amplifyAccessHint('ListBackendJobs', p.AppId));
    jobs.push(...(out.Jobs ?? []));
    token = out.NextToken;
    if (!token || seen.has(token)) break;
    seen.add(token);
  }
  return jobs;
}

function createdAt(job: BackendJobRespObj): number {
  const t = Number(job.CreateTime);
  return job.CreateTime && Number.isFinite(t) ? t : Number.NEGATIVE_INFINITY;
}

function isRunning(job: BackendJobRespObj): boolean {
  return !TERMINAL.has(job.Status ?? '');
}

/**
 * This resource's job: the earliest UpdateBackendAPI job created after `after`. A job without a
 * creation time is never taken for it.
 */
function ownJob(jobs: BackendJobRespObj[], after: number): BackendJobRespObj | undefined {
  return jobs
    .filter((j) => (j.Operation === undefined || j.Operation === OPERATION) && createdAt(j) > after)
    .sort((a, b) => createdAt(a) - createdAt(b))[0];
}

/** Every attribute, from a job record or from UpdateBackendAPI's answer (which has no times yet). */
function jobData(p: BackendApiResourceProperties, job: BackendJobRespObj | GetBackendJobCommandOutput | UpdateBackendAPICommandOutput): BackendApiResponseData {
  const times = job as { CreateTime?: string; UpdateTime?: string };
  return {
    AppId: job.AppId ?? p.AppId,
    BackendEnvironmentName: job.BackendEnvironmentName ?? p.BackendEnvironmentName,
    JobId: job.JobId ?? '',
    Operation: job.Operation ?? OPERATION,
    Status: job.Status ?? '',
    CreateTime: times.CreateTime ?? '',
    UpdateTime: times.UpdateTime ?? '',
  };
}

/** Throws when a job ended FAILED or reports an error; true when it COMPLETED. */
function ended(p: BackendApiResourceProperties, job: BackendJobRespObj | GetBackendJobCommandOutput, jobId: string): boolean {
  if (job.Status === 'FAILED') {
    throw new Error(`The Amplify job ${jobId} (${job.Operation ?? OPERATION}) for ${target(p)} FAILED: ${job.Error || 'the service gave no reason'}`);
  }
  if (job.Error) {
    throw new Error(`The Amplify job ${jobId} for ${target(p)} reported an error (status ${job.Status ?? 'none'}): ${job.Error}`);
  }
  return job.Status === 'COMPLETED';
}

/**
 * On-event's check after the service said another job is pending: a RUNNING job created since
 * on-event began is the one its own first attempt started. A failed listing is no failure: the
 * deferred polls list again.
 */
async function runningOwnJob(p: BackendApiResourceProperties, startedAt: number, log: EventLog): Promise<BackendJobRespObj | undefined> {
  try {
    return ownJob((await listJobs(p, 'RUNNING')).filter(isRunning), startedAt - CLOCK_MARGIN_MS);
  } catch (err) {
    log.note({ listJobsFailed: errorSummary(err) });
    return undefined;
  }
}

/** How many times the SDK sent the request that ended in `err`. */
function attempts(err: unknown): number {
  const raw = err instanceof CallError ? err.raw : err;
  return (raw as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
}

export async function onEvent(event: Event, log: EventLog): Promise<OnEventResponse<BackendApiResponseData>> {
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    // The API existed before the stack and outlives it: nothing to undo.
    return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(p) };
  }
  const startedAt = Date.now();
  const errors = validateBackendApi(p, allResolved);
  if (errors.length > 0) throw rulesBroken(errors);

  const state = { PhysicalResourceId: physicalId(p), StartedAt: String(startedAt) };
  let out: UpdateBackendAPICommandOutput;
  try {
    out = await startUpdate(p);
  } catch (err) {
    const why = retryLater(err, startedAt);
    if (!why) throw err;
    if (isPendingJob(err) && attempts(err) > 1) {
      const own = await runningOwnJob(p, startedAt, log);
      if (own) {
        log.note({ outcome: 'following the job this request started', jobId: own.JobId, status: own.Status });
        return { ...state, Data: jobData(p, own) };
      }
    }
    log.note({ outcome: 'deferred to is-complete', why, error: errorSummary(err) });
    return { ...state, Deferred: true };
  }
  if (!out.JobId && waits(p)) {
    throw new Error(`UpdateBackendAPI for ${target(p)} returned no job ID, so the job cannot be followed (status: ${out.Status ?? 'none'}).`);
  }
  log.note({ outcome: 'job started', jobId: out.JobId, status: out.Status });
  return { ...state, Data: jobData(p, out) };
}

export async function isComplete(event: Poll, log: EventLog): Promise<Result> {
  const p = event.ResourceProperties;
  if (event.RequestType === 'Delete') return { IsComplete: true };
  if (event.Deferred) return pollDeferred(event, log);
  if (!waits(p)) return { IsComplete: true };

  const startedAt = Number(event.StartedAt);
  return pollJob(p, event.Data?.JobId ?? '', startedAt, log);
}

/**
 * One poll of the job with GetBackendJob: done with every attribute from its record when
 * COMPLETED, a failure when FAILED, else wait.
 */
async function pollJob(p: BackendApiResourceProperties, jobId: string, startedAt: number, log: EventLog): Promise<Result> {
  let job: GetBackendJobCommandOutput;
  try {
    job = await amplifyBackend().send(new GetBackendJobCommand({ AppId: p.AppId, BackendEnvironmentName: p.BackendEnvironmentName, JobId: jobId }));
  } catch (err) {
    const elapsed = Date.now() - startedAt;
    // A job may not be visible at once: NotFound is waited out for a while, then final.
    const why = isNotFound(err)
      ? (elapsed < JOB_NOT_FOUND_GRACE_MS ? 'the job is not visible yet' : undefined)
      : retryLater(err, startedAt);
    if (why) {
      log.note({ outcome: 'waiting', jobId, why, error: errorSummary(err) });
      return wait(p, startedAt, `GetBackendJob for the Amplify job ${jobId} still fails: ${errorSummary(err)}`, OWN_JOB_ADVICE);
    }
    throw describeError('GetBackendJob', `${target(p)}, job ${jobId}`, err, (e) => (isNotFound(e)
      ? `still not found ${Math.round(elapsed / 1000)} s after the job was started`
      : amplifyAccessHint('GetBackendJob', p.AppId)(e)));
  }
  log.note({ jobId, status: job.Status });
  if (!ended(p, job, jobId)) return wait(p, startedAt, `the Amplify job ${jobId} is still ${job.Status ?? 'without a status'}`, OWN_JOB_ADVICE);
  return { IsComplete: true, Data: { ...jobData(p, job), JobId: job.JobId ?? jobId } };
}

/** A poll after on-event deferred the update: see the rule in the file comment. */
async function pollDeferred(event: Poll, log: EventLog): Promise<Result> {
  const p = event.ResourceProperties;
  const startedAt = Number(event.StartedAt);
  const retryOrThrow = (err: unknown): Result => {
    const why = retryLater(err, startedAt);
    if (!why) throw err;
    log.note({ outcome: 'waiting', why, error: errorSummary(err) });
    return wait(p, startedAt, `the update could not be started: ${oneLine(err instanceof Error ? err.message : String(err))}`, NOT_STARTED_ADVICE);
  };

  let jobs: BackendJobRespObj[];
  try {
    jobs = await listJobs(p);
  } catch (err) {
    return retryOrThrow(err);
  }
  const own = ownJob(jobs, startedAt);
  if (own) {
    log.note({ jobId: own.JobId, status: own.Status });
    const done = ended(p, own, own.JobId ?? '');
    if (done || !waits(p)) return { IsComplete: true, Data: jobData(p, own) };
    // Still running by the list: follow it as any job is followed, with GetBackendJob.
    return pollJob(p, own.JobId ?? '', startedAt, log);
  }
  const running = jobs.find(isRunning);
  if (running) {
    log.note({ outcome: 'waiting', why: 'another job is running on this app and environment', runningJobId: running.JobId, runningOperation: running.Operation });
    return wait(p, startedAt, `another job, ${running.JobId} (${running.Operation ?? 'unknown operation'}), is still ${running.Status ?? 'running'} on the app and environment, `
      + 'so the update was never started', `${NOT_STARTED_ADVICE} A job that never ends has to be ended by AWS Support.`);
  }
  let out: UpdateBackendAPICommandOutput;
  try {
    out = await startUpdate(p);
  } catch (err) {
    return retryOrThrow(err);
  }
  log.note({ outcome: 'job started', jobId: out.JobId, status: out.Status });
  // Waiting: the next poll finds the job by the list, as this one would have.
  if (!waits(p)) return { IsComplete: true, Data: jobData(p, out) };
  return wait(p, startedAt, `the Amplify job ${out.JobId ?? ''} has just been started`, OWN_JOB_ADVICE);
}

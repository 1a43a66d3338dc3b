/**
 * Our handler through its lifecycle: `LocalCloudFormation` (test/support/lifecycle.ts) runs the
 * Provider framework and the bundled handler in this process against the local AmplifyBackend
 * emulator. Measures the time of Create / Update / Delete, the service calls of each, and how long
 * after a job became COMPLETED the resource reaches CREATE_COMPLETE.
 */
import { performance } from 'perf_hooks';
import { appIdOf, discard, ENV_NAME, RESOURCE_NAME, STACK_NAME, synth } from './stacks';
import { AmplifyBackendEmulator, AmplifyBackendEmulatorOptions, RecordedRequest } from '../test/support/emulator';
import { LocalCloudFormation, StackEvent, VirtualClock } from '../test/support/lifecycle';

export type Operation = 'Create' | 'Update' | 'Delete';
export const OPERATIONS: Operation[] = ['Create', 'Update', 'Delete'];

/** The job lengths of the lag runs: they shift the completion across the poll cycle. */
const JOB_MS = [30_000, 33_000, 36_000, 39_000, 42_000];
/** The deployed waiter's interval (the provider's default queryInterval). */
const LAG_INTERVAL_MS = 15_000;

export interface ServiceCalls {
  /** The first run of the process (it also loads the bundle and creates the SDK client). */
  readonly cold: Record<Operation, number>;
  readonly warm: Record<Operation, number[]>;
  readonly calls: Record<Operation, Record<string, number>>;
  readonly callsConsistent: boolean;
  /** Per run: lag from COMPLETED to CREATE_COMPLETE, polls in all, and polls at or after the completion (1 = the first one saw it). */
  readonly lags: Array<{ jobMs: number; lagMs: number; polls: number; pollsAfter: number }>;
  readonly lagIntervalMs: number;
}

function countCalls(requests: RecordedRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of requests) out[r.operation ?? 'UNKNOWN'] = (out[r.operation ?? 'UNKNOWN'] ?? 0) + 1;
  return out;
}

/** An emulator with the app of configuration 0 and its API. */
async function startEmulator(options: AmplifyBackendEmulatorOptions): Promise<AmplifyBackendEmulator> {
  const emulator = await AmplifyBackendEmulator.start(options);
  emulator.addApp(appIdOf(0), { environments: { [ENV_NAME]: { apis: { [RESOURCE_NAME]: { apiName: 'blog' } } } } });
  return emulator;
}

/** `runs` times Create (revision 1), Update (to revision 2), Delete; jobs complete on their first poll. */
async function lifecycleRuns(runs: number, rev1: string, rev2: string): Promise<Array<Record<Operation, { ms: number; calls: Record<string, number> }>>> {
  const emulator = await startEmulator({ pollsUntilComplete: 1 });
  try {
    const out = [];
    for (let run = 0; run < runs; run++) {
      const marks = new Map<string, number>();
      const cfn = new LocalCloudFormation({
        stackName: STACK_NAME,
        endpoint: emulator.endpoint,
        pollIntervalMs: 50,
        onEvent: (e: StackEvent) => marks.set(e.status, performance.now()),
      });
      const phase = async (name: Operation, op: () => Promise<{ status: string; reason?: string }>) => {
        const before = emulator.requests().length;
        const result = await op();
        const [start, end] = [`${name.toUpperCase()}_IN_PROGRESS`, `${name.toUpperCase()}_COMPLETE`];
        if (result.status !== end) throw new Error(`lifecycle ${name}: ${result.status} (${result.reason})`);
        return { ms: marks.get(end)! - marks.get(start)!, calls: countCalls(emulator.requests().slice(before)) };
      };
      out.push({
        Create: await phase('Create', () => cfn.deploy(rev1)),
        Update: await phase('Update', () => cfn.deploy(rev2)),
        Delete: await phase('Delete', () => cfn.destroy()),
      });
    }
    return out;
  } finally {
    await emulator.stop();
  }
}

/**
 * A job that completes by time, polled on the deployed waiter's interval: how long after it became
 * COMPLETED does the resource reach CREATE_COMPLETE? Measured on a virtual clock that the emulator
 * shares (waits pass at once).
 */
async function completionLags(rev1: string): Promise<ServiceCalls['lags']> {
  const clock = new VirtualClock();
  const emulator = await startEmulator({ pollsUntilComplete: Infinity, now: clock.now });
  try {
    const lags: ServiceCalls['lags'] = [];
    for (const jobMs of JOB_MS) {
      emulator.configureJobs({ jobDurationMs: jobMs });
      let completeAt = 0;
      const cfn = new LocalCloudFormation({
        stackName: STACK_NAME,
        endpoint: emulator.endpoint,
        clock,
        onEvent: (e: StackEvent) => { if (e.status === 'CREATE_COMPLETE') completeAt = e.at; },
      });
      const result = await cfn.deploy(rev1);
      if (result.status !== 'CREATE_COMPLETE') throw new Error(`lag run: ${result.status} (${result.reason})`);
      const job = emulator.jobs({ appId: appIdOf(0) }).pop()!;
      const pollsAfter = emulator.requests('GetBackendJob').filter((r) => r.labels.JobId === job.jobId && r.time >= job.updateTime).length;
      lags.push({ jobMs, lagMs: completeAt - job.updateTime, polls: job.pollCount, pollsAfter });
      await cfn.destroy();
      await cfn.close();
    }
    return lags;
  } finally {
    await emulator.stop();
  }
}

export async function measureServiceCalls(runs: number): Promise<ServiceCalls> {
  // Revision 1 (API key 30 days) and revision 2 (90 days) of one configuration.
  const [rev1, rev2] = [30, 90].map((apiKeyDays) => synth({ side: 'ours', n: 1, outputs: true, apiKeyDays }));
  try {
    if (!rev1.dir || !rev2.dir) throw new Error(`lifecycle revisions did not synthesize: ${rev1.error ?? rev2.error}`);
    const phases = await lifecycleRuns(runs, rev1.dir, rev2.dir);
    const calls = Object.fromEntries(OPERATIONS.map((k) => [k, phases[0][k].calls])) as ServiceCalls['calls'];
    return {
      cold: Object.fromEntries(OPERATIONS.map((k) => [k, phases[0][k].ms])) as ServiceCalls['cold'],
      warm: Object.fromEntries(OPERATIONS.map((k) => [k, phases.slice(1).map((p) => p[k].ms)])) as ServiceCalls['warm'],
      calls,
      callsConsistent: phases.every((p) => OPERATIONS.every((k) => JSON.stringify(p[k].calls) === JSON.stringify(calls[k]))),
      lags: await completionLags(rev1.dir),
      lagIntervalMs: LAG_INTERVAL_MS,
    };
  } finally {
    discard(rev1);
    discard(rev2);
  }
}

/**
 * A stand-in for AWS Step Functions, as far as the CDK Provider framework's waiter uses it:
 * StartExecution with the API's checks (execution name, input size), and an interpreter for
 * state machines of Lambda `Task` states with `Retry` (IntervalSeconds, MaxAttempts, BackoffRate,
 * MaxDelaySeconds) and `Catch`, waiting on the virtual clock between attempts.
 *
 * Error names and the error output `{ Error, Cause }` follow Step Functions: a Lambda task that
 * fails has `Error` = the runtime's `errorType` and `Cause` = the function's error payload as a
 * string; `States.ALL` matches every error but `States.DataLimitExceeded` and `States.Runtime`.
 */
import { randomUUID } from 'crypto';
import { VirtualClock } from './clock';
import { LambdaFunction, LambdaService, serviceError } from './lambda';
import { Json } from './template';

/** StartExecution's limit on `input`, and Step Functions' limit on a state's input and output (UTF-8 bytes). */
export const MAX_PAYLOAD_BYTES = 262_144;
/** StartExecution's limit on an execution name. */
export const MAX_EXECUTION_NAME_LENGTH = 80;

export interface StateMachine {
  readonly arn: string;
  readonly definition: Json;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** One execution, as DescribeExecution / the execution history would tell. */
export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: ExecutionStatus;
  /** Virtual epoch ms. */
  readonly startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  /** Every task attempt: state name, virtual time it started, and the error it ended with, if any. */
  readonly attempts: Array<{ state: string; at: number; error?: string }>;
}

export interface StepFunctionsPlatform {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly accountId: string;
  readonly lambda: LambdaService;
  /** The state machine an ARN designates, and the function a task's `Resource` names. */
  stateMachine(arn: string): StateMachine | undefined;
  taskFunction(resource: string): LambdaFunction | undefined;
  /** Aborts when nobody waits for this execution any more (CloudFormation gave up on the request). */
  signalFor(executionName: string): AbortSignal | undefined;
  /** A fault of the stand-in itself while running an execution. */
  onStandInError(executionName: string, error: Error): void;
  /** Told of each task attempt (1-based per state), for progress display. */
  onTaskAttempt?(executionName: string, stateName: string, attempt: number): void;
}

const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export class StepFunctionsService {
  readonly executions: Execution[] = [];

  constructor(private readonly platform: StepFunctionsPlatform) {}

  /** StartExecution: checks the request as the API does, then runs the execution in the background. */
  async startExecution(req: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }> {
    const input = req.input ?? '{}';
    const name = req.name ?? randomUUID();
    if (name.length > MAX_EXECUTION_NAME_LENGTH) {
      throw serviceError('ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to ${MAX_EXECUTION_NAME_LENGTH}`, 400);
    }
    if (Buffer.byteLength(input, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw serviceError('ValidationException', `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to ${MAX_PAYLOAD_BYTES} bytes in UTF-8 encoding`, 400);
    }
    if (NAME_FORBIDDEN.test(name)) throw serviceError('InvalidName', `Invalid Name: '${name}'`, 400);
    const machine = this.platform.stateMachine(req.stateMachineArn);
    if (!machine) throw serviceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${req.stateMachineArn}'`, 400);
    let parsed: Json;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw serviceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: \'Unexpected character\'', 400);
    }
    const machineName = machine.arn.split(':').pop();
    const executionArn = `arn:aws:states:${this.platform.region}:${this.platform.accountId}:execution:${machineName}:${name}`;
    if (this.executions.some((e) => e.executionArn === executionArn)) {
      throw serviceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`, 400);
    }
    const execution: Execution = {
      executionArn, stateMachineArn: machine.arn, name, input, status: 'RUNNING', startDate: this.platform.clock.now(), attempts: [],
    };
    this.executions.push(execution);
    const signal = this.platform.signalFor(name);
    this.run(execution, machine.definition, parsed, signal).catch((err: Error) => {
      execution.status = 'FAILED';
      execution.error = 'StandIn.Error';
      execution.cause = String(err?.stack ?? err);
      execution.stopDate = this.platform.clock.now();
      this.platform.onStandInError(name, err);
    });
    return { executionArn, startDate: new Date(execution.startDate) };
  }

  private async run(execution: Execution, definition: Json, input: Json, signal: AbortSignal | undefined): Promise<void> {
    const clock = this.platform.clock;
    let stateName: string = definition.StartAt;
    let data = input;
    const stop = (status: ExecutionStatus, error?: string, cause?: string) => {
      execution.status = status;
      execution.stopDate = clock.now();
      if (error) execution.error = error;
      if (cause) execution.cause = cause;
    };
    for (;;) {
      const state = definition.States?.[stateName];
      if (!state) throw new Error(`state machine ${execution.stateMachineArn} has no state ${stateName}`);
      if (state.Type !== 'Task') throw new Error(`the Step Functions stand-in runs Task states only; ${stateName} is a ${state.Type}`);
      const fn = this.platform.taskFunction(state.Resource);
      if (!fn) throw new Error(`Task ${stateName}: no Lambda function of this stack is ${state.Resource}`);
      const retryCounts = new Map<Json, number>();
      let next: { kind: 'output'; value: Json } | { kind: 'caught'; value: Json; to: string } | undefined;
      while (!next) {
        if (signal?.aborted) return stop('ABORTED');
        const attempt: { state: string; at: number; error?: string } = { state: stateName, at: clock.now() };
        execution.attempts.push(attempt);
        this.platform.onTaskAttempt?.(execution.name, stateName, execution.attempts.filter((a) => a.state === stateName).length);
        const result = await this.platform.lambda.invoke(fn, JSON.stringify(data));
        const text = new TextDecoder().decode(result.Payload);
        if (!result.FunctionError) {
          if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
            attempt.error = 'States.DataLimitExceeded';
            return stop('FAILED', 'States.DataLimitExceeded', `The state/task '${state.Resource}' returned a result with a size exceeding the maximum number of bytes service limit.`);
          }
          next = { kind: 'output', value: JSON.parse(text) };
          break;
        }
        const errorName = String(JSON.parse(text)?.errorType ?? 'Lambda.Unknown');
        attempt.error = errorName;
        const retrier = (state.Retry ?? []).find((r: Json) => matches(r.ErrorEquals, errorName));
        if (retrier) {
          const count = retryCounts.get(retrier) ?? 0;
          if (count < (retrier.MaxAttempts ?? 3)) {
            retryCounts.set(retrier, count + 1);
            let waitMs = (retrier.IntervalSeconds ?? 1) * 1000 * Math.pow(retrier.BackoffRate ?? 2, count);
            if (retrier.MaxDelaySeconds !== undefined) waitMs = Math.min(waitMs, retrier.MaxDelaySeconds * 1000);
            try {
              await clock.sleep(waitMs, signal);
            } catch {
              return stop('ABORTED');
            }
            continue;
          }
        }
        const catcher = (state.Catch ?? []).find((c: Json) => matches(c.ErrorEquals, errorName));
        if (!catcher) return stop('FAILED', errorName, text);
        next = { kind: 'caught', value: { Error: errorName, Cause: text }, to: catcher.Next };
      }
      if (next.kind === 'caught') {
        stateName = next.to;
        data = next.value;
        continue;
      }
      if (state.End) return stop('SUCCEEDED');
      stateName = state.Next;
      data = next.value;
    }
  }
}

function matches(errorEquals: string[] | undefined, name: string): boolean {
  return (errorEquals ?? []).some((e) => e === name || (e === 'States.ALL' && name !== 'States.DataLimitExceeded' && name !== 'States.Runtime'));
}

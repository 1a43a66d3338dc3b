/**
 * Public types of the local CloudFormation stand-in (see `./cloudformation.ts`).
 */
import type { VirtualClock } from './clock';
import type { Props } from './template';

export type ResourceStatus =
  | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED' | 'NOT_STARTED';

export type StackStatus =
  | 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE' | 'DELETE_FAILED';

/** One line of the stack's event log, as `describe-stack-events` would show it. */
export interface StackEvent {
  readonly logicalId: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason?: string;
  readonly physicalId?: string;
  /** Virtual time (epoch ms) on the stand-in's clock. */
  readonly at: number;
}

export interface ResourceState {
  readonly logicalId: string;
  readonly type: string;
  status: ResourceStatus;
  reason?: string;
  physicalId?: string;
  /** Resolved properties last applied. */
  properties?: Props;
  /** The attributes the provider returned. */
  data: Record<string, string>;
}

export interface DeployResult {
  readonly status: StackStatus;
  readonly resources: Record<string, ResourceState>;
  readonly outputs: Record<string, string>;
  readonly events: StackEvent[];
  /** The first failure's reason, as the console shows it (`<logical ID>: <status reason>`). */
  readonly reason?: string;
}

/** A request CloudFormation sent to a custom resource's ServiceToken, as sent (ResponseURL included). */
export interface SentRequest {
  readonly logicalId: string;
  readonly requestType: 'Create' | 'Update' | 'Delete';
  readonly requestId: string;
  readonly event: Record<string, any>;
  /** Virtual epoch ms. */
  readonly at: number;
  /** Once answered (or timed out): virtual seconds from the request to CloudFormation's verdict. */
  readonly elapsedSeconds?: number;
  /** Once answered (or timed out): what CloudFormation made of it. */
  readonly outcome?: 'SUCCESS' | 'FAILED';
  /** The status reason, for a FAILED outcome. */
  readonly reason?: string;
}

/** A body PUT to a request's ResponseURL, as CloudFormation read it. */
export interface ReceivedResponse {
  readonly logicalId: string;
  readonly requestId: string;
  /** The raw body. */
  readonly body: string;
  readonly bytes: number;
  /** Virtual epoch ms. */
  readonly at: number;
  /** False when CloudFormation no longer waited for it (it had timed out, or already had an answer). */
  readonly accepted: boolean;
}

export interface LocalCloudFormationOptions {
  /** Stack name, as in the cloud assembly. */
  readonly stackName: string;
  /** Endpoint the handler's SDK calls, set as AWS_ENDPOINT_URL_AMPLIFYBACKEND. */
  readonly endpoint: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Stack parameter values; parameters without one take their Default. */
  readonly parameters?: Record<string, string>;
  /**
   * The clock the stack runs on. Share it with the AmplifyBackend emulator
   * (`AmplifyBackendEmulator.start({ now: clock.now })`) so that jobs age with the waiter's waits.
   * @default a new VirtualClock with `realPauseMs: pollIntervalMs`
   */
  readonly clock?: VirtualClock;
  /**
   * Real time (ms) each wait of the waiter takes at least, so that code outside polls gets a turn;
   * the wait itself (the state machine's IntervalSeconds) passes on the virtual clock. Used only
   * when the stand-in makes its own clock. @default 0
   */
  readonly pollIntervalMs?: number;
  /** The custom resource types the stand-in runs; others get fake physical IDs. @default the library's two types */
  readonly customResourceTypes?: readonly string[];
  /** Told of every stack event as it happens (progress display), and of each is-complete attempt (status `WAITING`). */
  readonly onEvent?: (event: StackEvent) => void;
}

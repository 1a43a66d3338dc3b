/**
 * A local stand-in for CloudFormation, for the custom resources of this library (or of the types
 * named in `customResourceTypes`). From a synthesized cloud assembly it runs the stack's custom
 * resources through Create / Update / Delete and rollback, in dependency order, and reports what
 * CloudFormation would show: each resource's status and reason, the stack outputs and events.
 *
 * It does what CloudFormation does and nothing more: it sends each request, ResponseURL
 * included, to the function the ServiceToken names (asynchronously, as CloudFormation invokes a
 * Lambda-backed custom resource) and waits for a body to be PUT to that URL, up to the resource's
 * `ServiceTimeout`. Everything between (the CDK Provider framework's functions, the user handlers,
 * the waiter state machine) is the stack's own code, run by the Lambda and Step Functions
 * stand-ins (`./lambda.ts`, `./step-functions.ts`) on a virtual clock (`./clock.ts`): the waiter's
 * waits and CloudFormation's timeout pass at once, the functions' work in real time.
 *
 * The limits CloudFormation enforces here, with its wording:
 * - `ServiceTimeout` (default and maximum 3600 s): no answer by then fails the resource with
 *   "CloudFormation did not receive a response from your Custom Resource. ..." (`TIMEOUT_MESSAGE`);
 *   a value outside 1..3600 rejects the template before anything runs.
 * - A response body over 4,096 bytes fails the resource with "Response object is too long.",
 *   whatever it said.
 * - An Update that changes the ServiceToken fails with "Modifying service token is not allowed."
 *   without a request being sent.
 * - A FAILED answer reads "Received response status [FAILED] from custom resource. Message
 *   returned: <Reason> (RequestId: <id>)".
 * - Every `AWS::Lambda::Function` must pass Lambda's checks (Timeout 1..900), or the stack fails
 *   at that function.
 *
 * Not modelled: resources other than the custom resources are not created (they get realistic
 * fake names and ARNs); a stack operation's own timeout; Lambda's payload size limits.
 */
import { createHash, randomUUID } from 'crypto';
import { VirtualClock } from './clock';
import { evaluate, rolePolicies } from './iam';
import { LambdaFunction, LambdaService, roleCredentials } from './lambda';
import { LocalS3, S3Request } from './s3';
import { StepFunctionsService } from './step-functions';
import { Assembly, dependenciesOf, Json, Props, readAssembly, Resolver } from './template';
import type {
  DeployResult, LocalCloudFormationOptions, ReceivedResponse, ResourceState, ResourceStatus, SentRequest, StackEvent, StackStatus,
} from './types';
import { ADMIN_UI_LOGIN_RESOURCE_TYPE, BACKEND_API_RESOURCE_TYPE } from '../../../src/handler-contract';

/** The custom resource types of this library, as the constructs write them. */
const LIBRARY_TYPES = [BACKEND_API_RESOURCE_TYPE, ADMIN_UI_LOGIN_RESOURCE_TYPE];

/** CloudFormation's default and maximum `ServiceTimeout`, in seconds. */
export const MAX_SERVICE_TIMEOUT_SECONDS = 3600;
/** CloudFormation's limit on a custom resource's response body, in bytes. */
export const MAX_RESPONSE_BYTES = 4096;
/** How long the pre-signed ResponseURL stays valid, in seconds. */
const RESPONSE_URL_EXPIRES_SECONDS = 7200;

/** CloudFormation's status reason when no response came within ServiceTimeout. */
export function timeoutMessage(requestId: string): string {
  return `CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}]. `
    + 'If you are using the Python cfn-response module, you may need to update your Lambda function code so that CloudFormation can attach the updated version.';
}
export const RESPONSE_TOO_LONG_MESSAGE = 'Response object is too long.';
export const SERVICE_TOKEN_CHANGED_MESSAGE = 'Modifying service token is not allowed.';
/** CloudFormation's status reason for a FAILED response. */
export function failedResponseMessage(reason: string, requestId: string): string {
  return `Received response status [FAILED] from custom resource. Message returned: ${reason} (RequestId: ${requestId})`;
}

/** A stack operation CloudFormation refuses before it starts (the API call itself fails). */
export class CloudFormationValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

interface Pending {
  readonly logicalId: string;
  readonly requestId: string;
  readonly hostname: string;
  readonly path: string;
  readonly expiresAt: number;
  readonly controller: AbortController;
  settled: boolean;
  settle(outcome: { body: string } | { standInError: Error }): void;
}

type Outcome =
  | { ok: true; physicalId: string; data: Record<string, string> }
  | { ok: false; reason: string; physicalId?: string; requestId?: string };

/**
 * A stack, deployed locally: `deploy()` creates or updates it from a cloud assembly, `destroy()`
 * deletes it. Call `close()` when done (it stops the local S3 endpoint).
 */
export class LocalCloudFormation {
  /** The clock the stack runs on. */
  readonly clock: VirtualClock;
  /** Every line the user handlers logged, in order: what their CloudWatch log groups would hold. */
  readonly handlerLogs: string[] = [];
  /** Every line the Provider framework's own functions logged (onEvent, isComplete, onTimeout). */
  readonly frameworkLogs: string[] = [];
  /** Every request sent to a custom resource, as sent (ResponseURL included). */
  readonly requests: SentRequest[] = [];
  /** Every body PUT to a ResponseURL. */
  readonly responses: ReceivedResponse[] = [];

  private readonly region: string;
  private readonly accountId: string;
  private readonly types: ReadonlySet<string>;
  private readonly resolver: Resolver;
  private readonly lambda: LambdaService;
  private readonly sfn: StepFunctionsService;
  /** The assembly last applied and the state of its resources. */
  private deployed?: { asm: Assembly; resources: Record<string, ResourceState> };
  /** The assemblies of the operation in progress (new and old during an update). */
  private inPlay: Assembly[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly closedUrls = new Map<string, string>();
  private s3?: LocalS3;

  constructor(private readonly options: LocalCloudFormationOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.types = new Set(options.customResourceTypes ?? LIBRARY_TYPES);
    this.clock = options.clock ?? new VirtualClock({ realPauseMs: options.pollIntervalMs ?? 0 });
    this.resolver = new Resolver({
      region: this.region,
      accountId: this.accountId,
      stackName: options.stackName,
      parameters: options.parameters,
      isCustomResource: (type) => this.types.has(type),
      customResourcePhysicalId: (id) => this.deployed?.resources[id]?.physicalId,
      customResourceData: (id) => this.deployed?.resources[id]?.data,
    });
    this.lambda = new LambdaService({
      clock: this.clock,
      region: this.region,
      accountId: this.accountId,
      endpoints: () => ({
        AWS_ENDPOINT_URL_AMPLIFYBACKEND: options.endpoint,
        ...(this.s3 ? { AWS_ENDPOINT_URL_S3: this.s3.endpoint } : {}),
      }),
      startExecution: (req) => this.sfn.startExecution(req),
      putResponse: (hostname, urlPath, body) => this.putResponse(hostname, urlPath, body),
      isResponseHost: (hostname) => hostname === this.responseHost(),
      log: (fn, line) => this.log(fn, line),
    }, this.resolver);
    this.sfn = new StepFunctionsService({
      clock: this.clock,
      region: this.region,
      accountId: this.accountId,
      lambda: this.lambda,
      stateMachine: (arn) => this.stateMachine(arn),
      taskFunction: (resource) => this.findFunction(resource),
      signalFor: (name) => this.pending.get(name)?.controller.signal,
      onStandInError: (name, err) => this.pending.get(name)?.settle({ standInError: err }),
      onTaskAttempt: (name, state, n) => this.onTaskAttempt(name, state, n),
    });
  }

  /** The resources as they stand after the last operation. */
  get resources(): Record<string, ResourceState> {
    return this.deployed?.resources ?? {};
  }

  /** Step Functions executions so far (the Provider framework's waiter runs). */
  get executions() {
    return this.sfn.executions;
  }

  /** Requests the local S3 endpoint received (file assets read by the functions). */
  get s3Requests(): readonly S3Request[] {
    return this.s3?.requests ?? [];
  }

  /** Creates the stack, or updates it when it exists. Rejects with a CloudFormationValidationError when CloudFormation would refuse the template. */
  async deploy(cdkOut: string): Promise<DeployResult> {
    const asm = readAssembly(cdkOut, this.options.stackName);
    this.validateTemplate(asm);
    await this.ensureS3();
    return this.deployed ? this.update(asm) : this.create(asm);
  }

  /** Deletes every resource of the stack, dependents first. */
  async destroy(): Promise<DeployResult> {
    const events: StackEvent[] = [];
    if (!this.deployed) return { status: 'DELETE_COMPLETE', resources: {}, outputs: {}, events };
    await this.ensureS3();
    const { asm, resources } = this.deployed;
    this.inPlay = [asm];
    const failures: string[] = [];
    await this.inOrder(asm.template, Object.keys(resources), 'reverse', async (id) => {
      const r = resources[id];
      if (r.status === 'NOT_STARTED' || !r.physicalId) return true;
      const ok = await this.runDelete(asm, r, r.properties!, events);
      if (!ok) failures.push(`${id}: ${r.reason}`);
      return ok;
    });
    const status: StackStatus = failures.length ? 'DELETE_FAILED' : 'DELETE_COMPLETE';
    if (!failures.length) this.deployed = undefined;
    return { status, resources, outputs: {}, events, reason: failures[0] };
  }

  /** Waits for the function runs still finishing, then stops the local S3 endpoint. */
  async close(): Promise<void> {
    await this.lambda.idle();
    await this.s3?.close();
    this.s3 = undefined;
  }

  /** Resolves intrinsic functions the way CloudFormation would, with realistic names for what the stand-in does not create. */
  resolve(template: Json, value: Json): Json {
    return this.resolver.resolve(template, value);
  }

  // ------------------------------------------------------------------ stack operations

  private async create(asm: Assembly): Promise<DeployResult> {
    const events: StackEvent[] = [];
    const resources: Record<string, ResourceState> = {};
    for (const [id, r] of this.customResources(asm.template)) {
      resources[id] = { logicalId: id, type: r.Type, status: 'NOT_STARTED', data: {} };
    }
    this.deployed = { asm, resources };
    this.inPlay = [asm];
    let failure = this.functionFailure(asm, 'CREATE', events);
    if (!failure) {
      await this.inOrder(asm.template, Object.keys(resources), 'forward', async (id) => {
        if (failure) return false;
        const ok = await this.runCreateOrUpdate(asm, resources[id], 'Create', events);
        if (!ok) failure ??= `${id}: ${resources[id].reason}`;
        return ok;
      });
    }
    if (!failure) {
      return { status: 'CREATE_COMPLETE', resources, outputs: this.outputs(asm.template), events };
    }
    // Rollback: CloudFormation deletes what it created, the failed resource included.
    let rollbackFailed = false;
    await this.inOrder(asm.template, Object.keys(resources), 'reverse', async (id) => {
      const r = resources[id];
      if (r.status === 'NOT_STARTED') return true;
      const ok = await this.runDelete(asm, r, r.properties ?? {}, events);
      rollbackFailed ||= !ok;
      return true;
    });
    this.deployed = undefined;
    return { status: rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE', resources, outputs: {}, events, reason: failure };
  }

  private async update(asm: Assembly): Promise<DeployResult> {
    const events: StackEvent[] = [];
    const old = this.deployed!;
    const oldAsm = old.asm;
    const resources: Record<string, ResourceState> = {};
    const replaced: ResourceState[] = [];
    const touched: Array<{ state: ResourceState; before: ResourceState }> = [];
    for (const [id, r] of this.customResources(asm.template)) {
      resources[id] = old.resources[id] ? { ...old.resources[id] } : { logicalId: id, type: r.Type, status: 'NOT_STARTED', data: {} };
    }
    this.deployed = { asm, resources };
    this.inPlay = [asm, oldAsm];
    let failure = this.functionFailure(asm, 'UPDATE', events);
    if (!failure) {
      await this.inOrder(asm.template, Object.keys(resources), 'forward', async (id) => {
        if (failure) return false;
        const state = resources[id];
        const before = { ...state, data: { ...state.data } };
        if (state.status === 'NOT_STARTED') {
          const ok = await this.runCreateOrUpdate(asm, state, 'Create', events);
          touched.push({ state, before });
          if (!ok) failure ??= `${id}: ${state.reason}`;
          return ok;
        }
        const props = this.resolver.resolve(asm.template, asm.template.Resources[id].Properties);
        if (JSON.stringify(props) === JSON.stringify(state.properties)) return true; // CloudFormation sends no Update
        if (props.ServiceToken !== state.properties?.ServiceToken) {
          // Refused before any request is sent: there is nothing to roll back on this resource.
          this.emit(events, state, 'UPDATE_IN_PROGRESS');
          state.status = 'UPDATE_FAILED';
          state.reason = SERVICE_TOKEN_CHANGED_MESSAGE;
          this.emit(events, state, 'UPDATE_FAILED', state.reason);
          failure ??= `${id}: ${state.reason}`;
          return false;
        }
        const ok = await this.runCreateOrUpdate(asm, state, 'Update', events);
        touched.push({ state, before });
        if (!ok) failure ??= `${id}: ${state.reason}`;
        else if (state.physicalId !== before.physicalId) replaced.push(before);
        return ok;
      });
    }

    if (failure) {
      // Update rollback: the resources already changed get an Update back to their old properties;
      // new ones are deleted.
      let rollbackFailed = false;
      for (const { state, before } of touched.reverse()) {
        if (before.status === 'NOT_STARTED') {
          if (state.status !== 'NOT_STARTED') rollbackFailed ||= !(await this.runDelete(asm, state, state.properties ?? {}, events));
          continue;
        }
        const ok = await this.runCreateOrUpdate(oldAsm, state, 'Update', events, before.properties, true);
        rollbackFailed ||= !ok;
        if (ok && state.physicalId !== before.physicalId) {
          rollbackFailed ||= !(await this.runDelete(asm, { ...before, physicalId: state.physicalId }, state.properties ?? {}, events));
          state.physicalId = before.physicalId;
        }
      }
      // The stack is back on the old template; its resources keep the state the rollback left.
      this.deployed = { asm: oldAsm, resources: Object.fromEntries(Object.keys(old.resources).map((k) => [k, resources[k] ?? old.resources[k]])) };
      return {
        status: rollbackFailed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE', resources, outputs: {}, events, reason: failure,
      };
    }

    // Cleanup phase: replaced resources (new physical ID) and removed resources are deleted.
    for (const before of replaced) {
      await this.runDelete(oldAsm, before, before.properties ?? {}, events);
    }
    for (const [id, r] of Object.entries(old.resources)) {
      if (!resources[id] && r.status !== 'NOT_STARTED') await this.runDelete(oldAsm, r, r.properties ?? {}, events);
    }
    return { status: 'UPDATE_COMPLETE', resources, outputs: this.outputs(asm.template), events };
  }

  /** CloudFormation's template checks that concern the stand-in: each custom resource's ServiceTimeout. */
  private validateTemplate(asm: Assembly): void {
    for (const [id, r] of this.customResources(asm.template)) {
      const raw = r.Properties?.ServiceTimeout;
      if (raw === undefined) continue;
      const value = this.resolver.resolve(asm.template, raw);
      const n = Number(value);
      if (!/^\d+$/.test(String(value)) || n < 1 || n > MAX_SERVICE_TIMEOUT_SECONDS) {
        // Wording not confirmed against CloudFormation; the limit is its documented one.
        throw new CloudFormationValidationError(
          `Template error: resource ${id} has ServiceTimeout ${JSON.stringify(value)}; ServiceTimeout must be an integer from 1 to ${MAX_SERVICE_TIMEOUT_SECONDS} (seconds)`);
      }
    }
  }

  /** Lambda's checks on the template's functions: the first failing function fails the stack before any custom resource runs. */
  private functionFailure(asm: Assembly, verb: 'CREATE' | 'UPDATE', events: StackEvent[]): string | undefined {
    const [problem] = this.lambda.validate(asm);
    if (!problem) return undefined;
    const fn = { logicalId: problem.logicalId, type: 'AWS::Lambda::Function', status: 'NOT_STARTED' as ResourceStatus, data: {} };
    this.emit(events, fn, `${verb}_IN_PROGRESS`);
    this.emit(events, fn, `${verb}_FAILED`, problem.message);
    return `${problem.logicalId}: ${problem.message}`;
  }

  /** Runs `fn` for each resource once the resources it depends on (forward) or its dependents (reverse) are done, in parallel otherwise, as CloudFormation does. */
  private async inOrder(template: Json, ids: string[], direction: 'forward' | 'reverse', fn: (id: string) => Promise<boolean>): Promise<void> {
    const deps = new Map<string, Set<string>>();
    for (const id of ids) deps.set(id, new Set());
    for (const id of ids) {
      for (const d of dependenciesOf(template, id)) {
        if (!deps.has(d)) continue;
        if (direction === 'forward') deps.get(id)!.add(d);
        else deps.get(d)!.add(id);
      }
    }
    const done = new Map<string, Promise<boolean>>();
    const run = (id: string): Promise<boolean> => {
      let p = done.get(id);
      if (!p) {
        p = Promise.all([...deps.get(id)!].map(run)).then((oks) => (oks.every(Boolean) ? fn(id) : false));
        done.set(id, p);
      }
      return p;
    };
    await Promise.all(ids.map(run));
  }

  private async runCreateOrUpdate(asm: Assembly, state: ResourceState, requestType: 'Create' | 'Update', events: StackEvent[], propsOverride?: Props, rollback = false): Promise<boolean> {
    const props = propsOverride ?? this.resolver.resolve(asm.template, asm.template.Resources[state.logicalId].Properties);
    const verb = requestType === 'Create' ? 'CREATE' : 'UPDATE';
    this.emit(events, state, `${verb}_IN_PROGRESS`, rollback ? 'rollback' : undefined);
    const outcome = await this.send(asm, state, requestType, props, requestType === 'Update' ? state.properties : undefined);
    // What CloudFormation tried to apply: a rollback sends it as OldResourceProperties.
    state.properties = props;
    if (outcome.ok) {
      state.physicalId = outcome.physicalId;
      state.data = outcome.data;
      state.status = `${verb}_COMPLETE` as ResourceStatus;
      state.reason = undefined;
      this.emit(events, state, state.status);
      return true;
    }
    state.status = `${verb}_FAILED` as ResourceStatus;
    state.reason = outcome.reason;
    if (outcome.physicalId) state.physicalId = outcome.physicalId;
    // A Create that got no usable answer has no physical ID; the rollback's Delete then names the
    // request (the stand-in's choice: CloudFormation's own is not documented).
    else if (requestType === 'Create') state.physicalId ??= outcome.requestId;
    this.emit(events, state, state.status, state.reason);
    return false;
  }

  private async runDelete(asm: Assembly, state: ResourceState, props: Props, events: StackEvent[]): Promise<boolean> {
    this.emit(events, state, 'DELETE_IN_PROGRESS');
    const outcome = await this.send(asm, state, 'Delete', props);
    if (outcome.ok) {
      state.status = 'DELETE_COMPLETE';
      state.reason = undefined;
      this.emit(events, state, 'DELETE_COMPLETE');
      return true;
    }
    state.status = 'DELETE_FAILED';
    state.reason = outcome.reason;
    this.emit(events, state, 'DELETE_FAILED', state.reason);
    return false;
  }

  // ------------------------------------------------------------------ one request

  /** Sends one request to the ServiceToken's function and waits for the answer at the ResponseURL, up to ServiceTimeout. */
  private async send(asm: Assembly, state: ResourceState, requestType: 'Create' | 'Update' | 'Delete', props: Props, oldProps?: Props): Promise<Outcome> {
    const requestId = randomUUID();
    const started = this.clock.now();
    const stackId = this.stackId();
    const host = this.responseHost();
    const date = new Date(started).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    const signature = createHash('sha256').update(`${requestId}/${state.logicalId}`).digest('hex');
    const urlPath = `/${encodeURIComponent(stackId)}%7C${state.logicalId}%7C${requestId}`
      + `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-SignedHeaders=host&X-Amz-Expires=${RESPONSE_URL_EXPIRES_SECONDS - 1}`
      + `&X-Amz-Credential=AKIA6LOCALSTANDIN000%2F${date.slice(0, 8)}%2F${this.region}%2Fs3%2Faws4_request&X-Amz-Signature=${signature}`;
    const event: Json = {
      RequestType: requestType,
      ServiceToken: props.ServiceToken,
      ResponseURL: `https://${host}${urlPath}`,
      StackId: stackId,
      RequestId: requestId,
      LogicalResourceId: state.logicalId,
      ...(requestType !== 'Create' ? { PhysicalResourceId: state.physicalId } : {}),
      ResourceType: state.type,
      ResourceProperties: props,
      ...(requestType === 'Update' ? { OldResourceProperties: oldProps } : {}),
    };
    const sent: SentRequest = { logicalId: state.logicalId, requestType, requestId, event, at: started };
    this.requests.push(sent);
    // The function as it stands now: during an update (and its rollback) it already has the new
    // template's code and settings; it is rolled back only after the resources that use it.
    const fn = typeof props.ServiceToken === 'string' ? this.findFunction(props.ServiceToken) ?? this.lambda.find(asm, props.ServiceToken) : undefined;
    if (!fn) return this.finish(sent, { ok: false, reason: `ServiceToken ${JSON.stringify(props.ServiceToken)} is not a Lambda function of this stack (the stand-in runs Lambda-backed custom resources only)` });

    const controller = new AbortController();
    let settle!: Pending['settle'];
    const answered = new Promise<{ body: string } | { standInError: Error }>((resolve) => { settle = resolve; });
    const pending: Pending = {
      logicalId: state.logicalId,
      requestId,
      hostname: host,
      path: urlPath,
      expiresAt: started + RESPONSE_URL_EXPIRES_SECONDS * 1000,
      controller,
      settled: false,
      settle: (outcome) => {
        if (pending.settled) return;
        pending.settled = true;
        settle(outcome);
      },
    };
    this.pending.set(requestId, pending);
    const serviceTimeout = Number(props.ServiceTimeout ?? MAX_SERVICE_TIMEOUT_SECONDS);
    const deadline = this.clock.sleep(serviceTimeout * 1000, controller.signal).then(() => 'timeout' as const, () => 'aborted' as const);
    this.lambda.invokeAsync(fn, JSON.stringify(event), controller.signal).catch((err: Error) => pending.settle({ standInError: err }));
    const outcome = await Promise.race([answered, deadline]);
    pending.settled = true;
    controller.abort(new Error('CloudFormation stopped waiting for this request'));
    this.pending.delete(requestId);
    this.closedUrls.set(`${host}${urlPath}`, state.logicalId);

    if (outcome === 'timeout' || outcome === 'aborted') return this.finish(sent, { ok: false, reason: timeoutMessage(requestId) });
    if ('standInError' in outcome) return this.finish(sent, { ok: false, reason: `stand-in error (not AWS behaviour): ${outcome.standInError.stack ?? outcome.standInError}` });
    if (Buffer.byteLength(outcome.body, 'utf8') > MAX_RESPONSE_BYTES) return this.finish(sent, { ok: false, reason: RESPONSE_TOO_LONG_MESSAGE });
    let response: Json;
    try {
      response = JSON.parse(outcome.body);
    } catch {
      return this.finish(sent, { ok: false, reason: `Invalid response object: the body is not JSON: ${outcome.body.slice(0, 200)}` });
    }
    if (response.Status === 'FAILED') {
      return this.finish(sent, { ok: false, reason: failedResponseMessage(String(response.Reason ?? ''), requestId), physicalId: response.PhysicalResourceId });
    }
    if (response.Status !== 'SUCCESS') return this.finish(sent, { ok: false, reason: `Invalid response object: Status ${JSON.stringify(response.Status)}` });
    return this.finish(sent, { ok: true, physicalId: String(response.PhysicalResourceId), data: stringify(response.Data ?? {}) });
  }

  /** Records CloudFormation's verdict on the request. */
  private finish(sent: SentRequest, outcome: Outcome): Outcome {
    Object.assign(sent, { elapsedSeconds: (this.clock.now() - sent.at) / 1000, outcome: outcome.ok ? 'SUCCESS' : 'FAILED', reason: outcome.ok ? undefined : outcome.reason });
    return outcome.ok ? outcome : { ...outcome, requestId: sent.requestId };
  }

  /** A PUT to the response bucket: accepted when it is to a URL CloudFormation issued and still waits on. */
  private putResponse(hostname: string, urlPath: string, body: string): number {
    const at = this.clock.now();
    const bytes = Buffer.byteLength(body, 'utf8');
    for (const p of this.pending.values()) {
      if (p.hostname !== hostname || p.path !== urlPath) continue;
      if (at > p.expiresAt) return 403; // Request has expired
      const accepted = !p.settled;
      this.responses.push({ logicalId: p.logicalId, requestId: p.requestId, body, bytes, at, accepted });
      p.settle({ body });
      return 200;
    }
    const late = this.closedUrls.get(`${hostname}${urlPath}`);
    if (late !== undefined) {
      const requestId = decodeURIComponent(urlPath.split('?')[0]).split('|').pop()!;
      this.responses.push({ logicalId: late, requestId, body, bytes, at, accepted: false });
      return 200;
    }
    return 403; // SignatureDoesNotMatch: not a URL CloudFormation issued
  }

  private onTaskAttempt(executionName: string, stateName: string, attempt: number): void {
    const p = this.pending.get(executionName);
    if (!p || !/isComplete/i.test(stateName)) return;
    const state = this.deployed?.resources[p.logicalId];
    this.options.onEvent?.({ logicalId: p.logicalId, resourceType: state?.type ?? '', status: 'WAITING', reason: `is-complete poll ${attempt}`, at: this.clock.now() });
  }

  // ------------------------------------------------------------------ lookups

  private stateMachine(arn: string): { arn: string; definition: Json } | undefined {
    for (const asm of this.inPlay) {
      const t = asm.template;
      for (const [id, r] of Object.entries<Json>(t.Resources ?? {})) {
        if (r.Type !== 'AWS::StepFunctions::StateMachine' || this.resolver.ref(t, id) !== arn) continue;
        const p = r.Properties ?? {};
        const definition = p.Definition !== undefined ? this.resolver.resolve(t, p.Definition) : JSON.parse(this.resolver.resolve(t, p.DefinitionString));
        return { arn, definition };
      }
    }
    return undefined;
  }

  private findFunction(arnOrName: string): LambdaFunction | undefined {
    for (const asm of this.inPlay) {
      const fn = this.lambda.find(asm, arnOrName);
      if (fn) return fn;
    }
    return undefined;
  }

  private customResources(template: Json): Array<[string, Json]> {
    return Object.entries<Json>(template.Resources ?? {}).filter(([, r]) => this.types.has(r.Type));
  }

  private outputs(template: Json): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, o] of Object.entries<Json>(template.Outputs ?? {})) out[id] = String(this.resolver.resolve(template, o.Value));
    return out;
  }

  private stackId(): string {
    const guid = createHash('sha256').update(`${this.accountId}/${this.region}/${this.options.stackName}`).digest('hex');
    return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.options.stackName}/${guid.slice(0, 8)}-${guid.slice(8, 12)}-${guid.slice(12, 16)}-${guid.slice(16, 20)}-${guid.slice(20, 32)}`;
  }

  private responseHost(): string {
    return `cloudformation-custom-resource-response-${this.region.replace(/-/g, '')}.s3.amazonaws.com`;
  }

  // ------------------------------------------------------------------ S3 and IAM

  private async ensureS3(): Promise<void> {
    if (this.s3) return;
    this.s3 = await LocalS3.start({
      region: this.region,
      now: this.clock.now,
      object: (bucket, key) => {
        for (const asm of this.inPlay.length ? this.inPlay : this.deployed ? [this.deployed.asm] : []) {
          const file = asm.files.find((f) => this.resolver.placeholders(f.bucketName) === bucket && f.objectKey === key);
          if (file) return { path: file.path, packaging: file.packaging };
        }
        return undefined;
      },
      principal: (accessKeyId) => {
        for (const asm of this.inPlay) {
          for (const fn of this.lambda.functions(asm).values()) {
            const session = roleCredentials(fn.roleArn);
            if (!fn.roleId || session.accessKeyId !== accessKeyId) continue;
            const roleName = fn.roleArn.split('/').pop();
            return { arn: `arn:aws:sts::${this.accountId}:assumed-role/${roleName}/${fn.name}`, roleId: fn.roleId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken };
          }
        }
        return undefined;
      },
      authorize: (principal, action, resourceArn) => evaluate(rolePolicies(this.effectiveTemplate(), principal.roleId, this.resolver), action, resourceArn),
    });
  }

  /**
   * The resources that exist while an operation runs: during an update (and its rollback) the new
   * template's resources, plus the old template's that the new one drops (CloudFormation deletes
   * those only in the cleanup after a successful update).
   */
  private effectiveTemplate(): Json {
    const [current, previous] = this.inPlay;
    if (!previous) return current?.template ?? { Resources: {} };
    const dropped = Object.entries<Json>(previous.template.Resources ?? {}).filter(([id]) => !(id in (current.template.Resources ?? {})));
    return {
      ...current.template,
      Parameters: { ...previous.template.Parameters, ...current.template.Parameters },
      Resources: { ...Object.fromEntries(dropped), ...current.template.Resources },
    };
  }

  // ------------------------------------------------------------------ logs and events

  private log(fn: LambdaFunction, line: string): void {
    if (fn.isFramework) {
      this.frameworkLogs.push(line);
      return;
    }
    this.handlerLogs.push(line);
  }

  private emit(events: StackEvent[], state: { logicalId: string; type: string; physicalId?: string }, status: string, reason?: string): void {
    const event: StackEvent = { logicalId: state.logicalId, resourceType: state.type, status, reason, physicalId: state.physicalId, at: this.clock.now() };
    events.push(event);
    this.options.onEvent?.(event);
  }
}

function stringify(data: Record<string, Json>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

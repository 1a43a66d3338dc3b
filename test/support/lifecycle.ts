/**
 * A local stand-in for CloudFormation and the CDK Provider framework, for the custom resources
 * of this library. From a synthesized cloud assembly it finds the `Custom::AmplifyBackendApiConfig`
 * and `Custom::AmplifyAdminUiLoginConfig` resources, resolves their properties (parameters,
 * pseudo parameters and references to other resources get fake values), follows the
 * ServiceToken to the user handler functions, loads their bundled asset as Lambda would (the
 * function's `Handler` property in the asset folder) and runs Create / Update / Delete, polling
 * is-complete on the waiter's interval as the Provider framework does. It reports what
 * CloudFormation would show: each resource's status and reason, and the stack outputs.
 *
 * It knows nothing of the handler's internals: the SDK inside the bundle is pointed at an
 * endpoint only through the standard environment variables (`AWS_ENDPOINT_URL_AMPLIFYBACKEND`,
 * credentials, region).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const LIBRARY_TYPES = new Set(['Custom::AmplifyBackendApiConfig', 'Custom::AmplifyAdminUiLoginConfig']);

type Json = any;
type Props = Record<string, Json>;

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
  /** The first failure's reason, as the console shows it. */
  readonly reason?: string;
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
  /** Physical IDs or attribute values for resources outside this library, by logical ID (and `LogicalId.Attr`). */
  readonly fakeValues?: Record<string, string>;
  /** Interval between is-complete polls. @default the waiter state machine's IntervalSeconds */
  readonly pollIntervalMs?: number;
  /** Told of every stack event as it happens (progress display). */
  readonly onEvent?: (event: StackEvent) => void;
  /**
   * Receives each line the handler logs. The handler's console output is captured, as
   * CloudWatch Logs would hold it, into `handlerLogs`; it is not printed.
   */
  readonly onHandlerLog?: (line: string) => void;
}

interface Handlers {
  onEvent: (event: Json, context: Json) => Promise<Json>;
  isComplete: (event: Json, context: Json) => Promise<Json>;
  onEventTimeoutMs: number;
  isCompleteTimeoutMs: number;
  environment: Record<string, string>;
  pollIntervalMs: number;
  maxPolls: number;
}

interface Assembly {
  readonly dir: string;
  readonly template: Json;
  readonly assetPaths: Map<string, string>;
}

/** Loads the template and the asset folders (by S3 object key) of one stack of a cloud assembly. */
export function readAssembly(cdkOut: string, stackName: string): Assembly {
  const manifest = JSON.parse(fs.readFileSync(path.join(cdkOut, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts[stackName];
  if (!artifact) throw new Error(`no stack ${stackName} in ${cdkOut}`);
  const template = JSON.parse(fs.readFileSync(path.join(cdkOut, artifact.properties.templateFile), 'utf8'));
  const assetPaths = new Map<string, string>();
  for (const [, a] of Object.entries<Json>(manifest.artifacts)) {
    if (a.type !== 'cdk:asset-manifest') continue;
    const assets = JSON.parse(fs.readFileSync(path.join(cdkOut, a.properties.file), 'utf8'));
    for (const file of Object.values<Json>(assets.files ?? {})) {
      for (const dest of Object.values<Json>(file.destinations ?? {})) {
        assetPaths.set(dest.objectKey, path.join(cdkOut, file.source.path));
      }
    }
  }
  return { dir: cdkOut, template, assetPaths };
}

/**
 * A stack, deployed locally: `deploy()` creates or updates it from a cloud assembly,
 * `destroy()` deletes it.
 */
export class LocalCloudFormation {
  private readonly region: string;
  private readonly accountId: string;
  /** The assembly last applied and the state of its resources. */
  private deployed?: { asm: Assembly; resources: Record<string, ResourceState> };
  private readonly moduleCache = new Map<string, Json>();
  private inFlight = 0;
  private savedConsole?: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>;
  /** Every line the handler logged, in order: what its CloudWatch log group would hold. */
  readonly handlerLogs: string[] = [];

  constructor(private readonly options: LocalCloudFormationOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
  }

  /** The resources as they stand after the last operation. */
  get resources(): Record<string, ResourceState> {
    return this.deployed?.resources ?? {};
  }

  /** Creates the stack, or updates it when it exists. */
  async deploy(cdkOut: string): Promise<DeployResult> {
    const asm = readAssembly(cdkOut, this.options.stackName);
    return this.deployed ? this.update(asm) : this.create(asm);
  }

  /** Deletes every resource of the stack, dependents first. */
  async destroy(): Promise<DeployResult> {
    const events: StackEvent[] = [];
    if (!this.deployed) return { status: 'DELETE_COMPLETE', resources: {}, outputs: {}, events };
    const { asm, resources } = this.deployed;
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

  private async create(asm: Assembly): Promise<DeployResult> {
    const events: StackEvent[] = [];
    const resources: Record<string, ResourceState> = {};
    for (const [id, r] of libraryResources(asm.template)) {
      resources[id] = { logicalId: id, type: r.Type, status: 'NOT_STARTED', data: {} };
    }
    this.deployed = { asm, resources };
    let failure: string | undefined;
    await this.inOrder(asm.template, Object.keys(resources), 'forward', async (id) => {
      if (failure) return false;
      const ok = await this.runCreateOrUpdate(asm, resources[id], 'Create', events);
      if (!ok) failure ??= `${id}: ${resources[id].reason}`;
      return ok;
    });
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
    for (const [id, r] of libraryResources(asm.template)) {
      resources[id] = old.resources[id] ? { ...old.resources[id] } : { logicalId: id, type: r.Type, status: 'NOT_STARTED', data: {} };
    }
    this.deployed = { asm, resources };
    let failure: string | undefined;
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
      const props = this.resolve(asm.template, asm.template.Resources[id].Properties);
      if (JSON.stringify(props) === JSON.stringify(state.properties)) return true; // CloudFormation sends no Update
      const ok = await this.runCreateOrUpdate(asm, state, 'Update', events);
      touched.push({ state, before });
      if (!ok) failure ??= `${id}: ${state.reason}`;
      else if (state.physicalId !== before.physicalId) replaced.push(before);
      return ok;
    });

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
      return { status: rollbackFailed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE', resources, outputs: {}, events, reason: failure };
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
    const template = asm.template;
    const props = propsOverride ?? this.resolve(template, template.Resources[state.logicalId].Properties);
    const oldProps = state.properties;
    const verb = requestType === 'Create' ? 'CREATE' : 'UPDATE';
    this.emit(events, state, `${verb}_IN_PROGRESS`, rollback ? 'rollback' : undefined);
    const request: Json = {
      RequestType: requestType,
      ServiceToken: props.ServiceToken,
      ResourceType: state.type,
      LogicalResourceId: state.logicalId,
      StackId: `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.options.stackName}/00000000-0000-0000-0000-000000000000`,
      RequestId: `${state.logicalId}-${requestType}-${Date.now()}`,
      ResourceProperties: props,
      ...(requestType === 'Update' ? { PhysicalResourceId: state.physicalId, OldResourceProperties: oldProps } : {}),
    };
    try {
      const h = this.handlers(asm, props.ServiceToken);
      const onEvent = await this.invoke(h.onEvent, request, h.onEventTimeoutMs, h.environment);
      // The Provider framework's rules for the on-event answer.
      const physicalId: string = onEvent?.PhysicalResourceId ?? (requestType === 'Create' ? request.RequestId : state.physicalId);
      const waiting: Json = { ...request, ...onEvent, PhysicalResourceId: physicalId, Data: { ...(onEvent?.Data ?? {}) } };
      const complete = await this.poll(h, waiting, state);
      state.physicalId = physicalId;
      state.properties = props;
      state.data = stringify({ ...waiting.Data, ...(complete.Data ?? {}) });
      state.status = `${verb}_COMPLETE` as ResourceStatus;
      state.reason = undefined;
      this.emit(events, state, state.status);
      return true;
    } catch (err) {
      state.status = `${verb}_FAILED` as ResourceStatus;
      state.reason = (err as Error).message;
      // The framework answers a failed Create with the request ID as physical ID.
      if (requestType === 'Create') state.physicalId ??= request.RequestId;
      // What CloudFormation tried to apply: a rollback sends it as OldResourceProperties.
      state.properties = props;
      this.emit(events, state, state.status, state.reason);
      return false;
    }
  }

  private async runDelete(asm: Assembly, state: ResourceState, props: Props, events: StackEvent[]): Promise<boolean> {
    this.emit(events, state, 'DELETE_IN_PROGRESS');
    const request: Json = {
      RequestType: 'Delete',
      ServiceToken: props.ServiceToken,
      ResourceType: state.type,
      LogicalResourceId: state.logicalId,
      StackId: `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.options.stackName}/00000000-0000-0000-0000-000000000000`,
      RequestId: `${state.logicalId}-Delete-${Date.now()}`,
      PhysicalResourceId: state.physicalId,
      ResourceProperties: props,
    };
    try {
      const h = this.handlers(asm, props.ServiceToken);
      const onEvent = await this.invoke(h.onEvent, request, h.onEventTimeoutMs, h.environment);
      if (onEvent?.PhysicalResourceId && onEvent.PhysicalResourceId !== state.physicalId) {
        throw new Error(`DELETE: cannot change the physical resource ID from "${state.physicalId}" to "${onEvent.PhysicalResourceId}" during deletion`);
      }
      await this.poll(h, { ...request, ...onEvent }, state);
      state.status = 'DELETE_COMPLETE';
      state.reason = undefined;
      this.emit(events, state, 'DELETE_COMPLETE');
      return true;
    } catch (err) {
      state.status = 'DELETE_FAILED';
      state.reason = (err as Error).message;
      this.emit(events, state, 'DELETE_FAILED', state.reason);
      return false;
    }
  }

  /** The waiter state machine: is-complete at once, then every interval, until the attempts run out. */
  private async poll(h: Handlers, event: Json, state: ResourceState): Promise<Json> {
    for (let attempt = 0; attempt <= h.maxPolls; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, h.pollIntervalMs));
      const result = await this.invoke(h.isComplete, event, h.isCompleteTimeoutMs, h.environment);
      if (result?.IsComplete) return result;
      if (result?.Data && Object.keys(result.Data).length > 0) {
        throw new Error('"Data" is not allowed if "IsComplete" is "False"');
      }
      this.options.onEvent?.({ logicalId: state.logicalId, resourceType: state.type, status: 'WAITING', reason: `is-complete poll ${attempt + 1}`, at: Date.now() });
    }
    throw new Error(`Operation timed out: ${JSON.stringify({ RequestType: event.RequestType, LogicalResourceId: event.LogicalResourceId })}`);
  }

  private async invoke(fn: (e: Json, c: Json) => Promise<Json>, event: Json, timeoutMs: number, environment: Record<string, string>): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    Object.assign(process.env, environment, {
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ENDPOINT_URL_AMPLIFYBACKEND: this.options.endpoint,
      // Fake credentials always: a developer's real ones never sign requests to a local endpoint.
      AWS_ACCESS_KEY_ID: 'AKIDLOCALSTACKDRIVER',
      AWS_SECRET_ACCESS_KEY: 'local-driver-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      // The deployed function runs on Lambda's Node.js 22; this process may be older.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    // The framework hands the user function the event without its pre-signed ResponseURL.
    const { ResponseURL: _omitted, ...sanitized } = event;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)), timeoutMs);
    });
    this.captureConsole();
    try {
      return await Promise.race([fn(sanitized, { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) }), timeout]);
    } finally {
      clearTimeout(timer);
      this.releaseConsole();
    }
  }

  /** While a handler runs, its console output goes to `handlerLogs`, as Lambda sends it to CloudWatch. */
  private captureConsole(): void {
    if (this.inFlight++ > 0) return;
    this.savedConsole = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    const sink = (...args: unknown[]) => {
      const line = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message}` : JSON.stringify(a))).join(' ');
      this.handlerLogs.push(line);
      this.options.onHandlerLog?.(line);
    };
    console.log = console.info = console.warn = console.error = console.debug = sink;
  }

  private releaseConsole(): void {
    if (--this.inFlight > 0 || !this.savedConsole) return;
    Object.assign(console, this.savedConsole);
    this.savedConsole = undefined;
  }

  /** Follows the ServiceToken (the framework's on-event function) to the user functions and loads their code. */
  private handlers(asm: Assembly, serviceToken: Json): Handlers {
    const template = asm.template;
    const frameworkId = typeof serviceToken === 'string' ? serviceToken.replace(/^fake:(.*)\.Arn$/, '$1') : undefined;
    const framework = frameworkId ? template.Resources[frameworkId] : undefined;
    if (!framework || framework.Type !== 'AWS::Lambda::Function') throw new Error(`ServiceToken ${JSON.stringify(serviceToken)} is not a function of this stack`);
    const vars = framework.Properties.Environment.Variables;
    const userFn = (name: string) => {
      const id = vars[name]?.['Fn::GetAtt']?.[0];
      const fn = template.Resources[id];
      if (!fn) throw new Error(`the provider framework has no ${name}`);
      const [file, exported] = fn.Properties.Handler.split('.');
      const dir = asm.assetPaths.get(fn.Properties.Code.S3Key);
      if (!dir) throw new Error(`no asset for ${id} (S3Key ${fn.Properties.Code.S3Key})`);
      const modulePath = path.join(dir, `${file}.js`);
      let mod = this.moduleCache.get(modulePath);
      if (!mod) {
        // Loaded as Lambda loads it: the file named by the Handler property, from the asset folder.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mod = require(modulePath);
        this.moduleCache.set(modulePath, mod);
      }
      if (typeof mod[exported] !== 'function') throw new Error(`${modulePath} exports no function ${exported}`);
      return { fn: mod[exported], timeoutMs: (fn.Properties.Timeout ?? 3) * 1000, env: this.resolve(template, fn.Properties.Environment?.Variables ?? {}) };
    };
    const onEvent = userFn('USER_ON_EVENT_FUNCTION_ARN');
    const isComplete = userFn('USER_IS_COMPLETE_FUNCTION_ARN');
    const waiter = template.Resources[vars.WAITER_STATE_MACHINE_ARN?.Ref];
    const definition = waiter ? JSON.stringify(waiter.Properties.DefinitionString) : '';
    const interval = Number(/IntervalSeconds\\":(\d+)/.exec(definition)?.[1] ?? 5);
    const attempts = Number(/MaxAttempts\\":(\d+)/.exec(definition)?.[1] ?? 360);
    return {
      onEvent: onEvent.fn,
      isComplete: isComplete.fn,
      onEventTimeoutMs: onEvent.timeoutMs,
      isCompleteTimeoutMs: isComplete.timeoutMs,
      environment: { ...onEvent.env, ...isComplete.env },
      pollIntervalMs: this.options.pollIntervalMs ?? interval * 1000,
      maxPolls: attempts,
    };
  }

  private outputs(template: Json): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, o] of Object.entries<Json>(template.Outputs ?? {})) out[id] = String(this.resolve(template, o.Value));
    return out;
  }

  /** Resolves intrinsic functions the way CloudFormation would, with fake values for what is not ours. */
  resolve(template: Json, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(template, v));
    if (value === null || typeof value !== 'object') return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(template, arg);
        case 'Fn::GetAtt': return this.getAtt(template, arg[0], arg[1]);
        case 'Fn::Join': return (this.resolve(template, arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(template, arg[1])[Number(this.resolve(template, arg[0]))];
        case 'Fn::Split': return String(this.resolve(template, arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
          return text.replace(/\$\{([^}]+)\}/g, (_: string, name: string) => {
            if (vars[name] !== undefined) return this.resolve(template, vars[name]);
            return name.includes('.') && !name.startsWith('AWS::') ? this.getAtt(template, ...(name.split('.') as [string, string])) : this.ref(template, name);
          });
        }
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(template, value[k])]));
  }

  private ref(template: Json, name: string): string {
    switch (name) {
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return this.accountId;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.options.stackName;
      case 'AWS::NoValue': return undefined as unknown as string;
    }
    const param = template.Parameters?.[name];
    if (param) {
      const v = this.options.parameters?.[name] ?? param.Default;
      if (v === undefined) throw new Error(`parameter ${name} has no value`);
      return String(v);
    }
    const fake = this.options.fakeValues?.[name];
    if (fake !== undefined) return fake;
    const r = template.Resources?.[name];
    if (!r) throw new Error(`Ref to unknown ${name}`);
    if (LIBRARY_TYPES.has(r.Type)) return this.deployed?.resources[name]?.physicalId ?? `pending:${name}`;
    return fakePhysicalId(name, r.Type, this.region);
  }

  private getAtt(template: Json, id: string, attr: string): string {
    const fake = this.options.fakeValues?.[`${id}.${attr}`];
    if (fake !== undefined) return fake;
    const r = template.Resources?.[id];
    if (!r) throw new Error(`Fn::GetAtt of unknown resource ${id}`);
    if (LIBRARY_TYPES.has(r.Type)) {
      const state = this.deployed?.resources[id];
      if (!state || !(attr in state.data)) throw new Error(`CustomResource attribute error: Vendor response doesn't contain ${attr} attribute in object ${id}`);
      return state.data[attr];
    }
    if (attr === 'Arn' && r.Type === 'AWS::Lambda::Function') return `fake:${id}.Arn`;
    return `${id}.${attr}`;
  }

  private emit(events: StackEvent[], state: ResourceState, status: string, reason?: string): void {
    const event: StackEvent = { logicalId: state.logicalId, resourceType: state.type, status, reason, physicalId: state.physicalId, at: Date.now() };
    events.push(event);
    this.options.onEvent?.(event);
  }
}

function libraryResources(template: Json): Array<[string, Json]> {
  return Object.entries<Json>(template.Resources ?? {}).filter(([, r]) => LIBRARY_TYPES.has(r.Type));
}

/** DependsOn plus every Ref / Fn::GetAtt inside the resource. */
function dependenciesOf(template: Json, id: string): Set<string> {
  const r = template.Resources[id];
  const deps = new Set<string>([r.DependsOn ?? []].flat());
  const walk = (v: Json) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    if (typeof v.Ref === 'string') deps.add(v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) deps.add(v['Fn::GetAtt'][0]);
    Object.values(v).forEach(walk);
  };
  walk(r.Properties);
  return deps;
}

/** Physical IDs shaped like the real ones, so the handler's validation sees realistic values. */
export function fakePhysicalId(logicalId: string, type: string, region: string): string {
  const hex = createHash('sha256').update(logicalId).digest('hex');
  const token = parseInt(hex.slice(0, 12), 16).toString(36);
  switch (type) {
    case 'AWS::Cognito::UserPool': return `${region}_${token.padEnd(9, 'X').slice(0, 9)}`;
    case 'AWS::Cognito::UserPoolClient': return `${token}${'0'.repeat(26)}`.slice(0, 26);
    case 'AWS::Cognito::IdentityPool': return `${region}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    default: return `${logicalId}-${token}`;
  }
}

function stringify(data: Record<string, Json>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

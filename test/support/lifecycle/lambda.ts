/**
 * A stand-in for AWS Lambda: runs the functions of a stack from the code in the cloud assembly,
 * the way Lambda's Node.js runtime does.
 *
 * - Each function runs in its own containers (a container per concurrent invocation, kept warm and
 *   reused), each with its own module instances, its own `process.env` (the function's
 *   `Environment.Variables` plus what Lambda sets: region, the role's temporary credentials, the
 *   function's name) and its own `console`, whose lines go to the stand-in's log arrays. Code is
 *   loaded as Lambda loads it: the file named by the `Handler` property, from the asset folder.
 * - An invocation answers as the Invoke API does: `{ StatusCode, FunctionError, Payload }`; an
 *   error thrown by the handler becomes the runtime's error payload `{ errorType, errorMessage,
 *   trace }` (`trace` = the stack split into lines), and a handler that runs past the function's
 *   `Timeout` is stopped with Lambda's timeout payload.
 * - What the runtime provides besides Node: the AWS SDK for the Provider framework's two clients
 *   (`@aws-sdk/client-lambda`, `@aws-sdk/client-sfn`), answered by this stand-in and the Step
 *   Functions stand-in; and `https`, whose requests to CloudFormation's response bucket reach the
 *   stand-in's CloudFormation (everything else goes to the real module).
 * - A function's `Timeout` over 900 or under 1 is rejected as Lambda's API rejects it.
 *
 * Trace lines name files as `/var/task/<file>`, as they read in Lambda, so a failure's reason has
 * the length it would have there (CloudFormation caps a response at 4,096 bytes).
 */
import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import { createRequire } from 'module';
import * as path from 'path';
import * as util from 'util';
import { realNow, VirtualClock } from './clock';
import { Assembly, Json, Resolver } from './template';

/** The Lambda quota on a function's timeout, in seconds. */
export const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Lambda's default timeout when the template sets none. */
export const DEFAULT_FUNCTION_TIMEOUT_SECONDS = 3;

export interface LambdaFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly handler: string;
  readonly codeDir: string;
  readonly timeoutSeconds: number;
  readonly environment: Record<string, string>;
  /** Logical ID of the execution role. */
  readonly roleId?: string;
  readonly roleArn: string;
  /** A function of the CDK Provider framework (`framework.onEvent` / `isComplete` / `onTimeout`): it logs to `frameworkLogs`. */
  readonly isFramework: boolean;
}

/** What Invoke answers (the SDK v3 shape the framework reads). */
export interface InvokeResult {
  readonly StatusCode: number;
  readonly FunctionError?: 'Unhandled';
  readonly Payload: Uint8Array;
  readonly ExecutedVersion: string;
}

/** The other stand-ins a function's runtime reaches. */
export interface LambdaPlatform {
  readonly clock: VirtualClock;
  readonly region: string;
  readonly accountId: string;
  /** Endpoint variables every function gets (AWS_ENDPOINT_URL_<SERVICE>). */
  endpoints(): Record<string, string>;
  /** StartExecution of the Step Functions stand-in. */
  startExecution(request: { stateMachineArn: string; name?: string; input?: string }): Promise<{ executionArn: string; startDate: Date }>;
  /** A PUT to CloudFormation's response bucket; answers the HTTP status S3 would. */
  putResponse(hostname: string, urlPath: string, body: string): number;
  /** Whether `hostname` is CloudFormation's response bucket. */
  isResponseHost(hostname: string): boolean;
  log(fn: LambdaFunction, line: string): void;
}

/** An error shaped like the ones the AWS SDK throws (`name` = the service's error code). */
export function serviceError(name: string, message: string, httpStatusCode: number): Error {
  const Named = { [name]: class extends Error {} }[name];
  Object.defineProperty(Named.prototype, 'name', { value: name });
  return Object.assign(new Named(message), { $fault: httpStatusCode < 500 ? 'client' : 'server', $metadata: { httpStatusCode } });
}

/** The Node.js runtime's error payload (aws-lambda-nodejs-runtime-interface-client, `Errors.toRapidResponse`). */
export function toRapidResponse(error: unknown): Json {
  const e = error as Error;
  if (util.types.isNativeError(error) || (e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string')) {
    return { errorType: e.name, errorMessage: e.message, trace: String(e.stack).split('\n') };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** Temporary credentials Lambda hands a function for its role: fake, but one key per role, so a stand-in service can tell who calls. */
export function roleCredentials(roleArn: string): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  const hash = createHash('sha256').update(roleArn).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const key = [...hash.subarray(0, 16)].map((b) => alphabet[b % 32]).join('');
  return { accessKeyId: `ASIA${key}`, secretAccessKey: `local-stand-in-${hash.toString('hex', 16, 26)}`, sessionToken: `local-stand-in-session-${hash.toString('base64url', 0, 24)}` };
}

const ROOT_REQUIRE = createRequire(path.join(__dirname, '..', '..', '..', 'package.json'));

/** One execution environment of a function: its modules, env and console. */
class Container {
  inUse = false;
  private readonly modules = new Map<string, { exports: Json }>();
  private readonly env: Record<string, string>;
  private readonly processProxy: NodeJS.Process;
  private readonly consoleSink: Console;

  constructor(private readonly fn: LambdaFunction, platform: LambdaPlatform, private readonly service: LambdaService) {
    const creds = roleCredentials(fn.roleArn);
    this.env = {
      ...fn.environment,
      ...platform.endpoints(),
      AWS_REGION: platform.region,
      AWS_DEFAULT_REGION: platform.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(fn.timeoutSeconds),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      TZ: ':UTC',
      // No shared config or credentials file, no instance metadata: a developer's real AWS
      // settings never reach a function run by the stand-in.
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      // The deployed function runs on Lambda's Node.js 22; this process may be older.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const env = this.env;
    this.processProxy = new Proxy(process, { get: (target, prop) => (prop === 'env' ? env : Reflect.get(target, prop)) });
    const write = (...args: unknown[]) => platform.log(fn, util.format(...args));
    this.consoleSink = Object.assign(Object.create(console), { log: write, info: write, warn: write, error: write, debug: write, trace: write });
  }

  handlerFunction(): (event: Json, context: Json, callback?: (err: unknown, result?: Json) => void) => Json {
    const dot = this.fn.handler.lastIndexOf('.');
    const file = this.fn.handler.slice(0, dot);
    const exported = this.fn.handler.slice(dot + 1);
    const mod = this.load(this.resolveFile(path.join(this.fn.codeDir, file)) ?? path.join(this.fn.codeDir, `${file}.js`));
    const handler = mod?.[exported];
    if (typeof handler !== 'function') {
      throw Object.assign(new Error(`${file}.${exported} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
    }
    return handler;
  }

  private load(file: string): Json {
    const cached = this.modules.get(file);
    if (cached) return cached.exports;
    if (!fs.existsSync(file)) {
      throw Object.assign(new Error(`Cannot find module '${path.relative(this.fn.codeDir, file)}'`), { name: 'Runtime.ImportModuleError' });
    }
    const module = { exports: {} as Json };
    this.modules.set(file, module);
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(fs.readFileSync(file, 'utf8'));
      return module.exports;
    }
    const lambdaPath = path.posix.join('/var/task', path.relative(this.fn.codeDir, file).split(path.sep).join('/'));
    const source = fs.readFileSync(file, 'utf8').replace(/^#!.*/, '');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const wrapper = new Function('exports', 'require', 'module', '__filename', '__dirname', 'process', 'console', `${source}\n//# sourceURL=${lambdaPath}`);
    const require = (specifier: string) => this.require(specifier, path.dirname(file));
    wrapper.call(module.exports, module.exports, require, module, file, path.dirname(file), this.processProxy, this.consoleSink);
    return module.exports;
  }

  private require(specifier: string, fromDir: string): Json {
    if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/')) {
      const file = this.resolveFile(path.resolve(fromDir, specifier));
      if (!file) throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
      return this.load(file);
    }
    switch (specifier.replace(/^node:/, '')) {
      case 'https': return this.service.httpsModule;
      case '@aws-sdk/client-lambda': return this.service.lambdaSdk(this.fn);
      case '@aws-sdk/client-sfn': return this.service.sfnSdk();
    }
    return ROOT_REQUIRE(specifier);
  }

  private resolveFile(base: string): string | undefined {
    for (const candidate of [base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')]) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
  }
}

export class LambdaService {
  /** The function runs not yet ended. */
  private readonly running = new Set<Promise<InvokeResult>>();
  private readonly byAssembly = new WeakMap<Assembly, Map<string, LambdaFunction>>();
  private readonly fnAssembly = new WeakMap<LambdaFunction, Assembly>();
  private readonly containers = new Map<string, Container[]>();
  /** `https`, with CloudFormation's response bucket answered by the stand-in. */
  readonly httpsModule: typeof https;

  constructor(private readonly platform: LambdaPlatform, private readonly resolver: Resolver) {
    const realRequest = https.request;
    const fakeRequest = (...args: Json[]): Json => {
      const options = typeof args[0] === 'string' || args[0] instanceof URL ? { ...new URL(String(args[0])), ...(typeof args[1] === 'object' ? args[1] : {}) } : args[0];
      const callback = args.find((a) => typeof a === 'function');
      if (!platform.isResponseHost(options.hostname ?? options.host)) return (realRequest as Json)(...args);
      return this.responseRequest(options, callback);
    };
    this.httpsModule = { ...https, request: fakeRequest } as typeof https;
  }

  /** The Lambda functions of an assembly's template, by logical ID. */
  functions(asm: Assembly): Map<string, LambdaFunction> {
    let fns = this.byAssembly.get(asm);
    if (fns) return fns;
    fns = new Map();
    const template = asm.template;
    for (const [id, r] of Object.entries<Json>(template.Resources ?? {})) {
      if (r.Type !== 'AWS::Lambda::Function') continue;
      const p = r.Properties ?? {};
      const name = this.resolver.functionName(template, id);
      const roleArn = p.Role !== undefined ? String(this.resolver.resolve(template, p.Role)) : '';
      const roleId = p.Role?.['Fn::GetAtt']?.[0];
      const codeDir = asm.assetPaths.get(p.Code?.S3Key) ?? '';
      fns.set(id, {
        logicalId: id,
        name,
        arn: `arn:aws:lambda:${this.platform.region}:${this.platform.accountId}:function:${name}`,
        handler: String(p.Handler ?? ''),
        codeDir,
        timeoutSeconds: p.Timeout !== undefined ? Number(this.resolver.resolve(template, p.Timeout)) : DEFAULT_FUNCTION_TIMEOUT_SECONDS,
        environment: this.resolver.resolve(template, p.Environment?.Variables ?? {}),
        roleId,
        roleArn,
        isFramework: /^framework\.(onEvent|isComplete|onTimeout)$/.test(String(p.Handler ?? '')),
      });
    }
    this.byAssembly.set(asm, fns);
    for (const fn of fns.values()) this.fnAssembly.set(fn, asm);
    return fns;
  }

  /** The function an ARN or name designates, or undefined. */
  find(asm: Assembly, arnOrName: string): LambdaFunction | undefined {
    for (const fn of this.functions(asm).values()) if (fn.arn === arnOrName || fn.name === arnOrName) return fn;
    return undefined;
  }

  /** Lambda's API checks on the template's functions: the first problem per function, as CloudFormation reports it. */
  validate(asm: Assembly): Array<{ logicalId: string; message: string }> {
    const problems: Array<{ logicalId: string; message: string }> = [];
    for (const fn of this.functions(asm).values()) {
      const t = fn.timeoutSeconds;
      let detail: string | undefined;
      if (!Number.isInteger(t)) detail = `Value '${t}' at 'timeout' failed to satisfy constraint: Member must be an integer`;
      else if (t > MAX_FUNCTION_TIMEOUT_SECONDS) detail = `Value '${t}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to ${MAX_FUNCTION_TIMEOUT_SECONDS}`;
      else if (t < 1) detail = `Value '${t}' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1`;
      if (detail) {
        problems.push({
          logicalId: fn.logicalId,
          message: `Resource handler returned message: "1 validation error detected: ${detail} (Service: Lambda, Status Code: 400, Request ID: ${randomUUID()})" (RequestToken: ${randomUUID()}, HandlerErrorCode: InvalidRequest)`,
        });
      }
    }
    return problems;
  }

  /** Invoke with InvocationType RequestResponse: runs the handler and answers as the Invoke API does. */
  async invoke(fn: LambdaFunction, payload: string): Promise<InvokeResult> {
    const run = this.run(fn, payload);
    this.running.add(run);
    return run.finally(() => this.running.delete(run));
  }

  /**
   * Waits until no function runs. CloudFormation goes on as soon as a response arrives, while the
   * function that sent it may still be finishing (as in AWS): `LocalCloudFormation.close()` waits
   * for those runs, so nothing of the stand-in outlives it.
   */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async run(fn: LambdaFunction, payload: string): Promise<InvokeResult> {
    return this.platform.clock.busy(() => this.platform.clock.asFunctionTime(async () => {
      const container = this.container(fn);
      const requestId = randomUUID();
      const deadline = realNow() + fn.timeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      try {
        const handler = container.handlerFunction();
        const event = JSON.parse(payload);
        const context = {
          functionName: fn.name,
          functionVersion: '$LATEST',
          invokedFunctionArn: fn.arn,
          memoryLimitInMB: '128',
          awsRequestId: requestId,
          logGroupName: `/aws/lambda/${fn.name}`,
          logStreamName: `${new Date(this.platform.clock.now()).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`,
          callbackWaitsForEmptyEventLoop: true,
          getRemainingTimeInMillis: () => Math.max(0, deadline - realNow()),
        };
        // The handler starts on a fresh turn of the event loop, as in its own runtime process:
        // its error traces hold its own frames, not the stand-in's callers.
        const run = new Promise<Json>((resolve, reject) => {
          setImmediate(() => {
            try {
              const result = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
              if (handler.length < 3 || (result && typeof result.then === 'function')) Promise.resolve(result).then(resolve, reject);
            } catch (err) {
              reject(err);
            }
          });
        });
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), fn.timeoutSeconds * 1000);
        });
        const outcome = await Promise.race([run.then((value) => ({ value })), timeout]);
        if (outcome === 'timeout') {
          // The sandbox is shut down: this container is not used again.
          this.discard(container);
          return this.result(JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` }), true);
        }
        return this.result(outcome.value === undefined ? 'null' : JSON.stringify(outcome.value), false);
      } catch (err) {
        return this.result(JSON.stringify(toRapidResponse(err)), true);
      } finally {
        clearTimeout(timer);
        container.inUse = false;
      }
    }));
  }

  /**
   * Invoke with InvocationType Event, as CloudFormation invokes a custom resource's function: runs
   * in the background; a function error is retried twice, one and then two minutes later, as
   * Lambda retries asynchronous invocations.
   */
  invokeAsync(fn: LambdaFunction, payload: string, signal: AbortSignal): Promise<void> {
    const attempt = async (n: number): Promise<void> => {
      const result = await this.invoke(fn, payload);
      if (!result.FunctionError || n >= 2 || signal.aborted) return;
      await this.platform.clock.sleep((n + 1) * 60_000, signal).catch(() => undefined);
      if (!signal.aborted) await attempt(n + 1);
    };
    return attempt(0);
  }

  /** `@aws-sdk/client-lambda`, as far as the Provider framework uses it. */
  lambdaSdk(caller: LambdaFunction): Json {
    const service = this;
    // The assembly the caller came from: the ARNs it calls resolve against that template.
    const asm = this.fnAssembly.get(caller);
    return {
      Lambda: class {
        async invoke(req: { FunctionName: string; Payload?: string | Uint8Array; InvocationType?: string }): Promise<Json> {
          const target = asm ? service.find(asm, req.FunctionName) : undefined;
          if (!target) throw serviceError('ResourceNotFoundException', `Function not found: ${req.FunctionName}`, 404);
          const payload = typeof req.Payload === 'string' ? req.Payload : Buffer.from(req.Payload ?? '').toString('utf8');
          const result = await service.invoke(target, payload || '{}');
          return { ...result, $metadata: { httpStatusCode: 200 } };
        }
      },
      waitUntilFunctionActiveV2: async () => ({ state: 'SUCCESS' }),
    };
  }

  /** `@aws-sdk/client-sfn`, as far as the Provider framework uses it. */
  sfnSdk(): Json {
    const platform = this.platform;
    return {
      SFN: class {
        async startExecution(req: { stateMachineArn: string; name?: string; input?: string }): Promise<Json> {
          return { ...(await platform.startExecution(req)), $metadata: { httpStatusCode: 200 } };
        }
      },
    };
  }

  private container(fn: LambdaFunction): Container {
    const key = JSON.stringify([fn.logicalId, fn.codeDir, fn.handler, fn.environment, fn.timeoutSeconds, fn.roleArn]);
    const pool = this.containers.get(key) ?? [];
    this.containers.set(key, pool);
    let c = pool.find((x) => !x.inUse);
    if (!c) {
      c = new Container(fn, this.platform, this);
      pool.push(c);
    }
    c.inUse = true;
    return c;
  }

  private discard(container: Container): void {
    for (const pool of this.containers.values()) {
      const i = pool.indexOf(container);
      if (i >= 0) pool.splice(i, 1);
    }
  }

  private result(payload: string, failed: boolean): InvokeResult {
    return { StatusCode: 200, ...(failed ? { FunctionError: 'Unhandled' as const } : {}), Payload: new TextEncoder().encode(payload), ExecutedVersion: '$LATEST' };
  }

  /** A request to the response bucket: collects the body, hands it to CloudFormation on `end()`, answers with S3's status. */
  private responseRequest(options: Json, callback?: (res: Json) => void): Json {
    const chunks: Buffer[] = [];
    const listeners: Record<string, Array<(arg: Json) => void>> = {};
    const req = {
      on(event: string, fn: (arg: Json) => void) {
        (listeners[event] ??= []).push(fn);
        return req;
      },
      once(event: string, fn: (arg: Json) => void) {
        return req.on(event, fn);
      },
      setTimeout() {
        return req;
      },
      write(chunk: string | Buffer) {
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'utf8'));
        return true;
      },
      end: (chunk?: string | Buffer) => {
        if (chunk !== undefined) req.write(chunk);
        const status = this.platform.putResponse(options.hostname ?? options.host, options.path ?? '/', Buffer.concat(chunks).toString('utf8'));
        setImmediate(() => callback?.({ statusCode: status, headers: {}, resume() {}, on() {} }));
        return req;
      },
      destroy() {},
    };
    return req;
  }
}

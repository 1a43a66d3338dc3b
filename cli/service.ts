/**
 * Reads live backend APIs with the AWS SDK v3 AmplifyBackend client. Credentials and region come
 * from the SDK's standard chain (environment, shared config and credentials files, SSO, container
 * and instance roles; `--profile` and `--region` override), and the endpoint from
 * `AWS_ENDPOINT_URL_AMPLIFYBACKEND` when set, as for the handler in lambda/service.ts.
 */
import {
  AmplifyBackendClient,
  AmplifyBackendClientConfig,
  BackendAPIResourceConfig,
  GetBackendAPICommand,
} from '@aws-sdk/client-amplifybackend';
import { CliError, oneLine } from './errors';
import { REQUEST_TIMEOUTS } from '../lambda/service';

/** The API of one backend environment of an Amplify app. */
export interface ApiTarget {
  readonly appId: string;
  readonly backendEnvironmentName: string;
  readonly resourceName: string;
}

/** A live API, as GetBackendAPI returned it. */
export interface LiveApi extends ApiTarget {
  /** The settings, with the SDK's member names (PascalCase). */
  readonly config: BackendAPIResourceConfig;
  /**
   * Members the service returned that the SDK's model does not know (wire paths, e.g.
   * `resourceConfig.defaultAuthType.settings.someNewSetting`). The SDK drops them; the CLI names
   * them so that nothing the construct cannot express goes unnoticed.
   */
  readonly unknownMembers: string[];
}

/** Where and how to call the service. */
export interface ServiceOptions {
  /** Region to call when the caller names none (e.g. `--region`). Default: the SDK's chain. */
  readonly region?: string;
  /** Extra client configuration (tests: endpoint, credentials). */
  readonly clientConfig?: AmplifyBackendClientConfig;
}

/** The wire (JSON) name of an SDK member: `ExpirationTime` -> `expirationTime`. */
export function wireName(sdkName: string): string {
  return sdkName[0].toLowerCase() + sdkName.slice(1);
}

/** The wire members of `BackendAPIResourceConfig` and its nested shapes (the Smithy model's jsonNames). */
const AUTH_SETTINGS = ['cognitoUserPoolId', 'description', 'expirationTime', 'openIDAuthTTL', 'openIDClientId', 'openIDIatTTL', 'openIDIssueURL', 'openIDProviderName'];
const AUTH_TYPE = ['mode', 'settings'];
const RESOURCE_CONFIG = ['additionalAuthTypes', 'apiName', 'conflictResolution', 'defaultAuthType', 'service', 'transformSchema'];

/** Wire paths of the members of a raw `resourceConfig` that the model does not know. */
export function unknownMembers(raw: unknown, where = 'resourceConfig'): string[] {
  const found: string[] = [];
  const walk = (value: unknown, known: string[], path: string, nested: (key: string, v: unknown, p: string) => void) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (!known.includes(key)) found.push(`${path}.${key}`);
      else nested(key, v, `${path}.${key}`);
    }
  };
  const auth = (v: unknown, p: string) => walk(v, AUTH_TYPE, p, (k, s, sp) => {
    if (k === 'settings') walk(s, AUTH_SETTINGS, sp, () => undefined);
  });
  walk(raw, RESOURCE_CONFIG, where, (key, v, p) => {
    if (key === 'defaultAuthType') auth(v, p);
    if (key === 'additionalAuthTypes' && Array.isArray(v)) v.forEach((a, i) => auth(a, `${p}[${i}]`));
    if (key === 'conflictResolution') walk(v, ['resolutionStrategy'], p, () => undefined);
  });
  return found;
}

/** "app d1..., environment staging, API blogapi" */
export function describeTarget(t: ApiTarget): string {
  return `app ${t.appId}, environment ${t.backendEnvironmentName}, API ${t.resourceName}`;
}

/** Reads APIs; one client per region. */
export class ApiReader {
  private readonly clients = new Map<string, AmplifyBackendClient>();

  public constructor(private readonly options: ServiceOptions = {}) {}

  /** GetBackendAPI; throws a CliError whose one-line message says what to fix. */
  public async read(target: ApiTarget, region?: string): Promise<LiveApi> {
    const command = new GetBackendAPICommand({
      AppId: target.appId,
      BackendEnvironmentName: target.backendEnvironmentName,
      ResourceName: target.resourceName,
    });
    // The SDK drops members its model does not know; keep the raw body to name them.
    let rawText: string | undefined;
    command.middlewareStack.add((next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; body?: unknown };
      if (response.statusCode === 200 && response.body && typeof (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function') {
        const chunks: Buffer[] = [];
        for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
        const body = Buffer.concat(chunks);
        // Decoded now: the SDK's deserializer takes the bytes over (it changes their prototype).
        rawText = body.toString('utf8');
        response.body = body; // a Uint8Array, which the deserializer reads as it is
      }
      return result;
    }, { step: 'deserialize', priority: 'low', name: 'cdkAmplifyBackendRawBody' });

    const client = this.client(region ?? this.options.region);
    let out;
    try {
      out = await client.send(command);
    } catch (err) {
      throw describeError('GetBackendAPI', describeTarget(target), err, await endpointOf(client));
    }
    if (out.Error) {
      throw new CliError(`GetBackendAPI failed for ${describeTarget(target)}: the service answered with an error: ${oneLine(out.Error)}`);
    }
    let unknown: string[] = [];
    if (rawText !== undefined) {
      try {
        unknown = unknownMembers((JSON.parse(rawText) as { resourceConfig?: unknown }).resourceConfig);
      } catch {
        // Not JSON: the SDK would have failed already.
      }
    }
    return { ...target, config: out.ResourceConfig ?? {}, unknownMembers: unknown };
  }

  /** The region `read` calls when given none (the options', else the SDK's chain), or undefined if none is configured. */
  public async region(): Promise<string | undefined> {
    try {
      return await this.client(this.options.region).config.region();
    } catch {
      return undefined;
    }
  }

  /** Closes the clients' connections, so that the process can end at once. */
  public destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private client(region: string | undefined): AmplifyBackendClient {
    const key = region ?? '';
    let c = this.clients.get(key);
    if (!c) {
      c = new AmplifyBackendClient({
        maxAttempts: 3,
        // throwOnRequestTimeout: without it a hung request only warns and is never stopped.
        requestHandler: { ...REQUEST_TIMEOUTS, requestTimeout: 30_000 },
        ...(region ? { region } : {}),
        ...this.options.clientConfig,
      });
      this.clients.set(key, c);
    }
    return c;
  }
}

async function endpointOf(client: AmplifyBackendClient): Promise<string | undefined> {
  return process.env.AWS_ENDPOINT_URL_AMPLIFYBACKEND ?? process.env.AWS_ENDPOINT_URL ?? (client.config.endpoint ? endpointText(await client.config.endpoint()) : undefined);
}

function endpointText(e: { protocol?: string; hostname?: string; port?: number; path?: string }): string {
  return `${e.protocol ?? 'https:'}//${e.hostname ?? ''}${e.port ? `:${e.port}` : ''}${e.path && e.path !== '/' ? e.path : ''}`;
}

/** One line that names the cause and what to do about it. */
export function describeError(operation: string, target: string, err: unknown, endpoint?: string): CliError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: string }).code;
  const message = oneLine(e.message);
  if (e.name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new CliError(`no AWS credentials: ${message}. Set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run "aws sso login".`);
  }
  if (/region is missing/i.test(message)) {
    return new CliError('no AWS region: pass --region, or set AWS_REGION, or give your AWS profile a region.');
  }
  if (code && ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(code)) {
    return new CliError(`${operation} failed for ${target}: could not reach AmplifyBackend${endpoint ? ` at ${endpoint}` : ''} (${code}); check the network, the region and AWS_ENDPOINT_URL_AMPLIFYBACKEND.`);
  }
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') {
    return new CliError(`${operation} failed for ${target}: no answer from AmplifyBackend${endpoint ? ` at ${endpoint}` : ''} in time (${message}).`);
  }
  const hint = e.name === 'NotFoundException'
    ? ' Check the app ID, the environment and the API name (amplify/backend/api/<name>), and the region.'
    : /AccessDenied|UnrecognizedClient|InvalidSignature|ExpiredToken|Forbidden/i.test(e.name)
      ? ' Check the credentials: reading needs amplifybackend:GetBackendAPI on the app.'
      : '';
  return new CliError(`${operation} failed for ${target}: ${e.name}: ${message}${hint && !/[.!?]$/.test(message) ? '.' : ''}${hint}`);
}

/**
 * Wire-level model of the AmplifyBackend (Amplify Admin UI) API, as far as the emulator needs it.
 *
 * Hand-transcribed from the Smithy model `com.amazonaws.amplifybackend` 2020-08-11
 * (https://github.com/aws/api-models-aws/blob/main/amplifybackend/service/2020-08-11/amplifybackend-2020-08-11.json,
 * also in aws/aws-sdk-js-v3 `codegen/sdk-codegen/aws-models/amplifybackend.json`): operation names, HTTP bindings
 * (`smithy.api#http`), body member names (`smithy.api#jsonName`), `smithy.api#required`,
 * enums and ranges. Everything here is in WIRE form (the JSON the real SDK sends), never in the
 * SDK's PascalCase form.
 *
 * Test-support code: a stand-in for AWS. It must not import anything from `src/` or `lambda/`.
 */

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/** Enum `Mode`. */
export type WireMode = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT';
/** Enum `ResolutionStrategy`. */
export type WireResolutionStrategy = 'OPTIMISTIC_CONCURRENCY' | 'LAMBDA' | 'AUTOMERGE' | 'NONE';

export const MODE_VALUES: readonly WireMode[] = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT'];
export const RESOLUTION_STRATEGY_VALUES: readonly WireResolutionStrategy[] = ['OPTIMISTIC_CONCURRENCY', 'LAMBDA', 'AUTOMERGE', 'NONE'];

/** `BackendAPIAppSyncAuthSettings` on the wire. Note the casing `openID…`, `…TTL`, `…URL`. */
export interface WireAppSyncAuthSettings {
  cognitoUserPoolId?: string;
  description?: string;
  /** A JSON number (Smithy `double`), not a string. */
  expirationTime?: number;
  openIDAuthTTL?: string;
  openIDClientId?: string;
  openIDIatTTL?: string;
  openIDIssueURL?: string;
  openIDProviderName?: string;
}

/** `BackendAPIAuthType` on the wire. */
export interface WireAuthType {
  mode?: WireMode;
  settings?: WireAppSyncAuthSettings;
}

/** `BackendAPIResourceConfig` on the wire. No member is required. */
export interface WireResourceConfig {
  additionalAuthTypes?: WireAuthType[];
  apiName?: string;
  conflictResolution?: { resolutionStrategy?: WireResolutionStrategy };
  defaultAuthType?: WireAuthType;
  service?: string;
  transformSchema?: string;
}

/** `LoginAuthConfigReqObj` on the wire: the keys are snake_case. No member is required. */
export interface WireLoginAuthConfig {
  aws_cognito_identity_pool_id?: string;
  aws_cognito_region?: string;
  aws_user_pools_id?: string;
  aws_user_pools_web_client_id?: string;
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

/** Operations the emulator implements (all others answer 404 UnknownOperationException). */
export const OPERATION_NAMES = [
  'CreateBackendAPI',
  'DeleteBackendAPI',
  'GetBackend',
  'GetBackendAPI',
  'GetBackendJob',
  'ListBackendJobs',
  'RemoveBackendConfig',
  'UpdateBackendAPI',
  'UpdateBackendConfig',
] as const;
export type OperationName = typeof OPERATION_NAMES[number];

/** Operations that start an asynchronous job. */
export type JobOperationName = 'CreateBackendAPI' | 'DeleteBackendAPI' | 'UpdateBackendAPI';

// ---------------------------------------------------------------------------------------------
// Mini shape schema + validator
// ---------------------------------------------------------------------------------------------

export type Shape =
  | { readonly kind: 'string' }
  | { readonly kind: 'double' }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly member: Shape }
  | { readonly kind: 'structure'; readonly members: Readonly<Record<string, Member>> };

export interface Member {
  readonly shape: Shape;
  readonly required?: boolean;
}

const STRING: Shape = { kind: 'string' };
const DOUBLE: Shape = { kind: 'double' };

const APPSYNC_AUTH_SETTINGS: Shape = {
  kind: 'structure',
  members: {
    cognitoUserPoolId: { shape: STRING },
    description: { shape: STRING },
    expirationTime: { shape: DOUBLE },
    openIDAuthTTL: { shape: STRING },
    openIDClientId: { shape: STRING },
    openIDIatTTL: { shape: STRING },
    openIDIssueURL: { shape: STRING },
    openIDProviderName: { shape: STRING },
  },
};

const AUTH_TYPE: Shape = {
  kind: 'structure',
  members: {
    mode: { shape: { kind: 'enum', values: MODE_VALUES } },
    settings: { shape: APPSYNC_AUTH_SETTINGS },
  },
};

/** `BackendAPIResourceConfig`. */
export const RESOURCE_CONFIG_SHAPE: Shape = {
  kind: 'structure',
  members: {
    additionalAuthTypes: { shape: { kind: 'list', member: AUTH_TYPE } },
    apiName: { shape: STRING },
    conflictResolution: {
      shape: { kind: 'structure', members: { resolutionStrategy: { shape: { kind: 'enum', values: RESOLUTION_STRATEGY_VALUES } } } },
    },
    defaultAuthType: { shape: AUTH_TYPE },
    service: { shape: STRING },
    transformSchema: { shape: STRING },
  },
};

/** `LoginAuthConfigReqObj`. */
export const LOGIN_AUTH_CONFIG_SHAPE: Shape = {
  kind: 'structure',
  members: {
    aws_cognito_identity_pool_id: { shape: STRING },
    aws_cognito_region: { shape: STRING },
    aws_user_pools_id: { shape: STRING },
    aws_user_pools_web_client_id: { shape: STRING },
  },
};

function body(members: Record<string, Member>): Shape {
  return { kind: 'structure', members };
}

/** Route + body schema of one operation (path labels are Smithy member names, e.g. `AppId`). */
export interface OperationSpec {
  readonly name: OperationName;
  readonly method: 'GET' | 'POST';
  /** Smithy URI pattern, e.g. `/backend/{AppId}/api/{BackendEnvironmentName}`. */
  readonly uri: string;
  /** Input members bound to the JSON body, by jsonName. `undefined` = the operation has no body. */
  readonly input?: Shape;
}

export const OPERATIONS: readonly OperationSpec[] = [
  {
    name: 'CreateBackendAPI',
    method: 'POST',
    uri: '/backend/{AppId}/api',
    input: body({
      backendEnvironmentName: { shape: STRING, required: true },
      resourceConfig: { shape: RESOURCE_CONFIG_SHAPE, required: true },
      resourceName: { shape: STRING, required: true },
    }),
  },
  {
    name: 'DeleteBackendAPI',
    method: 'POST',
    uri: '/backend/{AppId}/api/{BackendEnvironmentName}/remove',
    input: body({ resourceConfig: { shape: RESOURCE_CONFIG_SHAPE }, resourceName: { shape: STRING, required: true } }),
  },
  {
    name: 'GetBackend',
    method: 'POST',
    uri: '/backend/{AppId}/details',
    input: body({ backendEnvironmentName: { shape: STRING } }),
  },
  {
    name: 'GetBackendAPI',
    method: 'POST',
    uri: '/backend/{AppId}/api/{BackendEnvironmentName}/details',
    input: body({ resourceConfig: { shape: RESOURCE_CONFIG_SHAPE }, resourceName: { shape: STRING, required: true } }),
  },
  {
    name: 'GetBackendJob',
    method: 'GET',
    uri: '/backend/{AppId}/job/{BackendEnvironmentName}/{JobId}',
  },
  {
    name: 'ListBackendJobs',
    method: 'POST',
    uri: '/backend/{AppId}/job/{BackendEnvironmentName}',
    input: body({
      jobId: { shape: STRING },
      maxResults: { shape: { kind: 'integer', min: 1, max: 25 } },
      nextToken: { shape: STRING },
      operation: { shape: STRING },
      status: { shape: STRING },
    }),
  },
  {
    name: 'RemoveBackendConfig',
    method: 'POST',
    uri: '/backend/{AppId}/config/remove',
    input: body({}),
  },
  {
    name: 'UpdateBackendAPI',
    method: 'POST',
    uri: '/backend/{AppId}/api/{BackendEnvironmentName}',
    input: body({ resourceConfig: { shape: RESOURCE_CONFIG_SHAPE }, resourceName: { shape: STRING, required: true } }),
  },
  {
    name: 'UpdateBackendConfig',
    method: 'POST',
    uri: '/backend/{AppId}/config/update',
    input: body({ loginAuthConfig: { shape: LOGIN_AUTH_CONFIG_SHAPE } }),
  },
];

export interface RouteMatch {
  readonly spec: OperationSpec;
  /** Path labels, URL-decoded, by Smithy member name (`AppId`, `BackendEnvironmentName`, `JobId`). */
  readonly labels: Record<string, string>;
}

/**
 * Finds the operation for a method + raw (still URL-encoded) path. Returns `undefined` when no
 * implemented operation matches; throws `URIError` when a label is not valid percent-encoding.
 */
export function matchRoute(method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/');
  for (const spec of OPERATIONS) {
    if (spec.method !== method) continue;
    const pattern = spec.uri.split('/');
    if (pattern.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i];
      const s = segments[i];
      if (p.startsWith('{') && p.endsWith('}')) {
        if (s.length === 0) ok = false;
        else labels[p.slice(1, -1)] = decodeURIComponent(s);
      } else if (p !== s) {
        ok = false;
      }
    }
    if (ok) return { spec, labels };
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Validates `value` against `shape`. Returns the first problem as a message, or `undefined`.
 *
 * Deliberately STRICTER than AWS on one point: a member name that is not in the model
 * (anywhere in the body, e.g. `ResourceName` instead of `resourceName`, or `openIdIssueUrl`
 * instead of `openIDIssueURL`) is rejected with 400 BadRequestException naming the member and its
 * path. AWS's restJson1 deserializers silently ignore unknown members, which would hide client
 * bugs in wire names; the emulator exists to catch exactly those bugs.
 *
 * JSON `null` is treated as a wrong type (the real SDK never sends null for a member).
 */
export function validateShape(value: unknown, shape: Shape, path: string): string | undefined {
  const where = path === '' ? 'request body' : `member '${path}'`;
  switch (shape.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : `Invalid type for ${where}: expected a string, got ${describe(value)}`;
    case 'double':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `Invalid type for ${where}: expected a number (double), got ${describe(value)}`;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return `Invalid type for ${where}: expected an integer, got ${describe(value)}`;
      }
      return value < shape.min || value > shape.max
        ? `Invalid value for ${where}: must be between ${shape.min} and ${shape.max}, got ${value}`
        : undefined;
    case 'enum':
      if (typeof value !== 'string') return `Invalid type for ${where}: expected a string, got ${describe(value)}`;
      return shape.values.includes(value)
        ? undefined
        : `Invalid value for ${where}: '${value}' is not one of ${shape.values.join(' | ')}`;
    case 'list': {
      if (!Array.isArray(value)) return `Invalid type for ${where}: expected an array, got ${describe(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = validateShape(value[i], shape.member, `${path}[${i}]`);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return `Invalid type for ${where}: expected an object, got ${describe(value)}`;
      }
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        if (!Object.prototype.hasOwnProperty.call(shape.members, key)) {
          const full = path === '' ? key : `${path}.${key}`;
          const known = Object.keys(shape.members);
          return `Unknown member '${key}' at '${full}' (not in the AmplifyBackend model; `
            + `known members here: ${known.length ? known.join(', ') : 'none'}). `
            + 'The emulator rejects unknown members where AWS would silently ignore them.';
        }
      }
      for (const [key, member] of Object.entries(shape.members)) {
        const full = path === '' ? key : `${path}.${key}`;
        if (!(key in obj)) {
          if (member.required) return `Missing required member '${full}'`;
          continue;
        }
        const problem = validateShape(obj[key], member.shape, full);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

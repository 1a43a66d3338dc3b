/**
 * The contract between the constructs (what they write into the template) and the handler in
 * `lambda/` (what it reads). Types and constants only: the handler imports this file, and no
 * aws-cdk-lib code may come with it. Not exported from `index.ts`.
 *
 * CloudFormation hands every scalar to the handler as a string, so every scalar here is typed
 * as a string; the handler converts where the wire wants another type (`ExpirationTime`).
 * Member names follow the AmplifyBackend SDK's input shapes (PascalCase), which keeps the
 * handler's mapping to the SDK a straight copy that the compiler checks.
 */

/** CloudFormation resource type of `BackendApiConfig`. */
export const BACKEND_API_RESOURCE_TYPE = 'Custom::AmplifyBackendApiConfig';
/** CloudFormation resource type of `AdminUiLoginConfig`. */
export const ADMIN_UI_LOGIN_RESOURCE_TYPE = 'Custom::AmplifyAdminUiLoginConfig';

/** Names of the environment variables the provider sets on the handler functions. */
export const HandlerEnv = {
  /**
   * Milliseconds the provider's waiter polls before the framework answers "Operation timed out"
   * (its `totalTimeout`): is-complete fails a little earlier by itself, naming the job's last status.
   */
  TOTAL_TIMEOUT_MS: 'TOTAL_TIMEOUT_MS',
  /** Milliseconds between two is-complete polls (the provider's `queryInterval`). */
  QUERY_INTERVAL_MS: 'QUERY_INTERVAL_MS',
} as const;

/**
 * Largest transform schema, in UTF-8 bytes, kept inline in the resource's properties; a larger
 * one travels as a file asset (`TransformSchemaLocation`). `cdk-amplify-backend import` writes
 * larger schemas to a file beside the module for the same reason.
 */
export const MAX_INLINE_SCHEMA_BYTES = 32 * 1024;

/**
 * The values of `WaitForCompletion`. The construct writes `FALSE` for `waitForCompletion: false`
 * and leaves the property out otherwise; the handler waits unless it reads `FALSE`.
 */
export const WAIT_FOR_COMPLETION = { TRUE: 'true', FALSE: 'false' } as const;

/** The only value the service accepts for an API's `service`. */
export const API_SERVICE = 'AppSync';

/** `BackendAPIAppSyncAuthSettings`, as written into the template. */
export interface ApiAuthSettingsProperties {
  readonly CognitoUserPoolId?: string;
  readonly Description?: string;
  /** API key lifetime in days; a number on the wire, a string in the template. */
  readonly ExpirationTime?: string;
  readonly OpenIDAuthTTL?: string;
  readonly OpenIDClientId?: string;
  readonly OpenIDIatTTL?: string;
  readonly OpenIDIssueURL?: string;
  readonly OpenIDProviderName?: string;
}

/** `BackendAPIAuthType`, as written into the template. */
export interface ApiAuthProperties {
  readonly Mode: string;
  readonly Settings?: ApiAuthSettingsProperties;
}

/** `BackendAPIResourceConfig`, as written into the template. */
export interface ApiResourceConfigProperties {
  readonly AdditionalAuthTypes?: ApiAuthProperties[];
  readonly ApiName?: string;
  readonly ConflictResolution?: { readonly ResolutionStrategy?: string };
  readonly DefaultAuthType?: ApiAuthProperties;
  readonly Service?: string;
  readonly TransformSchema?: string;
}

/**
 * Where a transform schema shipped as a CDK file asset lies. The handler reads the object with
 * S3 GetObject (its role may read that object only) and sends its text as
 * `ResourceConfig.TransformSchema`, so a large schema never rides in the resource's properties,
 * which CloudFormation and the Provider framework pass around whole (4 KB / 256 KB limits).
 */
export interface SchemaLocationProperties {
  readonly Bucket: string;
  readonly Key: string;
}

/** Properties of a `Custom::AmplifyBackendApiConfig` resource (UpdateBackendAPI). */
export interface BackendApiResourceProperties {
  readonly AppId: string;
  readonly BackendEnvironmentName: string;
  readonly ResourceName: string;
  /** Sent as UpdateBackendAPI's resourceConfig; `TransformSchema` only when the schema is inline. */
  readonly ResourceConfig?: ApiResourceConfigProperties;
  /** The transform schema as a file asset; never together with `ResourceConfig.TransformSchema`. */
  readonly TransformSchemaLocation?: SchemaLocationProperties;
  /** `WAIT_FOR_COMPLETION.TRUE` (default) or `.FALSE`: whether the deployment waits for the job to end. */
  readonly WaitForCompletion?: string;
}

/** `LoginAuthConfigReqObj`, as written into the template. */
export interface LoginAuthConfigProperties {
  readonly AwsCognitoIdentityPoolId?: string;
  readonly AwsCognitoRegion?: string;
  readonly AwsUserPoolsId?: string;
  readonly AwsUserPoolsWebClientId?: string;
}

/** Properties of a `Custom::AmplifyAdminUiLoginConfig` resource (UpdateBackendConfig). */
export interface AdminUiLoginResourceProperties {
  readonly AppId: string;
  readonly LoginAuthConfig?: LoginAuthConfigProperties;
}

/** Attributes of a `Custom::AmplifyBackendApiConfig` resource: what the service returned. */
export interface BackendApiResponseData {
  readonly AppId: string;
  readonly BackendEnvironmentName: string;
  readonly JobId: string;
  readonly Operation: string;
  /** The job's final status when the deployment waited for it, else the status UpdateBackendAPI returned. */
  readonly Status: string;
  /** Epoch milliseconds, as GetBackendJob returns them; empty when the deployment did not wait. */
  readonly CreateTime: string;
  readonly UpdateTime: string;
}

/** Attributes of a `Custom::AmplifyAdminUiLoginConfig` resource: what the service returned. */
export interface AdminUiLoginResponseData {
  readonly AppId: string;
  readonly BackendManagerAppId: string;
  readonly AwsCognitoIdentityPoolId: string;
  readonly AwsCognitoRegion: string;
  readonly AwsUserPoolsId: string;
  readonly AwsUserPoolsWebClientId: string;
}

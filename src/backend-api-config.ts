import { CfnOutput, CfnResource, CustomResource, Errors, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ApiAuth } from './api-auth';
import { ApiSchema } from './api-schema';
import { BACKEND_API_RESOURCE_TYPE, BackendApiResourceProperties, BackendApiResponseData, ApiResourceConfigProperties, WAIT_FOR_COMPLETION } from './handler-contract';
import { AmplifyBackendProvider } from './provider';
import { StackJobs } from './stack-jobs';
import { compact, throwIfInvalid } from './util';
import { validateBackendApi } from './validation';

/** How the backend API resolves conflicting writes (DataStore conflict resolution). */
export enum ConflictResolutionStrategy {
  /** Reject a write whose version is not the latest. */
  OPTIMISTIC_CONCURRENCY = 'OPTIMISTIC_CONCURRENCY',
  /** A Lambda function decides. */
  LAMBDA = 'LAMBDA',
  /** Merge the changes automatically. */
  AUTOMERGE = 'AUTOMERGE',
  /** No conflict detection. */
  NONE = 'NONE',
}

/** Properties of a `BackendApiConfig`. */
export interface BackendApiConfigProps {
  /** ID of the Amplify app, e.g. "d1a2b3c4d5e6f7". */
  readonly appId: string;
  /** Name of the backend environment, e.g. "staging". */
  readonly backendEnvironmentName: string;
  /** Name of the backend API resource, as in amplify/backend/api/<name>. */
  readonly resourceName: string;
  /**
   * The name the API has. The service cannot rename an API, so this is a check: the deployment
   * fails if the live API (read with GetBackendAPI) has another name.
   * @default - the name is not checked; the API keeps its name
   */
  readonly apiName?: string;
  /**
   * The service that provisions the data model: "AppSync", the only one the service accepts.
   * @default - the API keeps its service
   */
  readonly service?: string;
  /**
   * The annotated GraphQL transform schema of the API, from a file or a string.
   * @default - the API keeps its schema
   */
  readonly transformSchema?: ApiSchema;
  /**
   * The API's main auth mode. When set, the API's additional auth modes become exactly
   * `additionalAuthTypes` (none if that is left out).
   * @default - the API keeps its auth modes, default and additional
   */
  readonly defaultAuthType?: ApiAuth;
  /**
   * Further auth modes, each at most once and never the default's mode. Needs `defaultAuthType`.
   * @default - none when `defaultAuthType` is set (the API's other additional modes are removed); else the API keeps its auth modes
   */
  readonly additionalAuthTypes?: ApiAuth[];
  /**
   * How the API resolves conflicting writes.
   * @default - the API keeps its conflict resolution
   */
  readonly conflictResolution?: ConflictResolutionStrategy;
  /**
   * Whether the deployment waits for the Amplify job to end, and fails when the job fails.
   * When false, `status` is the status UpdateBackendAPI returned (the job may still be running).
   * @default true
   */
  readonly waitForCompletion?: boolean;
  /**
   * Whether to add the stack outputs JobId and Status.
   * @default true
   */
  readonly stackOutputs?: boolean;
  /**
   * The custom resource provider.
   * @default AmplifyBackendProvider.of(this)
   */
  readonly provider?: AmplifyBackendProvider;
}

/**
 * The configuration of an Amplify (Gen 1) backend API: auth modes, conflict resolution, API
 * name, service and transform schema, applied with AmplifyBackend UpdateBackendAPI on create and
 * update. Deleting it makes no call: the API existed before the stack and outlives it.
 *
 * Physical ID: `<appId>/<backendEnvironmentName>/<resourceName>`; changing one of these replaces
 * the resource.
 *
 * @example
 * const pool = cognito.UserPool.fromUserPoolId(this, 'Pool', 'us-east-1_AbCdEf123');
 * new BackendApiConfig(this, 'StagingApi', {
 *   appId: 'd1a2b3c4d5e6f7',
 *   backendEnvironmentName: 'staging',
 *   resourceName: 'blogapi',
 *   defaultAuthType: ApiAuth.userPool(pool),
 *   additionalAuthTypes: [ApiAuth.apiKey({ expiration: Duration.days(30) }), ApiAuth.iam()],
 *   conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
 * });
 */
export class BackendApiConfig extends Construct {
  /** ID of the Amplify job UpdateBackendAPI started. */
  public readonly jobId: string;
  /** Status of the job: its final status (COMPLETED) when the deployment waited for it. */
  public readonly status: string;
  /** The operation the job ran, as the service names it. */
  public readonly operation: string;
  /** The app ID the service answered with. */
  public readonly appId: string;
  /** The backend environment the service answered with. */
  public readonly backendEnvironmentName: string;
  /** When the job was created, in epoch milliseconds (empty when the deployment did not wait). */
  public readonly jobCreateTime: string;
  /** When the job last changed, in epoch milliseconds (empty when the deployment did not wait). */
  public readonly jobUpdateTime: string;
  /** The custom resource. */
  public readonly resource: CustomResource;

  public constructor(scope: Construct, id: string, props: BackendApiConfigProps) {
    super(scope, id);
    // A schema that cannot be used is reported with the other broken rules, not alone.
    const schemaErrors: string[] = [];
    let schema: ReturnType<ApiSchema['bind']> | undefined;
    try {
      schema = props.transformSchema?.bind(this);
    } catch (e) {
      if (!Errors.isValidationError(e)) throw e;
      schemaErrors.push(e.message);
    }
    // UpdateBackendAPI replaces the members it is sent and keeps the others: with a default auth
    // mode, the additional modes are always sent, so that the API's modes are exactly the declared ones.
    const additional = props.additionalAuthTypes ?? (props.defaultAuthType ? [] : undefined);
    const resourceConfig = compact<ApiResourceConfigProperties>({
      ApiName: props.apiName,
      Service: props.service,
      TransformSchema: schema?.inlineSchema,
      ConflictResolution: props.conflictResolution === undefined ? undefined : { ResolutionStrategy: props.conflictResolution },
      DefaultAuthType: props.defaultAuthType?._render(),
      AdditionalAuthTypes: additional?.map((a) => a._render()),
    });
    const properties: BackendApiResourceProperties = {
      AppId: props.appId,
      BackendEnvironmentName: props.backendEnvironmentName,
      ResourceName: props.resourceName,
      ResourceConfig: resourceConfig,
      TransformSchemaLocation: schema?.location && { Bucket: schema.location.bucketName, Key: schema.location.objectKey },
      WaitForCompletion: props.waitForCompletion === false ? WAIT_FOR_COMPLETION.FALSE : undefined,
    };
    // How the user wrote each auth mode's Durations, by the prop validation names it with.
    const written = new Map<string, ReturnType<ApiAuth['_written']>>();
    if (props.defaultAuthType) written.set('defaultAuthType', props.defaultAuthType._written());
    additional?.forEach((a, i) => written.set(`additionalAuthTypes[${i}]`, a._written()));
    throwIfInvalid([...validateBackendApi(properties, (v) => Token.isUnresolved(v), (prop) => written.get(prop)), ...schemaErrors], this);
    const jobs = StackJobs.of(this);
    jobs.claimApi(props.appId, props.backendEnvironmentName, props.resourceName, this);

    const provider = props.provider ?? AmplifyBackendProvider.of(this);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      serviceTimeout: provider.serviceTimeout,
      resourceType: BACKEND_API_RESOURCE_TYPE,
      properties,
    });
    // The resource waits for its grants through the ServiceToken: the handler functions depend on them.
    provider._grantApi(props.appId);
    if (schema?.location) provider._grantSchemaRead(schema.location.bucketName, schema.location.objectKey);
    // CloudFormation's default (Delete) without writing it into every resource.
    const cfn = this.resource.node.defaultChild as CfnResource;
    cfn.cfnOptions.deletionPolicy = undefined;
    cfn.cfnOptions.updateReplacePolicy = undefined;
    const previous = jobs.enqueue(props.appId, props.backendEnvironmentName, this.resource);
    if (previous) this.resource.node.addDependency(previous);

    const attr = (name: keyof BackendApiResponseData) => this.resource.getAttString(name);
    this.jobId = attr('JobId');
    this.status = attr('Status');
    this.operation = attr('Operation');
    this.appId = attr('AppId');
    this.backendEnvironmentName = attr('BackendEnvironmentName');
    this.jobCreateTime = attr('CreateTime');
    this.jobUpdateTime = attr('UpdateTime');

    if (props.stackOutputs ?? true) {
      new CfnOutput(this, 'JobId', { value: this.jobId });
      new CfnOutput(this, 'Status', { value: this.status });
    }
  }
}

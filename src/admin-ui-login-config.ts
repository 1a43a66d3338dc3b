import { CfnOutput, CfnResource, CustomResource, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ADMIN_UI_LOGIN_RESOURCE_TYPE, AdminUiLoginResourceProperties, AdminUiLoginResponseData, LoginAuthConfigProperties } from './handler-contract';
import { AmplifyBackendProvider } from './provider';
import { StackJobs } from './stack-jobs';
import { compact, throwIfInvalid } from './util';
import { validateAdminUiLogin } from './validation';

/** Properties of an `AdminUiLoginConfig`. */
export interface AdminUiLoginConfigProps {
  /** ID of the Amplify app, e.g. "d1a2b3c4d5e6f7". */
  readonly appId: string;
  /**
   * The Cognito user pool the Admin UI logs in with.
   * @default - none; then `identityPoolId` is required
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * The web client of `userPool` the Admin UI uses.
   * @default - none
   */
  readonly userPoolClient?: cognito.IUserPoolClient;
  /**
   * ID of the Cognito identity pool, e.g. "us-east-1:0a1b2c3d-1234-5678-9abc-def012345678".
   * @default - none; then `userPool` is required
   */
  readonly identityPoolId?: string;
  /**
   * Region of the Cognito pools, e.g. "us-east-1".
   * @default - the stack's region
   */
  readonly cognitoRegion?: string;
  /**
   * Whether to add the stack output BackendManagerAppId.
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
 * The Cognito settings the Amplify Admin UI logs in with, applied with AmplifyBackend
 * UpdateBackendConfig on create and update. The call is synchronous: there is no job.
 * Deleting it makes no call: the Admin UI keeps its last login settings.
 *
 * Physical ID: `<appId>`; changing the app replaces the resource.
 *
 * @example
 * const pool = new cognito.UserPool(this, 'AdminUsers');
 * new AdminUiLoginConfig(this, 'AdminUiLogin', {
 *   appId: 'd1a2b3c4d5e6f7',
 *   userPool: pool,
 *   userPoolClient: pool.addClient('AdminUiClient'),
 * });
 */
export class AdminUiLoginConfig extends Construct {
  /** The app ID of the Admin UI's backend manager, as the service returned it. */
  public readonly backendManagerAppId: string;
  /** The app ID the service answered with. */
  public readonly appId: string;
  /** The user pool ID the service applied. */
  public readonly loginUserPoolId: string;
  /** The user pool web client ID the service applied. */
  public readonly loginUserPoolClientId: string;
  /** The identity pool ID the service applied. */
  public readonly loginIdentityPoolId: string;
  /** The Cognito region the service applied. */
  public readonly loginCognitoRegion: string;
  /** The custom resource. */
  public readonly resource: CustomResource;

  public constructor(scope: Construct, id: string, props: AdminUiLoginConfigProps) {
    super(scope, id);
    const properties: AdminUiLoginResourceProperties = {
      AppId: props.appId,
      LoginAuthConfig: compact<LoginAuthConfigProperties>({
        AwsCognitoIdentityPoolId: props.identityPoolId,
        AwsCognitoRegion: props.cognitoRegion ?? Stack.of(this).region,
        AwsUserPoolsId: props.userPool?.userPoolId,
        AwsUserPoolsWebClientId: props.userPoolClient?.userPoolClientId,
      }),
    };
    throwIfInvalid(validateAdminUiLogin(properties, (v) => Token.isUnresolved(v)), this);

    StackJobs.of(this).claimLogin(props.appId, this);
    const provider = props.provider ?? AmplifyBackendProvider.of(this);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      serviceTimeout: provider.serviceTimeout,
      resourceType: ADMIN_UI_LOGIN_RESOURCE_TYPE,
      properties,
    });
    // The resource waits for its grant through the ServiceToken: the handler functions depend on it.
    provider._grantLogin(props.appId);
    // CloudFormation's default (Delete) without writing it into every resource.
    const cfn = this.resource.node.defaultChild as CfnResource;
    cfn.cfnOptions.deletionPolicy = undefined;
    cfn.cfnOptions.updateReplacePolicy = undefined;

    const attr = (name: keyof AdminUiLoginResponseData) => this.resource.getAttString(name);
    this.backendManagerAppId = attr('BackendManagerAppId');
    this.appId = attr('AppId');
    this.loginUserPoolId = attr('AwsUserPoolsId');
    this.loginUserPoolClientId = attr('AwsUserPoolsWebClientId');
    this.loginIdentityPoolId = attr('AwsCognitoIdentityPoolId');
    this.loginCognitoRegion = attr('AwsCognitoRegion');

    if (props.stackOutputs ?? true) {
      new CfnOutput(this, 'BackendManagerAppId', { value: this.backendManagerAppId });
    }
  }
}

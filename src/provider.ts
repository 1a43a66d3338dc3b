import * as path from 'path';
import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { HandlerEnv } from './handler-contract';

/** Properties of an `AmplifyBackendProvider`. */
export interface AmplifyBackendProviderProps {
  /**
   * How long a deployment waits for an Amplify job before it fails (at most 2 hours).
   * @default Duration.hours(1)
   */
  readonly totalTimeout?: Duration;
  /**
   * How often a running Amplify job is polled with GetBackendJob.
   * @default Duration.seconds(15)
   */
  readonly queryInterval?: Duration;
  /**
   * While another job is pending on the same app and environment, how long to wait between two
   * tries of UpdateBackendAPI. The tries go on until the handler's timeout nears.
   * @default Duration.seconds(15)
   */
  readonly pendingJobRetryInterval?: Duration;
  /**
   * Timeout of the handler functions; bounds how long a Create or Update waits out another
   * pending job before it fails.
   * @default Duration.minutes(14)
   */
  readonly handlerTimeout?: Duration;
  /**
   * Memory of the handler functions, in MiB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the handler's and the provider framework's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Role of the handler functions. The provider attaches its AmplifyBackend policies to it.
   * @default - a new role with only the permissions the handler needs
   */
  readonly role?: iam.IRole;
  /**
   * VPC for the handler and framework functions; it needs a route to the AmplifyBackend endpoint.
   * @default - not in a VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the VPC for the functions.
   * @default - the VPC's default subnet selection
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the functions in the VPC.
   * @default - a security group is created for each function
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * KMS key that encrypts the functions' environment variables.
   * @default - the AWS managed key
   */
  readonly environmentEncryption?: kms.IKey;
}

/** The construct ID of the one provider of a stack. */
const PROVIDER_ID = 'AmplifyBackendProvider';

/** How many app grants one managed policy holds, so that it stays under IAM's 6,144 characters. */
const GRANTS_PER_POLICY = 60;
/** IAM attaches at most 10 managed policies to a role (default quota). */
const MAX_POLICIES = 10;

/** What the handler is allowed to do on one app. */
enum Grant {
  API = 'api',
  LOGIN = 'login',
}

const GRANT_ACTIONS: Record<Grant, string[]> = {
  [Grant.API]: ['amplifybackend:UpdateBackendAPI', 'amplifybackend:GetBackendJob'],
  [Grant.LOGIN]: ['amplifybackend:UpdateBackendConfig'],
};

/** Where the build puts the handler bundle; resolved from this file so every jsii language finds it. */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lambda', 'index');

/**
 * The Lambda-backed custom resource provider shared by every `BackendApiConfig` and
 * `AdminUiLoginConfig` of a stack. Get the stack's one provider with
 * `AmplifyBackendProvider.of(scope)`, or create one to set its timeouts, logs, VPC or role and
 * pass it to the constructs.
 */
export class AmplifyBackendProvider extends Construct {
  /**
   * The stack's provider, created on first use.
   */
  public static of(scope: IConstruct): AmplifyBackendProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing instanceof AmplifyBackendProvider) return existing;
    if (existing) {
      throw new Error(`AmplifyBackendProvider.of(): the stack ${stack.node.path} already has a construct with the ID "${PROVIDER_ID}" that is not an AmplifyBackendProvider; rename that construct.`);
    }
    return new AmplifyBackendProvider(stack, PROVIDER_ID);
  }

  /** The service token the custom resources use. */
  public readonly serviceToken: string;
  /** The function that handles create, update and delete events. */
  public readonly onEventHandler: lambda.IFunction;
  /** The function that polls the Amplify job until it ends. */
  public readonly isCompleteHandler: lambda.IFunction;
  /** The role of the handler functions. */
  public readonly role: iam.IRole;

  /** The AmplifyBackend policies, each with its statement per kind of grant and its grant count. */
  private readonly policies: Array<{ policy: iam.ManagedPolicy; statements: Partial<Record<Grant, iam.PolicyStatement>>; grants: number }> = [];
  /** `<kind>\0<appId>` of every grant made. */
  private readonly granted = new Set<string>();

  public constructor(scope: Construct, id: string, props: AmplifyBackendProviderProps = {}) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-amplify-backend handler: AmplifyBackend calls for the apps of this stack',
    });
    if (props.vpc) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }
    logGroup.grantWrite(this.role);

    const pendingRetry = props.pendingJobRetryInterval ?? Duration.seconds(15);
    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const fn = (fnId: string, handler: string, description: string) => new lambda.Function(this, fnId, {
      code,
      handler,
      description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.handlerTimeout ?? Duration.minutes(14),
      role: this.role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environmentEncryption: props.environmentEncryption,
      environment: { [HandlerEnv.PENDING_JOB_RETRY_MS]: String(pendingRetry.toMilliseconds()) },
    });
    this.onEventHandler = fn('OnEvent', 'index.onEvent', 'cdk-amplify-backend: applies UpdateBackendAPI / UpdateBackendConfig');
    this.isCompleteHandler = fn('IsComplete', 'index.isComplete', 'cdk-amplify-backend: polls GetBackendJob until the Amplify job ends');

    const provider = new cr.Provider(this, 'Framework', {
      onEventHandler: this.onEventHandler,
      isCompleteHandler: this.isCompleteHandler,
      queryInterval: props.queryInterval ?? Duration.seconds(15),
      totalTimeout: props.totalTimeout ?? Duration.hours(1),
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      providerFunctionEnvEncryption: props.environmentEncryption,
    });
    this.serviceToken = provider.serviceToken;

    this.node.addValidation({ validate: () => this.validateGrants() });
    this.suppressFindings(provider, props.role === undefined, props.vpc !== undefined);
  }

  /**
   * Lets the handler call UpdateBackendAPI and GetBackendJob on the app.
   * @internal
   */
  public _grantApi(appId: string): void {
    this.grant(Grant.API, appId);
  }

  /**
   * Lets the handler call UpdateBackendConfig on the app.
   * @internal
   */
  public _grantLogin(appId: string): void {
    this.grant(Grant.LOGIN, appId);
  }

  private grant(kind: Grant, appId: string): void {
    const key = `${kind}\u0000${appId}`;
    if (this.granted.has(key)) return;
    this.granted.add(key);

    let current = this.policies[this.policies.length - 1];
    if (!current || current.grants >= GRANTS_PER_POLICY) {
      const policy = new iam.ManagedPolicy(this, `AmplifyBackendPolicy${this.policies.length}`, {
        description: 'cdk-amplify-backend: AmplifyBackend actions on the apps this stack configures',
      });
      policy.attachToRole(this.role);
      // Every custom resource reaches these functions through its ServiceToken, so this orders
      // the policy before any create or update, and keeps it until the last delete is done.
      this.onEventHandler.node.addDependency(policy);
      this.isCompleteHandler.node.addDependency(policy);
      suppress(policy.node.defaultChild as CfnResource, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Scoped to one Amplify app: the service authorizes on /backend/<appId>/ sub-resources (api, job, config) whose job IDs are not known before the call.',
      }]);
      current = { policy, statements: {}, grants: 0 };
      this.policies.push(current);
    }
    let statement = current.statements[kind];
    if (!statement) {
      statement = new iam.PolicyStatement({ actions: GRANT_ACTIONS[kind] });
      current.policy.addStatements(statement);
      current.statements[kind] = statement;
    }
    statement.addResources(Stack.of(this).formatArn({
      service: 'amplifybackend',
      resource: '/backend',
      resourceName: `${appId}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }));
    current.grants++;
  }

  private validateGrants(): string[] {
    if (this.policies.length <= MAX_POLICIES) return [];
    return [`AmplifyBackendProvider: the constructs of this provider configure more apps (${this.granted.size} app grants in ${this.policies.length} managed policies) than one IAM role can hold (${MAX_POLICIES} managed policies of ${GRANTS_PER_POLICY} grants); split them over several stacks.`];
  }

  /** cdk-nag AwsSolutions findings on the provider's resources, each with the reason, on the resources they concern. */
  private suppressFindings(framework: Construct, ownRole: boolean, inVpc: boolean): void {
    const runtime = { id: 'AwsSolutions-L1', reason: 'NODEJS_22_X is the newest Node.js runtime of the minimum supported aws-cdk-lib.' };
    const vpcAccess = 'AWSLambdaVPCAccessExecutionRole (network interfaces), added only when the provider is in a VPC.';
    for (const child of framework.node.findAll()) {
      if (!(child instanceof CfnResource)) continue;
      switch (child.cfnResourceType) {
        case 'AWS::IAM::Role':
          suppress(child, [{ id: 'AwsSolutions-IAM4', reason: `CDK Provider framework function role: AWSLambdaBasicExecutionRole (its own logs), and ${vpcAccess}` }]);
          break;
        case 'AWS::IAM::Policy':
          suppress(child, [{ id: 'AwsSolutions-IAM5', reason: 'CDK Provider framework: invoke any version (:*) of this provider\'s functions; the waiter\'s log-delivery actions exist only on Resource "*".' }]);
          break;
        case 'AWS::Lambda::Function':
          suppress(child, [runtime]);
          break;
        case 'AWS::StepFunctions::StateMachine':
          suppress(child, [
            { id: 'AwsSolutions-SF1', reason: 'CDK Provider framework waiter: retries one function; failures reach the CloudFormation event and the function logs.' },
            { id: 'AwsSolutions-SF2', reason: 'CDK Provider framework waiter: a retry loop around one function; X-Ray adds nothing.' },
          ]);
          break;
      }
    }
    for (const fn of [this.onEventHandler, this.isCompleteHandler]) suppress(fn.node.defaultChild as CfnResource, [runtime]);
    if (!ownRole) return;
    if (inVpc) suppress(this.role.node.defaultChild as CfnResource, [{ id: 'AwsSolutions-IAM4', reason: `Handler role: ${vpcAccess}` }]);
    const logPolicy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (logPolicy instanceof CfnResource) {
      suppress(logPolicy, [{ id: 'AwsSolutions-IAM5', reason: 'Handler role: write log streams (log-group:<its own group>:*) whose names Lambda picks.' }]);
    }
  }
}

interface NagSuppression {
  readonly id: string;
  readonly reason: string;
}

/**
 * Adds cdk-nag suppressions through resource metadata, the form cdk-nag reads, so the library
 * needs no dependency on cdk-nag.
 */
function suppress(resource: CfnResource, rules: NagSuppression[]): void {
  const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: NagSuppression[] } | undefined)?.rules_to_suppress ?? [];
  resource.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...rules] });
}

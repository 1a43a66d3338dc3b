import { createHash } from 'crypto';
import * as path from 'path';
import { ArnFormat, CfnResource, Duration, RemovalPolicy, Stack, Token, Tokenization, ValidationError } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { HandlerEnv } from './handler-contract';
import { acknowledge, managedPolicyFindings, wildcardFindings } from './nag';
import { throwIfInvalid } from './util';

/** Properties of an `AmplifyBackendProvider`. */
export interface AmplifyBackendProviderProps {
  /**
   * How long a deployment waits for an Amplify job, or for another job on the same app and
   * environment to end, before it fails with the job's last status. It must leave room, within
   * CloudFormation's one-hour wait for a custom resource, for the handler timeout and the
   * polls' own run time (1 s budgeted per poll, plus 1 minute for the framework), so that the
   * failure reaches CloudFormation before CloudFormation gives up; with the default handler
   * timeout and query interval that is at most 53 minutes.
   * @default Duration.minutes(50)
   */
  readonly totalTimeout?: Duration;
  /**
   * How often a running Amplify job is polled with GetBackendJob (and, while another job is
   * pending, how often the operation is tried again). At least 1 second.
   * @default Duration.seconds(15)
   */
  readonly queryInterval?: Duration;
  /**
   * Timeout of each run of the handler functions: one service call with the SDK's retries, or
   * one poll. At most 15 minutes, Lambda's limit.
   * @default Duration.minutes(2)
   */
  readonly handlerTimeout?: Duration;
  /**
   * Memory of the handler functions, in MiB: 128 to 10240.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * How long the handler's logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long the logs of the Provider framework's functions and of its waiter state machine are
   * kept. They hold every event whole, including CloudFormation's pre-signed response URL (valid
   * for a few hours), so they have a log group of their own, whose access you can restrict.
   * @default - the same as `logRetention`
   */
  readonly frameworkLogRetention?: logs.RetentionDays;
  /**
   * What happens to the log groups when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Role of the handler functions. A mutable role, of this stack or of another, gets the
   * provider's managed policies and write access to its log group; a role imported with
   * `mutable: false` is never modified: give it the policies in `managedPolicies`, write access
   * to `logGroup` (and, in a VPC, AWSLambdaVPCAccessExecutionRole) yourself.
   * @default - a new role with only the permissions the handler needs
   */
  readonly role?: iam.IRole;
  /**
   * VPC for the handler and framework functions. It needs a route to the AmplifyBackend endpoint.
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

/** The construct ID of the stack's default provider: `of()` and `configure()` create it there. */
const PROVIDER_ID = 'AmplifyBackendProvider';

/** How many app grants one managed policy holds, so that it stays under IAM's 6,144 characters. */
const GRANTS_PER_POLICY = 60;
/** IAM attaches at most 10 managed policies to a role (default quota). */
const MAX_POLICIES = 10;

/** CloudFormation waits at most this long for a custom resource's answer (ServiceTimeout's maximum). */
const MAX_SERVICE_TIMEOUT = Duration.hours(1);
/** Lambda's maximum function timeout. */
const MAX_HANDLER_TIMEOUT = Duration.minutes(15);
/** Run time budgeted for each is-complete poll, on top of the query interval. */
const POLL_RUN_TIME = Duration.seconds(1);
/** Run time budgeted for the framework itself: its functions, Step Functions, the answer to CloudFormation. */
const FRAMEWORK_OVERHEAD = Duration.minutes(1);

/** What the handler is allowed to do on one app. */
enum Grant {
  API = 'api',
  LOGIN = 'login',
}

/**
 * What aws-cdk-lib grants a state machine that logs, in one statement on Resource "*": the
 * log-delivery actions, which IAM allows only on "*", and (in some versions) the log writes.
 */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:ListLogDeliveries',
  'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups', 'logs:CreateLogStream', 'logs:PutLogEvents',
];

const GRANT_ACTIONS: Record<Grant, string[]> = {
  [Grant.API]: [
    'amplifybackend:UpdateBackendAPI', 'amplifybackend:GetBackendJob',
    // Find the job an interrupted or deferred UpdateBackendAPI started; read the API's name.
    'amplifybackend:ListBackendJobs', 'amplifybackend:GetBackendAPI',
  ],
  [Grant.LOGIN]: ['amplifybackend:UpdateBackendConfig'],
};

/** Where the build puts the handler bundle; resolved from this file so every jsii language finds it. */
const HANDLER_ASSET = path.join(__dirname, '..', 'assets', 'lambda', 'index');

/**
 * The Lambda-backed custom resource provider shared by every `BackendApiConfig` and
 * `AdminUiLoginConfig` of a stack. Constructs given no `provider` use the stack's default
 * provider, `AmplifyBackendProvider.of(scope)`; set its timeouts, logs, VPC or role with
 * `AmplifyBackendProvider.configure(scope, props)`, which keeps the construct ID, and so the
 * ServiceToken, that deployed stacks already use.
 *
 * @example
 * AmplifyBackendProvider.configure(this, {
 *   totalTimeout: Duration.minutes(30),
 *   logRetention: logs.RetentionDays.ONE_MONTH,
 * });
 */
export class AmplifyBackendProvider extends Construct {
  /**
   * The stack's default provider, created with default settings on first use.
   */
  public static of(scope: IConstruct): AmplifyBackendProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing instanceof AmplifyBackendProvider) return existing;
    if (existing) {
      throw new ValidationError(`AmplifyBackendProvider.of(): the stack ${stack.node.path} already has a construct with the ID "${PROVIDER_ID}" that is not an AmplifyBackendProvider; rename that construct.`, existing);
    }
    const provider = new AmplifyBackendProvider(stack, PROVIDER_ID);
    provider.createdImplicitly = true;
    return provider;
  }

  /**
   * Creates the stack's default provider with these settings: the one that constructs given no
   * `provider` use, under the construct ID `of()` uses, so a deployed stack keeps its
   * ServiceToken. Call it once per stack, before the first `BackendApiConfig` or
   * `AdminUiLoginConfig` that uses the default provider.
   */
  public static configure(scope: IConstruct, props: AmplifyBackendProviderProps): AmplifyBackendProvider {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(PROVIDER_ID);
    if (existing instanceof AmplifyBackendProvider) {
      throw new ValidationError(`AmplifyBackendProvider.configure(): the stack ${stack.node.path} already has its default provider${existing.createdImplicitly ? ', created with default settings for a construct given no `provider`' : ' (configure() was called before)'}; call configure() once, before the first BackendApiConfig or AdminUiLoginConfig of the stack.`, existing);
    }
    if (existing) {
      throw new ValidationError(`AmplifyBackendProvider.configure(): the stack ${stack.node.path} already has a construct with the ID "${PROVIDER_ID}" that is not an AmplifyBackendProvider; rename that construct.`, existing);
    }
    return new AmplifyBackendProvider(stack, PROVIDER_ID, props);
  }

  /** The service token the custom resources use. */
  public readonly serviceToken: string;
  /**
   * How long CloudFormation waits for the custom resources' answer: the handler timeout, the
   * total timeout and the framework's own run time, so the framework's timeout answer (with the
   * job's last status) always comes first.
   */
  public readonly serviceTimeout: Duration;
  /** The function that handles create, update and delete events. */
  public readonly onEventHandler: lambda.IFunction;
  /** The function that polls the Amplify job until it ends. */
  public readonly isCompleteHandler: lambda.IFunction;
  /** The role of the handler functions. */
  public readonly role: iam.IRole;
  /** The log group of the handler functions. */
  public readonly logGroup: logs.ILogGroup;
  /**
   * The log group of the Provider framework's functions and waiter state machine. Their log
   * lines hold whole events, pre-signed response URL included: restrict who may read it.
   */
  public readonly frameworkLogGroup: logs.ILogGroup;

  /** Whether `of()` created this provider for a construct given no `provider`. */
  private createdImplicitly = false;
  /** Whether the provider may attach its policies to `role`. */
  private readonly roleIsMutable: boolean;
  /** The app grant policies, each with its statement per kind of grant and its grant count. */
  private readonly policies: Array<{ policy: iam.ManagedPolicy; statements: Partial<Record<Grant, iam.PolicyStatement>>; grants: number }> = [];
  /** `<kind>\0<appId>` of every app grant made. */
  private readonly granted = new Set<string>();
  /** The schema read policies, by object key. */
  private readonly schemaPolicies = new Map<string, iam.ManagedPolicy>();

  public constructor(scope: Construct, id: string, props: AmplifyBackendProviderProps = {}) {
    super(scope, id);
    const queryInterval = props.queryInterval ?? Duration.seconds(15);
    const totalTimeout = props.totalTimeout ?? Duration.minutes(50);
    const handlerTimeout = props.handlerTimeout ?? Duration.minutes(2);
    this.serviceTimeout = validateTimeouts(this, queryInterval, totalTimeout, handlerTimeout, props.memorySize);

    const logGroup = (logId: string, retention: logs.RetentionDays) => new logs.LogGroup(this, logId, {
      retention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const retention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.logGroup = logGroup('Logs', retention);
    this.frameworkLogGroup = logGroup('FrameworkLogs', props.frameworkLogRetention ?? retention);

    this.role = props.role ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-amplify-backend handler: AmplifyBackend calls for the apps of this stack',
    });
    // A role imported with `mutable: false` (or made with `withoutPolicyUpdates()`) is an
    // aws-cdk-lib ImmutableRole: it drops every statement and policy given to it while saying
    // they were added, so it is recognised by its class, and then nothing is attached to it.
    this.roleIsMutable = (this.role.constructor as { PROPERTY_INJECTION_ID?: string }).PROPERTY_INJECTION_ID !== 'aws-cdk-lib.aws-iam.ImmutableRole';
    const logWrite = { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] };
    // A role of another stack would hold a reference to this stack's log group, while this
    // stack's functions depend on the role: a cycle that fails synth. Its grant lives here.
    const logPolicy = Stack.of(this.role) !== Stack.of(this) && this.roleIsMutable
      ? new iam.Policy(this, 'LogWrite', { statements: [new iam.PolicyStatement(logWrite)], roles: [this.role] })
      : undefined;
    if (!logPolicy) iam.Grant.addToPrincipal({ grantee: this.role, actions: logWrite.actions, resourceArns: logWrite.resources });
    if (props.vpc) {
      this.role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    }

    const code = lambda.Code.fromAsset(HANDLER_ASSET);
    const fn = (fnId: string, handler: string, description: string) => new lambda.Function(this, fnId, {
      code,
      handler,
      description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: handlerTimeout,
      role: this.role,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      environmentEncryption: props.environmentEncryption,
      environment: {
        [HandlerEnv.TOTAL_TIMEOUT_MS]: Tokenization.stringifyNumber(totalTimeout.toMilliseconds()),
        [HandlerEnv.QUERY_INTERVAL_MS]: Tokenization.stringifyNumber(queryInterval.toMilliseconds()),
      },
    });
    this.onEventHandler = fn('OnEvent', 'index.onEvent', 'cdk-amplify-backend: applies UpdateBackendAPI / UpdateBackendConfig');
    this.isCompleteHandler = fn('IsComplete', 'index.isComplete', 'cdk-amplify-backend: polls GetBackendJob until the Amplify job ends');
    if (logPolicy) [this.onEventHandler, this.isCompleteHandler].forEach((f) => f.node.addDependency(logPolicy));

    const provider = new cr.Provider(this, 'Framework', {
      onEventHandler: this.onEventHandler,
      isCompleteHandler: this.isCompleteHandler,
      queryInterval,
      totalTimeout,
      logGroup: this.frameworkLogGroup,
      waiterStateMachineLogOptions: { destination: this.frameworkLogGroup, level: sfn.LogLevel.ERROR },
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      providerFunctionEnvEncryption: props.environmentEncryption,
    });
    this.serviceToken = provider.serviceToken;

    this.node.addValidation({ validate: () => [...this.validateGrants(), ...this.validateOneDefault()] });
    this.acknowledgeFindings(provider, props.role === undefined, props.vpc !== undefined);
  }

  /**
   * The managed policies holding the handler's AmplifyBackend and schema grants. They are
   * attached to `role` unless it was imported with `mutable: false`: then attach them yourself.
   */
  public get managedPolicies(): iam.IManagedPolicy[] {
    return [...this.policies.map((p) => p.policy), ...this.schemaPolicies.values()];
  }

  /**
   * Lets the handler call UpdateBackendAPI, GetBackendJob, ListBackendJobs and GetBackendAPI on the app.
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

  /**
   * Lets the handler read one schema object (s3:GetObject on that object only), with a managed
   * policy of its own whose construct ID follows the object key (a content hash). On an update to
   * another schema, CloudFormation creates the new policy before the custom resource's update and
   * deletes the old one only once the update has succeeded: so a rollback, which CloudFormation
   * runs on the custom resource before it rolls policies back, can still read the old schema.
   * @internal
   */
  public _grantSchemaRead(bucketName: string, objectKey: string): void {
    if (this.schemaPolicies.has(objectKey)) return;
    const id = Token.isUnresolved(objectKey) ? `SchemaRead${this.schemaPolicies.size}` : `SchemaRead${createHash('sha256').update(objectKey).digest('hex').slice(0, 16)}`;
    const policy = new iam.ManagedPolicy(this, id, {
      description: 'cdk-amplify-backend: read one transform schema file asset',
      statements: [new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: bucketName, resourceName: objectKey })],
      })],
    });
    this.attach(policy);
    this.schemaPolicies.set(objectKey, policy);
  }

  /** Attaches a grant policy to a mutable role, and orders it before every function run. */
  private attach(policy: iam.ManagedPolicy): void {
    if (this.roleIsMutable) policy.attachToRole(this.role);
    // Every custom resource reaches these functions through its ServiceToken, so this orders
    // the policy before any create or update, and keeps it until the last delete is done.
    this.onEventHandler.node.addDependency(policy);
    this.isCompleteHandler.node.addDependency(policy);
  }

  private grant(kind: Grant, appId: string): void {
    const grantKey = `${kind}\u0000${appId}`;
    if (this.granted.has(grantKey)) return;
    this.granted.add(grantKey);

    let current = this.policies[this.policies.length - 1];
    if (!current || current.grants >= GRANTS_PER_POLICY) {
      const policy = new iam.ManagedPolicy(this, `AmplifyBackendPolicy${this.policies.length}`, {
        description: 'cdk-amplify-backend: AmplifyBackend actions on the apps this stack configures',
      });
      this.attach(policy);
      acknowledge(policy.node.defaultChild as CfnResource, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Scoped to one Amplify app: the service authorizes on /backend/<appId>/ sub-resources (api, job, config) whose job IDs are not known before the call.',
        findings: wildcardFindings(Object.values(GRANT_ACTIONS).flat()),
        // One finding per app: about 90 bytes of template each, for a policy nobody else adds to.
        wholeResourceForCdkNag2: true,
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
    const count = this.policies.length + this.schemaPolicies.size;
    if (count <= MAX_POLICIES) return [];
    return [`AmplifyBackendProvider: the constructs of this provider need ${count} managed policies (${this.granted.size} app grants in ${this.policies.length} policies of at most ${GRANTS_PER_POLICY} grants each, and ${this.schemaPolicies.size} schema files with one policy each), more than the ${MAX_POLICIES} managed policies one IAM role can hold; split them over several stacks.`];
  }

  /** A default provider made for constructs given no `provider` must not sit beside another one the user made. */
  private validateOneDefault(): string[] {
    if (!this.createdImplicitly) return [];
    const stack = Stack.of(this);
    const others = stack.node.findAll().filter((c) => c instanceof AmplifyBackendProvider && c !== this && Stack.of(c) === stack);
    if (others.length === 0) return [];
    return [`Stack ${stack.node.path} has two AmplifyBackendProviders: ${others.map((o) => `"${o.node.path}"`).join(', ')}, which you created, and the default one, "${this.node.path}", created for the constructs given no \`provider\`. Each provider has its own ServiceToken, and CloudFormation refuses to change a deployed custom resource's ServiceToken. Pass \`provider\` to every construct, or configure the default provider with AmplifyBackendProvider.configure(stack, props) (same construct ID, same ServiceToken) instead of \`new AmplifyBackendProvider\`.`];
  }

  /** cdk-nag AwsSolutions findings on the provider's resources, each with the reason, on the resources they concern (src/nag.ts). */
  private acknowledgeFindings(framework: Construct, ownRole: boolean, inVpc: boolean): void {
    const basicExecution = 'AWSLambdaBasicExecutionRole';
    const vpcAccess = 'AWSLambdaVPCAccessExecutionRole';
    const vpcReason = `${vpcAccess} (network interfaces), added only when the provider is in a VPC.`;
    for (const child of framework.node.findAll()) {
      if (!(child instanceof CfnResource)) continue;
      switch (child.cfnResourceType) {
        case 'AWS::IAM::Role':
          acknowledge(child, [{
            id: 'AwsSolutions-IAM4',
            reason: `CDK Provider framework function role: ${basicExecution} (its own logs), and ${vpcReason}`,
            findings: managedPolicyFindings([`service-role/${basicExecution}`, `service-role/${vpcAccess}`]),
          }]);
          break;
        case 'AWS::IAM::Policy':
          acknowledge(child, [
            { id: 'AwsSolutions-IAM5', reason: 'CDK Provider framework: invoke any version (:*) of this provider\'s functions.', findings: wildcardFindings(['lambda:InvokeFunction']) },
            { id: 'AwsSolutions-IAM5', reason: 'CDK Provider framework waiter: aws-cdk-lib grants its log delivery in one statement on Resource "*", the only resource IAM allows for log-delivery actions.', findings: wildcardFindings(LOG_DELIVERY_ACTIONS) },
          ]);
          break;
        case 'AWS::Lambda::Function':
          acknowledge(child, [{ id: 'AwsSolutions-L1', reason: 'CDK Provider framework function: its runtime is the one aws-cdk-lib picks for the framework.' }]);
          break;
        case 'AWS::StepFunctions::StateMachine':
          acknowledge(child, [
            { id: 'AwsSolutions-SF1', reason: 'CDK Provider framework waiter: retries one function; failures reach the CloudFormation event and the function logs.' },
            { id: 'AwsSolutions-SF2', reason: 'CDK Provider framework waiter: a retry loop around one function; X-Ray adds nothing.' },
          ]);
          break;
      }
    }
    for (const fn of [this.onEventHandler, this.isCompleteHandler]) {
      acknowledge(fn.node.defaultChild as CfnResource, [{ id: 'AwsSolutions-L1', reason: 'NODEJS_22_X is the newest Node.js runtime of the minimum supported aws-cdk-lib.' }]);
    }
    // The VPC access policy is the provider's doing on a role passed in too (when it is one of this app's).
    const role = this.role.node.defaultChild;
    if (inVpc && this.roleIsMutable && role instanceof CfnResource) {
      acknowledge(role, [{ id: 'AwsSolutions-IAM4', reason: `Handler role: ${vpcReason}`, findings: managedPolicyFindings([`service-role/${vpcAccess}`]) }]);
    }
    if (!ownRole) return;
    const logPolicy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (logPolicy instanceof CfnResource) {
      acknowledge(logPolicy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'Handler role: write log streams (log-group:<its own group>:*) whose names Lambda picks.',
        findings: wildcardFindings(['logs:CreateLogStream', 'logs:PutLogEvents']),
      }]);
    }
  }
}

/**
 * Checks the provider's timing and memory props (all broken rules at once) and returns the
 * ServiceTimeout the custom resources get: long enough for the framework's own timeout answer,
 * never over CloudFormation's hour.
 */
function validateTimeouts(scope: Construct, queryInterval: Duration, totalTimeout: Duration, handlerTimeout: Duration, memorySize: number | undefined): Duration {
  const errors: string[] = [];
  const fail = (prop: string, got: string, fix: string) => errors.push(`AmplifyBackendProvider ${scope.node.path}: invalid ${prop} (got ${got}): ${fix}`);
  const known = (d: Duration) => !d.isUnresolved();
  if (known(queryInterval) && queryInterval.toMilliseconds() < 1000) {
    fail('queryInterval', queryInterval.toHumanString(), 'poll at most once a second: use Duration.seconds(1) or more.');
  }
  if (known(handlerTimeout) && (handlerTimeout.toMilliseconds() < 1000 || handlerTimeout.toMilliseconds() > MAX_HANDLER_TIMEOUT.toMilliseconds())) {
    fail('handlerTimeout', handlerTimeout.toHumanString(), 'a Lambda function runs from 1 second to 15 minutes: use a Duration in that range, e.g. Duration.minutes(2).');
  }
  if (memorySize !== undefined && !Token.isUnresolved(memorySize) && !(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10240)) {
    fail('memorySize', `${memorySize} MiB`, 'Lambda takes a whole number of MiB from 128 to 10240.');
  }
  let serviceTimeout = MAX_SERVICE_TIMEOUT;
  if (known(queryInterval) && known(totalTimeout) && known(handlerTimeout) && queryInterval.toMilliseconds() >= 1000) {
    const q = queryInterval.toSeconds({ integral: false });
    const polls = Math.ceil(totalTimeout.toSeconds({ integral: false }) / q);
    const needed = handlerTimeout.toSeconds({ integral: false }) + totalTimeout.toSeconds({ integral: false })
      + polls * POLL_RUN_TIME.toSeconds() + FRAMEWORK_OVERHEAD.toSeconds();
    const limit = MAX_SERVICE_TIMEOUT.toSeconds();
    if (needed > limit) {
      const room = limit - handlerTimeout.toSeconds({ integral: false }) - FRAMEWORK_OVERHEAD.toSeconds();
      const maxTotal = Math.floor((room * q) / (q + POLL_RUN_TIME.toSeconds()) / 60);
      fail('totalTimeout', totalTimeout.toHumanString(),
        `CloudFormation waits at most ${MAX_SERVICE_TIMEOUT.toHumanString()} for a custom resource, and the framework's own timeout answer must come first: handlerTimeout (${handlerTimeout.toHumanString()}) + totalTimeout + ${POLL_RUN_TIME.toHumanString()} per poll (${polls} polls every ${queryInterval.toHumanString()}) + ${FRAMEWORK_OVERHEAD.toHumanString()} for the framework comes to ${Math.ceil(needed)} seconds, over ${limit} seconds. `
        + (maxTotal >= 1 ? `Use a totalTimeout of at most Duration.minutes(${maxTotal}) with these settings.` : 'Lower handlerTimeout first.'));
    } else {
      serviceTimeout = Duration.seconds(Math.ceil(needed));
    }
  }
  throwIfInvalid(errors, scope);
  return serviceTimeout;
}

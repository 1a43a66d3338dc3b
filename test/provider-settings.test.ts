import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AdminUiLoginConfig, AmplifyBackendProvider, AmplifyBackendProviderProps, BackendApiConfig } from '../src';
import { ADMIN_UI_LOGIN_TYPE, APP_ID, BACKEND_API_TYPE, DEFAULT_SERVICE_TIMEOUT, ENV, errorMessage, logicalId, newStack, resourcesOfType } from './support/construct-helpers';

function api(scope: Construct, id: string, extra: Partial<ConstructorParameters<typeof BackendApiConfig>[2]> = {}): BackendApiConfig {
  return new BackendApiConfig(scope, id, { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', ...extra });
}

function serviceTimeoutWith(props: AmplifyBackendProviderProps): string {
  const { stack } = newStack(ENV);
  api(stack, 'Api', { provider: new AmplifyBackendProvider(stack, 'Provider', props) });
  return Object.values(resourcesOfType(Template.fromStack(stack), BACKEND_API_TYPE))[0].Properties!.ServiceTimeout;
}

describe('timeouts that fit CloudFormation\'s hour', () => {
  test('by default: handler 2 min, total 50 min, polls every 15 s; ServiceTimeout 3,380 s leaves the framework\'s own timeout answer room to arrive first', () => {
    const { stack } = newStack(ENV);
    api(stack, 'Api');
    new AdminUiLoginConfig(stack, 'Login', { appId: APP_ID, identityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(BACKEND_API_TYPE, { ServiceTimeout: DEFAULT_SERVICE_TIMEOUT });
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, { ServiceTimeout: DEFAULT_SERVICE_TIMEOUT });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', Timeout: 120 });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.isComplete', Timeout: 120 });
    // The waiter: 200 attempts of 15 s, 3,000 s.
    const machine = JSON.stringify(Object.values(resourcesOfType(template, 'AWS::StepFunctions::StateMachine'))[0].Properties!.DefinitionString);
    expect(machine).toMatch(/IntervalSeconds\\":15/);
    expect(machine).toMatch(/MaxAttempts\\":200/);
  });

  test('ServiceTimeout follows the settings: a shorter wait makes CloudFormation give up sooner too', () => {
    // 60 s + 600 s + 60 polls x 1 s + 60 s
    expect(serviceTimeoutWith({ handlerTimeout: Duration.minutes(1), totalTimeout: Duration.minutes(10), queryInterval: Duration.seconds(10) })).toBe('780');
  });

  test('the longest total timeout that fits with the defaults (53 minutes) synthesizes; the next minute fails and says the maximum', () => {
    expect(serviceTimeoutWith({ totalTimeout: Duration.minutes(53) })).toBe(String(120 + 3180 + 212 + 60));
    const message = errorMessage(() => serviceTimeoutWith({ totalTimeout: Duration.minutes(54) }));
    expect(message).toMatch(/AmplifyBackendProvider TestStack\/Provider: invalid totalTimeout \(got 54 minutes\): CloudFormation waits at most 1 hour for a custom resource/);
    expect(message).toMatch(/comes to 3636 seconds, over 3600 seconds\. Use a totalTimeout of at most Duration\.minutes\(53\) with these settings\./);
  });

  test.each([
    [{ handlerTimeout: Duration.minutes(16) }, /invalid handlerTimeout \(got 16 minutes\): a Lambda function runs from 1 second to 15 minutes/],
    [{ handlerTimeout: Duration.millis(500) }, /invalid handlerTimeout \(got 500 millis\)/],
    [{ queryInterval: Duration.millis(200) }, /invalid queryInterval \(got 200 millis\): poll at most once a second/],
    [{ memorySize: 64 }, /invalid memorySize \(got 64 MiB\): Lambda takes a whole number of MiB from 128 to 10240/],
    [{ memorySize: 20000 }, /invalid memorySize \(got 20000 MiB\)/],
    [{ totalTimeout: Duration.hours(2) }, /invalid totalTimeout \(got 2 hours\)/],
  ])('%p fails synth', (props, expected) => {
    expect(errorMessage(() => serviceTimeoutWith(props))).toMatch(expected);
  });

  test('every broken setting is reported at once', () => {
    const message = errorMessage(() => serviceTimeoutWith({ handlerTimeout: Duration.minutes(20), memorySize: 100, queryInterval: Duration.millis(10) }));
    expect(message.split('\n')).toHaveLength(3); // queryInterval, handlerTimeout, memorySize (the total is checked once the parts are valid)
  });
});

describe('one stable provider per stack', () => {
  test('configure() creates the default provider under the ID of() uses: the ServiceToken is the one a deployed stack already has', () => {
    const tokenWith = (configure: boolean) => {
      const { stack } = newStack(ENV);
      if (configure) AmplifyBackendProvider.configure(stack, { memorySize: 512, logRetention: logs.RetentionDays.ONE_MONTH });
      const config = api(stack, 'Api');
      const template = Template.fromStack(stack);
      return { token: resourcesOfType(template, BACKEND_API_TYPE)[logicalId(config.resource)].Properties!.ServiceToken, template };
    };
    const plain = tokenWith(false);
    const configured = tokenWith(true);
    expect(configured.token).toEqual(plain.token);
    configured.template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.onEvent', MemorySize: 512 });
  });

  test('configure() after the default provider exists fails, saying to call it first', () => {
    const { stack } = newStack(ENV);
    api(stack, 'Api');
    expect(() => AmplifyBackendProvider.configure(stack, {})).toThrow(
      'AmplifyBackendProvider.configure(): the stack TestStack already has its default provider, created with default settings for a construct given no `provider`; '
      + 'call configure() once, before the first BackendApiConfig or AdminUiLoginConfig',
    );
  });

  test('configure() twice fails', () => {
    const { stack } = newStack(ENV);
    AmplifyBackendProvider.configure(stack, {});
    expect(() => AmplifyBackendProvider.configure(stack, {})).toThrow(/already has its default provider \(configure\(\) was called before\)/);
  });

  test('a provider created with `new` beside the default one made for constructs given no `provider` fails synth, naming both', () => {
    const { app, stack } = newStack(ENV);
    const mine = new AmplifyBackendProvider(stack, 'Provider');
    api(stack, 'Api', { provider: mine });
    api(stack, 'Other', { resourceName: 'shopapi' });
    const message = errorMessage(() => app.synth());
    expect(message).toContain('Stack TestStack has two AmplifyBackendProviders: "TestStack/Provider", which you created, and the default one, "TestStack/AmplifyBackendProvider", created for the constructs given no `provider`');
    expect(message).toContain('AmplifyBackendProvider.configure(stack, props)');
  });

  test('two providers the user asked for (each passed explicitly, or configure() plus new) synthesize', () => {
    const { app, stack } = newStack(ENV);
    api(stack, 'One', { provider: new AmplifyBackendProvider(stack, 'InVpcLater') });
    AmplifyBackendProvider.configure(stack, {});
    api(stack, 'Two', { resourceName: 'shopapi' });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('logs', () => {
  test('the framework functions and the waiter log to a log group of their own, not the handler\'s; retention and removal are configurable', () => {
    const { stack } = newStack(ENV);
    const provider = AmplifyBackendProvider.configure(stack, {
      logRetention: logs.RetentionDays.ONE_YEAR,
      frameworkLogRetention: logs.RetentionDays.ONE_WEEK,
    });
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    const handlerLogs = logicalId(provider.logGroup);
    const frameworkLogs = logicalId(provider.frameworkLogGroup);
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 365 }, DeletionPolicy: 'Retain' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 7 }, DeletionPolicy: 'Retain' });
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function'));
    for (const fn of functions) {
      const expected = String(fn.Properties!.Handler).startsWith('index.') ? handlerLogs : frameworkLogs;
      expect(fn.Properties!.LoggingConfig).toEqual({ LogGroup: { Ref: expected } });
    }
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [frameworkLogs, 'Arn'] } } }], Level: 'ERROR' },
    });
  });

  test('frameworkLogRetention defaults to logRetention', () => {
    const { stack } = newStack(ENV);
    AmplifyBackendProvider.configure(stack, { logRetention: logs.RetentionDays.THREE_MONTHS });
    api(stack, 'Api');
    const groups = Object.values(resourcesOfType(Template.fromStack(stack), 'AWS::Logs::LogGroup'));
    expect(groups.map((g) => g.Properties!.RetentionInDays)).toEqual([90, 90]);
  });
});

describe('a role passed in', () => {
  test('imported with mutable: false, it is never modified: no policy attached to it, no statement added; the policies are exposed to attach', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const role = iam.Role.fromRoleArn(stack, 'Existing', 'arn:aws:iam::123456789012:role/amplify-backend-handler', { mutable: false });
    const provider = AmplifyBackendProvider.configure(stack, { role });
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 4); // the framework's own roles' policies only (onEvent, isComplete, onTimeout, waiter)
    for (const policy of Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))) {
      expect(JSON.stringify(policy.Properties!.Roles)).not.toContain('amplify-backend-handler');
    }
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: Match.absent() });
    expect(provider.managedPolicies).toHaveLength(1);
    expect(stack.resolve(provider.managedPolicies[0].managedPolicyArn)).toEqual({ Ref: logicalId(provider.managedPolicies[0] as unknown as Construct) });
  });

  test('a mutable role gets the managed policies attached and the log statement added', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    AmplifyBackendProvider.configure(stack, { role });
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: logicalId(role) }] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(role) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] })] },
    });
  });

  test('a role of another stack synthesizes (no reference cycle): its log grant is a policy in the provider\'s stack, which the handlers wait for', () => {
    const app = new App();
    const roles = new Stack(app, 'RoleStack', { env: ENV });
    const role = new iam.Role(roles, 'Shared', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const provider = AmplifyBackendProvider.configure(stack, { role });
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    const [logWrite] = Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties!.PolicyDocument).includes('logs:PutLogEvents'));
    expect(logWrite[1].Properties!.Roles).toEqual([{ 'Fn::ImportValue': expect.stringContaining('RoleStack') }]);
    for (const fn of [provider.onEventHandler, provider.isCompleteHandler]) {
      expect(template.toJSON().Resources[logicalId(fn)].DependsOn).toContain(logWrite[0]);
    }
    // The role's stack holds nothing of the provider's stack.
    expect(JSON.stringify(Template.fromStack(roles).toJSON())).not.toContain('Fn::ImportValue');
  });
});

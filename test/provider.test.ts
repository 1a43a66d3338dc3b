import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AdminUiLoginConfig, AmplifyBackendProvider, BackendApiConfig } from '../src';
import {
  ADMIN_UI_LOGIN_TYPE, APP_ID, BACKEND_API_TYPE, ENV,
  amplifyBackendStatements, appArn, asList, dependsTransitively, errorMessage, iamStatements, logicalId, newStack, resourcesOfType,
} from './support/construct-helpers';

const BUNDLE = path.join(__dirname, '..', 'assets', 'lambda', 'index', 'index.js');
/** Functions of one provider: the two handlers and the framework's onEvent, isComplete and onTimeout. */
const FUNCTIONS_PER_PROVIDER = 5;

function api(scope: Construct, id: string, appId = APP_ID, extra: Partial<ConstructorParameters<typeof BackendApiConfig>[2]> = {}): BackendApiConfig {
  return new BackendApiConfig(scope, id, { appId, backendEnvironmentName: 'staging', resourceName: 'blogapi', ...extra });
}

function login(scope: Construct, id: string, appId = APP_ID, extra: Partial<ConstructorParameters<typeof AdminUiLoginConfig>[2]> = {}): AdminUiLoginConfig {
  return new AdminUiLoginConfig(scope, id, { appId, identityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678', ...extra });
}

/** The logical ID of the framework onEvent function a custom resource's ServiceToken points to. */
function serviceTokenFunction(template: Template, type: string): string[] {
  return Object.values(resourcesOfType(template, type)).map((r) => r.Properties!.ServiceToken['Fn::GetAtt'][0] as string);
}

describe('AmplifyBackendProvider: one per stack', () => {
  test.each([1, 50])('%i constructs share one provider (one set of functions, one state machine)', (n) => {
    const { stack } = newStack(ENV);
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i}`, stackOutputs: false });
      else login(stack, `Login${i}`, `d${i}`, { stackOutputs: false });
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS_PER_PROVIDER);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.resourceCountIs('AWS::Logs::LogGroup', 2); // the provider's log group and the waiter's
    const tokens = [...serviceTokenFunction(template, BACKEND_API_TYPE), ...serviceTokenFunction(template, ADMIN_UI_LOGIN_TYPE)];
    expect(tokens).toHaveLength(n);
    expect(new Set(tokens).size).toBe(1);
  });

  test('AmplifyBackendProvider.of() returns the same instance, from the stack or from any construct in it', () => {
    const { stack } = newStack();
    const nested = new Construct(new Construct(stack, 'Level1'), 'Level2');
    const first = AmplifyBackendProvider.of(stack);
    expect(AmplifyBackendProvider.of(stack)).toBe(first);
    expect(AmplifyBackendProvider.of(nested)).toBe(first);
    expect(first.node.scope).toBe(stack);
  });

  test('constructs deep in the tree use the stack provider', () => {
    const { stack } = newStack();
    const config = api(new Construct(stack, 'Group'), 'Api');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS_PER_PROVIDER);
    expect(config.node.scope?.node.id).toBe('Group');
    expect(serviceTokenFunction(template, BACKEND_API_TYPE)).toEqual([logicalId(AmplifyBackendProvider.of(stack).node.findChild('Framework').node.findChild('framework-onEvent'))]);
  });

  test('AmplifyBackendProvider.of() refuses a stack whose provider ID is taken by another construct', () => {
    const { stack } = newStack();
    new Construct(stack, 'AmplifyBackendProvider');
    expect(() => AmplifyBackendProvider.of(stack)).toThrow(/already has a construct with the ID "AmplifyBackendProvider" that is not an AmplifyBackendProvider/);
  });

  test('an explicitly created provider passed via `provider` is used, and no second provider is created', () => {
    const { stack } = newStack(ENV);
    const provider = new AmplifyBackendProvider(stack, 'MyProvider', { memorySize: 512 });
    api(stack, 'Api', APP_ID, { provider });
    login(stack, 'Login', APP_ID, { provider });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS_PER_PROVIDER);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(stack.node.tryFindChild('AmplifyBackendProvider')).toBeUndefined();
    const onEvent = logicalId(provider.node.findChild('Framework').node.findChild('framework-onEvent'));
    expect(onEvent).toMatch(/^MyProvider/);
    expect([...serviceTokenFunction(template, BACKEND_API_TYPE), ...serviceTokenFunction(template, ADMIN_UI_LOGIN_TYPE)]).toEqual([onEvent, onEvent]);
  });

  test('provider props reach the handler functions and the log group', () => {
    const { stack } = newStack(ENV);
    const provider = new AmplifyBackendProvider(stack, 'MyProvider', {
      memorySize: 512,
      handlerTimeout: Duration.minutes(5),
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    api(stack, 'Api', APP_ID, { provider });
    const template = Template.fromStack(stack);
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: handler,
        MemorySize: 512,
        Timeout: 300,
        // is-complete answers by itself, with the job's last status, just before the framework's timeout.
        Environment: { Variables: { TOTAL_TIMEOUT_MS: '3000000', QUERY_INTERVAL_MS: '15000' } },
        LoggingConfig: { LogGroup: { Ref: logicalId(provider.node.findChild('Logs')) } },
      });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('two stacks get two providers, each used only by its own stack', () => {
    const app = new App();
    const one = new Stack(app, 'One', { env: ENV });
    const two = new Stack(app, 'Two', { env: ENV });
    api(one, 'Api');
    api(two, 'Api');
    expect(AmplifyBackendProvider.of(one)).not.toBe(AmplifyBackendProvider.of(two));
    for (const stack of [one, two]) {
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS_PER_PROVIDER);
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      expect(serviceTokenFunction(template, BACKEND_API_TYPE)).toEqual([
        logicalId(AmplifyBackendProvider.of(stack).node.findChild('Framework').node.findChild('framework-onEvent')),
      ]);
      expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue/);
    }
  });
});

describe('AmplifyBackendProvider: handler functions', () => {
  test('runtime nodejs22.x, handlers index.onEvent and index.isComplete, code from the bundled asset', () => {
    const { app, stack } = newStack(ENV);
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    const handlers = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).filter((f) => String(f.Properties!.Handler).startsWith('index.'));
    expect(handlers.map((f) => f.Properties!.Handler).sort()).toEqual(['index.isComplete', 'index.onEvent']);
    for (const f of handlers) {
      expect(f.Properties!.Runtime).toBe('nodejs22.x');
      expect(f.Properties!.Code).toEqual({ S3Bucket: expect.anything(), S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/) });
    }
    // Both handlers are the one asset, and the staged asset is the bundle the build produced.
    const keys = new Set(handlers.map((f) => f.Properties!.Code.S3Key as string));
    expect(keys.size).toBe(1);
    const hash = [...keys][0].replace(/\.zip$/, '');
    const assembly = app.synth();
    const staged = path.join(assembly.directory, `asset.${hash}`, 'index.js');
    expect(fs.readFileSync(staged)).toEqual(fs.readFileSync(BUNDLE));
  });

  test('the handlers run under the provider role, which only Lambda can assume', () => {
    const { stack } = newStack(ENV);
    const provider = AmplifyBackendProvider.of(stack);
    api(stack, 'Api');
    const template = Template.fromStack(stack);
    const roleId = logicalId(provider.node.findChild('Role'));
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
    });
    for (const handler of ['index.onEvent', 'index.isComplete']) {
      template.hasResourceProperties('AWS::Lambda::Function', { Handler: handler, Role: { 'Fn::GetAtt': [roleId, 'Arn'] } });
    }
  });
});

describe('AmplifyBackendProvider: IAM', () => {
  function bothConstructs(env = ENV) {
    const { stack } = newStack(env);
    api(stack, 'Api');
    login(stack, 'Login');
    return { stack, template: Template.fromStack(stack) };
  }

  test('no statement anywhere in the template has a wildcard action (amplifybackend:* or *)', () => {
    const { template } = bothConstructs();
    const statements = iamStatements(template);
    expect(statements.length).toBeGreaterThan(5);
    for (const { statement, holder } of statements) {
      for (const action of asList(statement.Action)) {
        expect({ holder, action }).toEqual({ holder, action: expect.stringMatching(/^[a-z0-9-]+:[A-Za-z]+$/) });
      }
    }
  });

  test.each([
    ['with an env', ENV],
    ['env-agnostic', {}],
  ])('every amplifybackend statement is scoped to arn:<partition>:amplifybackend:<region>:<account>:/backend/<appId>/* (%s)', (_label, env) => {
    const { template } = bothConstructs(env);
    const statements = amplifyBackendStatements(template);
    expect(statements).toHaveLength(2);
    for (const { statement, holderType } of statements) {
      expect(holderType).toBe('AWS::IAM::ManagedPolicy');
      expect(statement.Effect).toBe('Allow');
      expect(statement.Resource).toEqual(appArn(APP_ID, env));
    }
  });

  test('BackendApiConfig grants exactly UpdateBackendAPI, GetBackendJob, ListBackendJobs and GetBackendAPI', () => {
    const { stack } = newStack(ENV);
    api(stack, 'Api');
    const actions = amplifyBackendStatements(Template.fromStack(stack)).flatMap((s) => asList(s.statement.Action));
    expect(actions.sort()).toEqual(['amplifybackend:GetBackendAPI', 'amplifybackend:GetBackendJob', 'amplifybackend:ListBackendJobs', 'amplifybackend:UpdateBackendAPI']);
  });

  test('AdminUiLoginConfig grants exactly UpdateBackendConfig', () => {
    const { stack } = newStack(ENV);
    login(stack, 'Login');
    const actions = amplifyBackendStatements(Template.fromStack(stack)).flatMap((s) => asList(s.statement.Action));
    expect(actions).toEqual(['amplifybackend:UpdateBackendConfig']);
  });

  test('two constructs on one app share one ARN entry', () => {
    const { stack } = newStack(ENV);
    api(stack, 'Staging', APP_ID, { backendEnvironmentName: 'staging' });
    api(stack, 'Prod', APP_ID, { backendEnvironmentName: 'prod' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    const statements = amplifyBackendStatements(template);
    expect(statements).toHaveLength(1);
    expect(statements[0].statement.Resource).toEqual(appArn(APP_ID, ENV));
  });

  test('many constructs on one app count as one grant: 61 of them keep one managed policy', () => {
    const { stack } = newStack(ENV);
    for (let i = 0; i < 61; i++) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i}`, stackOutputs: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    expect(amplifyBackendStatements(template).map((s) => s.statement.Resource)).toEqual([appArn(APP_ID, ENV)]);
  });

  test('constructs on different apps add one ARN each to the same statement', () => {
    const { stack } = newStack(ENV);
    api(stack, 'One', 'd111');
    api(stack, 'Two', 'd222');
    const statements = amplifyBackendStatements(Template.fromStack(stack));
    expect(statements).toHaveLength(1);
    expect(statements[0].statement.Resource).toEqual([appArn('d111', ENV), appArn('d222', ENV)]);
  });

  test('61 distinct apps spread over a second managed policy; each custom resource comes after the policy that grants its app', () => {
    const { stack } = newStack(ENV);
    const configs = Array.from({ length: 61 }, (_, i) => api(stack, `Api${i}`, `d${i + 1}`, { stackOutputs: false }));
    const template = Template.fromStack(stack);
    const policies = resourcesOfType(template, 'AWS::IAM::ManagedPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    const provider = AmplifyBackendProvider.of(stack);
    const [first, second] = ['AmplifyBackendPolicy0', 'AmplifyBackendPolicy1'].map((id) => logicalId(provider.node.findChild(id)));
    const roleRef = { Ref: logicalId(provider.node.findChild('Role')) };
    for (const id of [first, second]) expect(policies[id].Properties!.Roles).toEqual([roleRef]);

    const resourcesOf = (id: string) => asList(policies[id].Properties!.PolicyDocument.Statement[0].Resource);
    expect(resourcesOf(first)).toHaveLength(60);
    expect(resourcesOf(first)[0]).toEqual(appArn('d1', ENV));
    expect(resourcesOf(second)).toEqual([appArn('d61', ENV)]);

    configs.forEach((config, i) => {
      expect(dependsTransitively(template, logicalId(config.resource), i < 60 ? first : second)).toBe(true);
    });
    // Both handler functions wait for every policy.
    for (const fn of [provider.onEventHandler, provider.isCompleteHandler]) {
      expect(resourcesOfType(template, 'AWS::Lambda::Function')[logicalId(fn)].DependsOn).toEqual(expect.arrayContaining([first, second]));
    }
  });

  test('an app with both constructs: each resource comes after the policy that grants it', () => {
    const { stack } = newStack(ENV);
    const a = api(stack, 'Api');
    const l = login(stack, 'Login');
    const template = Template.fromStack(stack);
    const policy = logicalId(AmplifyBackendProvider.of(stack).node.findChild('AmplifyBackendPolicy0'));
    expect(dependsTransitively(template, logicalId(a.resource), policy)).toBe(true);
    expect(dependsTransitively(template, logicalId(l.resource), policy)).toBe(true);
    expect(dependsTransitively(template, policy, logicalId(a.resource))).toBe(false);
  });

  test('jobs on one app and environment are ordered per stack, whichever provider each construct uses', () => {
    const { stack } = newStack(ENV);
    const own = new AmplifyBackendProvider(stack, 'Own');
    const first = new BackendApiConfig(stack, 'First', { appId: 'd1', backendEnvironmentName: 'dev', resourceName: 'a', provider: own });
    AmplifyBackendProvider.configure(stack, {});
    const second = new BackendApiConfig(stack, 'Second', { appId: 'd1', backendEnvironmentName: 'dev', resourceName: 'b' });
    const template = Template.fromStack(stack);
    expect(resourcesOfType(template, BACKEND_API_TYPE)[logicalId(second.resource)].DependsOn).toEqual([logicalId(first.resource)]);
  });

  test('two providers in one stack report the outputs cap once', () => {
    const { stack } = newStack(ENV);
    const own = new AmplifyBackendProvider(stack, 'Own');
    for (let i = 0; i < 101; i++) new BackendApiConfig(stack, `Api${i}`, { appId: `d${i + 1}`, backendEnvironmentName: 'dev', resourceName: 'a', provider: i % 2 ? own : undefined });
    const message = errorMessage(() => Template.fromStack(stack));
    expect(message.match(/outputs, more than CloudFormation's limit of 200/g)).toHaveLength(1);
  });

  test('more apps than one role can hold (10 policies of 60 grants) fails synth and says to split the stack', () => {
    const { app, stack } = newStack(ENV);
    for (let i = 0; i < 601; i++) login(stack, `Login${i}`, `d${i + 1}`, { stackOutputs: false });
    expect(errorMessage(() => app.synth())).toContain(
      'need 11 managed policies (601 app grants in 11 policies of at most 60 grants each, and 0 schema files with one policy each), more than the 10 managed policies one IAM role can hold; split them over several stacks',
    );
  });
});

describe('AmplifyBackendProvider: outputs cap', () => {
  test('more than 200 outputs from BackendApiConfigs fails synth and points to `stackOutputs: false`', () => {
    const { app, stack } = newStack(ENV);
    for (let i = 0; i < 101; i++) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i}` });
    expect(() => app.synth()).toThrow(/202 outputs, more than CloudFormation's limit of 200.*`stackOutputs: false`/s);
  });

  test('Template.fromStack reports the same error', () => {
    const { stack } = newStack(ENV);
    for (let i = 0; i < 67; i++) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i}` });
    for (let i = 0; i < 67; i++) login(stack, `Login${i}`, `d${i + 1}`);
    expect(() => Template.fromStack(stack)).toThrow(/201 outputs.*stackOutputs: false/s);
  });

  test('exactly 200 outputs synthesize', () => {
    const { stack } = newStack(ENV);
    for (let i = 0; i < 100; i++) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i}` });
    expect(Object.keys(Template.fromStack(stack).findOutputs('*'))).toHaveLength(200);
  });

  test('with stackOutputs: false, 450 BackendApiConfigs synthesize with no output', () => {
    const { stack } = newStack(ENV);
    for (let i = 0; i < 450; i++) api(stack, `Api${i}`, APP_ID, { backendEnvironmentName: `env${i % 9}`, resourceName: `api${i}`, stackOutputs: false });
    const template = Template.fromStack(stack);
    template.resourceCountIs(BACKEND_API_TYPE, 450);
    expect(template.findOutputs('*')).toEqual({});
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS_PER_PROVIDER);
  });
});

import { CfnParameter, Duration, Errors } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApiAuth, ApiSchema, BackendApiConfig, BackendApiConfigProps, ConflictResolutionStrategy } from '../src';
import { RESOLUTION_STRATEGIES } from '../src/validation';
import { APP_ID, BACKEND_API_TYPE, DEFAULT_SERVICE_TIMEOUT, ENV, appArn, dependsTransitively, errorMessage, logicalId, newStack, resourcesOfType } from './support/construct-helpers';

const REQUIRED = { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi' };

function synthOne(props: Partial<BackendApiConfigProps> = {}) {
  const { stack } = newStack(ENV);
  const config = new BackendApiConfig(stack, 'Api', { ...REQUIRED, ...props });
  return { stack, config, template: Template.fromStack(stack) };
}

function build(props: Partial<BackendApiConfigProps>): () => BackendApiConfig {
  return () => new BackendApiConfig(newStack(ENV).stack, 'Api', { ...REQUIRED, ...props });
}

describe('BackendApiConfig: template properties', () => {
  test('the required props land as AppId, BackendEnvironmentName, ResourceName; nothing else is written', () => {
    const { template } = synthOne();
    template.resourceCountIs(BACKEND_API_TYPE, 1);
    template.hasResourceProperties(BACKEND_API_TYPE, Match.objectEquals({
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AmplifyBackendProviderFrameworkframeworkonEvent'), 'Arn'] },
      ServiceTimeout: DEFAULT_SERVICE_TIMEOUT,
      AppId: APP_ID,
      BackendEnvironmentName: 'staging',
      ResourceName: 'blogapi',
    }));
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: Match.absent(), WaitForCompletion: Match.absent() });
  });

  test('apiName, service, transformSchema and conflictResolution land in ResourceConfig', () => {
    const schema = 'type Post @model { id: ID! title: String! }';
    const { template } = synthOne({
      apiName: 'blog',
      service: 'AppSync',
      transformSchema: ApiSchema.fromString(schema),
      conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
    });
    template.hasResourceProperties(BACKEND_API_TYPE, {
      ResourceConfig: Match.objectEquals({
        ApiName: 'blog',
        Service: 'AppSync',
        TransformSchema: schema,
        ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
      }),
    });
  });

  test('one prop set gives a ResourceConfig with that member only', () => {
    const { template } = synthOne({ service: 'AppSync' });
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: Match.objectEquals({ Service: 'AppSync' }) });
  });

  test('ConflictResolutionStrategy (the jsii enum) has exactly the strategies of the rules the handler runs too', () => {
    expect(Object.values(ConflictResolutionStrategy)).toEqual([...RESOLUTION_STRATEGIES]);
  });

  test.each(Object.values(ConflictResolutionStrategy))('conflictResolution %s lands as ResolutionStrategy', (strategy) => {
    const { template } = synthOne({ conflictResolution: strategy });
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: { ConflictResolution: Match.objectEquals({ ResolutionStrategy: strategy }) } });
  });

  test('defaultAuthType lands as DefaultAuthType and additionalAuthTypes as AdditionalAuthTypes, in order', () => {
    const { template } = synthOne({
      defaultAuthType: ApiAuth.iam(),
      additionalAuthTypes: [ApiAuth.apiKey(), ApiAuth.openIdConnect({ providerName: 'Auth0', issuerUrl: 'https://example.auth0.com/' })],
    });
    template.hasResourceProperties(BACKEND_API_TYPE, {
      ResourceConfig: Match.objectEquals({
        DefaultAuthType: { Mode: 'AWS_IAM' },
        AdditionalAuthTypes: [
          { Mode: 'API_KEY' },
          Match.objectLike({ Mode: 'OPENID_CONNECT' }),
        ],
      }),
    });
  });

  test('defaultAuthType alone sends an empty AdditionalAuthTypes, which removes the API\'s other modes (members sent replace, members left out are kept)', () => {
    const { template } = synthOne({ defaultAuthType: ApiAuth.apiKey() });
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: Match.objectEquals({ DefaultAuthType: { Mode: 'API_KEY' }, AdditionalAuthTypes: [] }) });
  });

  test('without defaultAuthType, no auth member is sent: the API keeps its modes', () => {
    const { template } = synthOne({ conflictResolution: ConflictResolutionStrategy.NONE });
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: Match.objectEquals({ ConflictResolution: { ResolutionStrategy: 'NONE' } }) });
  });

  test.each([
    [false, 'false'],
    [true, undefined],
    [undefined, undefined],
  ])('waitForCompletion %p -> WaitForCompletion %p', (waitForCompletion, expected) => {
    const { template } = synthOne({ waitForCompletion });
    template.hasResourceProperties(BACKEND_API_TYPE, { WaitForCompletion: expected ?? Match.absent() });
  });

  test('tokens (CfnParameter app ID, environment, resource name; Duration.days(token)) pass synth and land as Refs', () => {
    const { stack } = newStack();
    const appId = new CfnParameter(stack, 'AmplifyAppId', { type: 'String' });
    const envName = new CfnParameter(stack, 'EnvName', { type: 'String' });
    const resourceName = new CfnParameter(stack, 'ApiResource', { type: 'String' });
    const keyDays = new CfnParameter(stack, 'KeyDays', { type: 'Number' });
    new BackendApiConfig(stack, 'Api', {
      appId: appId.valueAsString,
      backendEnvironmentName: envName.valueAsString,
      resourceName: resourceName.valueAsString,
      defaultAuthType: ApiAuth.apiKey({ expiration: Duration.days(keyDays.valueAsNumber) }),
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(BACKEND_API_TYPE, {
      AppId: { Ref: 'AmplifyAppId' },
      BackendEnvironmentName: { Ref: 'EnvName' },
      ResourceName: { Ref: 'ApiResource' },
      ResourceConfig: { DefaultAuthType: { Mode: 'API_KEY', Settings: Match.objectEquals({ ExpirationTime: { Ref: 'KeyDays' } }) } },
    });
    // The grant follows the token too.
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: appArn({ Ref: 'AmplifyAppId' }) })] },
    });
  });

  test('the resource comes after the provider policy that grants its app (through its ServiceToken), with no DependsOn of its own', () => {
    const { template, config } = synthOne();
    const policies = Object.keys(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(dependsTransitively(template, logicalId(config.resource), policies[0])).toBe(true);
    expect(resourcesOfType(template, BACKEND_API_TYPE)[logicalId(config.resource)].DependsOn).toBeUndefined();
  });

  test('no DeletionPolicy / UpdateReplacePolicy is written (CloudFormation\'s default, Delete, applies)', () => {
    const { template, config } = synthOne();
    const resource = template.toJSON().Resources[logicalId(config.resource)];
    expect(resource.DeletionPolicy).toBeUndefined();
    expect(resource.UpdateReplacePolicy).toBeUndefined();
  });
});

describe('BackendApiConfig: attributes and outputs', () => {
  test.each([
    ['jobId', 'JobId'],
    ['status', 'Status'],
    ['operation', 'Operation'],
    ['appId', 'AppId'],
    ['backendEnvironmentName', 'BackendEnvironmentName'],
    ['jobCreateTime', 'CreateTime'],
    ['jobUpdateTime', 'UpdateTime'],
  ] as const)('%s is Fn::GetAtt %s of the custom resource', (attribute, name) => {
    const { stack, config } = synthOne();
    expect(stack.resolve(config[attribute])).toEqual({ 'Fn::GetAtt': [logicalId(config.resource), name] });
  });

  test('outputs JobId and Status are added by default', () => {
    const { template, config } = synthOne();
    const id = logicalId(config.resource);
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(2);
    expect(Object.keys(template.findOutputs('*', { Value: { 'Fn::GetAtt': [id, 'JobId'] } }))).toEqual([expect.stringMatching(/^ApiJobId/)]);
    expect(Object.keys(template.findOutputs('*', { Value: { 'Fn::GetAtt': [id, 'Status'] } }))).toEqual([expect.stringMatching(/^ApiStatus/)]);
  });

  test('stackOutputs: false adds no output', () => {
    const { template } = synthOne({ stackOutputs: false });
    expect(template.findOutputs('*')).toEqual({});
    template.resourceCountIs(BACKEND_API_TYPE, 1);
  });
});

describe('BackendApiConfig: ordering of jobs on one app and environment', () => {
  test('on the same app and environment, each resource DependsOn the one before it', () => {
    const { stack } = newStack(ENV);
    const first = new BackendApiConfig(stack, 'First', { ...REQUIRED, resourceName: 'one' });
    const second = new BackendApiConfig(stack, 'Second', { ...REQUIRED, resourceName: 'two' });
    const third = new BackendApiConfig(stack, 'Third', { ...REQUIRED, resourceName: 'three' });
    const resources = resourcesOfType(Template.fromStack(stack), BACKEND_API_TYPE);
    expect(resources[logicalId(first.resource)].DependsOn).not.toEqual(expect.arrayContaining([logicalId(second.resource)]));
    expect(resources[logicalId(second.resource)].DependsOn).toEqual(expect.arrayContaining([logicalId(first.resource)]));
    expect(resources[logicalId(third.resource)].DependsOn).toEqual(expect.arrayContaining([logicalId(second.resource)]));
  });

  test('different environments of one app are not ordered', () => {
    const { stack } = newStack(ENV);
    const staging = new BackendApiConfig(stack, 'Staging', { ...REQUIRED, backendEnvironmentName: 'staging' });
    const prod = new BackendApiConfig(stack, 'Prod', { ...REQUIRED, backendEnvironmentName: 'prod' });
    const resources = resourcesOfType(Template.fromStack(stack), BACKEND_API_TYPE);
    const apiIds = [logicalId(staging.resource), logicalId(prod.resource)];
    for (const id of apiIds) {
      expect(resources[id].DependsOn ?? []).toEqual(expect.not.arrayContaining(apiIds.filter((other) => other !== id)));
    }
  });

  test('the same environment name on different apps is not ordered', () => {
    const { stack } = newStack(ENV);
    new BackendApiConfig(stack, 'One', { ...REQUIRED, appId: 'd111' });
    const two = new BackendApiConfig(stack, 'Two', { ...REQUIRED, appId: 'd222' });
    const resources = resourcesOfType(Template.fromStack(stack), BACKEND_API_TYPE);
    const dependsOn = resources[logicalId(two.resource)].DependsOn ?? [];
    expect(dependsOn.filter((d) => Object.keys(resources).includes(d))).toEqual([]);
  });
});

describe('BackendApiConfig: validation', () => {
  test.each(['my-app', 'D1A2B3', 'arn:aws:amplify:us-east-1:123456789012:apps/d1a2b3', 'd', 'x1a2b3c4', 'd1a2b3c4d5e6f7g8h9i0j'])('appId %p is rejected', (appId) => {
    expect(build({ appId })).toThrow(new RegExp(`BackendApiConfig: invalid appId \\(got ${JSON.stringify(appId)}\\)`));
  });

  test('appId: the message says what an app ID looks like', () => {
    expect(build({ appId: 'my-app' })).toThrow(/appId.*"my-app".*"d" followed by 1 to 19 lowercase letters or digits/);
  });

  test('empty backendEnvironmentName is rejected', () => {
    expect(build({ backendEnvironmentName: '' })).toThrow(/invalid backendEnvironmentName \(got ""\)/);
  });

  test.each(['stag ing', 'prod/eu', 'dev.1'])('backendEnvironmentName %p is rejected', (backendEnvironmentName) => {
    expect(build({ backendEnvironmentName })).toThrow(new RegExp(`invalid backendEnvironmentName \\(got ${JSON.stringify(backendEnvironmentName)}\\)`));
  });

  test('empty resourceName is rejected', () => {
    expect(build({ resourceName: '' })).toThrow(/invalid resourceName \(got ""\).*alphanumeric/);
  });

  test.each(['blog-api', 'blog_api', 'blog api'])('non-alphanumeric resourceName %p is rejected', (resourceName) => {
    expect(build({ resourceName })).toThrow(new RegExp(`invalid resourceName \\(got ${JSON.stringify(resourceName)}\\)`));
  });

  test.each([
    ['', 'must not be blank'],
    ['   ', 'must not be blank'],
    ['blog\napi', 'must not hold control characters'],
    ['blog\u0007', 'must not hold control characters'],
    [' blog', 'must not start or end with spaces'],
  ])('apiName %p is rejected', (apiName, why) => {
    expect(errorMessage(build({ apiName }))).toContain(`invalid apiName (got ${JSON.stringify(apiName)}): apiName ${why}`);
  });

  test.each(['', 'appsync', 'Lambda'])('service %p is rejected: the service accepts only "AppSync"', (service) => {
    expect(build({ service })).toThrow(new RegExp(`invalid service \\(got ${JSON.stringify(service)}\\): the service accepts only "AppSync"`));
  });

  test('an empty schema string is rejected', () => {
    expect(build({ transformSchema: ApiSchema.fromString('  ') })).toThrow(/TestStack\/Api: invalid transformSchema ApiSchema.fromString\(\): the schema is empty/);
  });

  test('valid names of every kind pass', () => {
    expect(build({ backendEnvironmentName: 'feature_x-2', resourceName: 'Blog2', apiName: 'blog', service: 'AppSync', transformSchema: ApiSchema.fromString('type A @model { id: ID! }') })).not.toThrow();
  });

  test('a failure is an aws-cdk-lib ValidationError scoped to the construct, so the CDK CLI shows where it comes from', () => {
    let thrown: unknown;
    try {
      build({ appId: 'my-app' })();
    } catch (e) {
      thrown = e;
    }
    expect(Errors.isValidationError(thrown)).toBe(true);
    expect((thrown as { constructPath?: string }).constructPath).toBe('TestStack/Api');
  });

  test('every broken rule is reported together in one error', () => {
    const message = errorMessage(build({
      appId: 'My-App',
      backendEnvironmentName: 'stag ing',
      resourceName: 'blog-api',
      apiName: '',
      additionalAuthTypes: [ApiAuth.iam()],
    }));
    const lines = message.split('\n');
    expect(lines).toHaveLength(5);
    expect(message).toMatch(/invalid appId \(got "My-App"\)/);
    expect(message).toMatch(/invalid backendEnvironmentName \(got "stag ing"\)/);
    expect(message).toMatch(/invalid resourceName \(got "blog-api"\)/);
    expect(message).toMatch(/invalid apiName \(got ""\)/);
    expect(message).toMatch(/additionalAuthTypes needs defaultAuthType/);
  });
});

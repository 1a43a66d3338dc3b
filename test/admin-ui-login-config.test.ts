import { CfnParameter, Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AdminUiLoginConfig, AdminUiLoginConfigProps } from '../src';
import { ADMIN_UI_LOGIN_TYPE, APP_ID, DEFAULT_SERVICE_TIMEOUT, ENV, appArn, dependsTransitively, errorMessage, logicalId, newStack, resourcesOfType } from './support/construct-helpers';

const POOL_ID = 'us-east-1_AbC123';
const CLIENT_ID = '1example23456789';
const IDENTITY_POOL_ID = 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678';

type Stack = ReturnType<typeof newStack>['stack'];
type PropsFor = (stack: Stack) => Partial<AdminUiLoginConfigProps>;

function importedPool(stack: Stack, id = POOL_ID): cognito.IUserPool {
  return cognito.UserPool.fromUserPoolId(stack, 'Pool', id);
}

function importedClient(stack: Stack): cognito.IUserPoolClient {
  return cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', CLIENT_ID);
}

/** `env` {} gives an env-agnostic stack. */
function synth(props: PropsFor, env: Environment = ENV) {
  const { stack } = newStack(env);
  const config = new AdminUiLoginConfig(stack, 'Login', { appId: APP_ID, ...props(stack) });
  return { stack, config, template: Template.fromStack(stack) };
}

function build(props: PropsFor, env: Environment = ENV): () => AdminUiLoginConfig {
  return () => {
    const { stack } = newStack(env);
    return new AdminUiLoginConfig(stack, 'Login', { appId: APP_ID, ...props(stack) });
  };
}

describe('AdminUiLoginConfig: template properties', () => {
  test('userPool, userPoolClient and identityPoolId land as the LoginAuthConfig keys', () => {
    const { template } = synth((stack) => ({ userPool: importedPool(stack), userPoolClient: importedClient(stack), identityPoolId: IDENTITY_POOL_ID }));
    template.resourceCountIs(ADMIN_UI_LOGIN_TYPE, 1);
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, Match.objectEquals({
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AmplifyBackendProviderFrameworkframeworkonEvent'), 'Arn'] },
      ServiceTimeout: DEFAULT_SERVICE_TIMEOUT,
      AppId: APP_ID,
      LoginAuthConfig: {
        AwsUserPoolsId: POOL_ID,
        AwsUserPoolsWebClientId: CLIENT_ID,
        AwsCognitoIdentityPoolId: IDENTITY_POOL_ID,
        AwsCognitoRegion: 'us-east-1',
      },
    }));
  });

  test('userPool alone: AwsUserPoolsId and the region, no client or identity pool', () => {
    const { template } = synth((stack) => ({ userPool: importedPool(stack) }));
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, {
      LoginAuthConfig: Match.objectEquals({ AwsUserPoolsId: POOL_ID, AwsCognitoRegion: 'us-east-1' }),
    });
  });

  test('identityPoolId alone: AwsCognitoIdentityPoolId and the region, no user pool', () => {
    const { template } = synth(() => ({ identityPoolId: IDENTITY_POOL_ID }));
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, {
      LoginAuthConfig: Match.objectEquals({ AwsCognitoIdentityPoolId: IDENTITY_POOL_ID, AwsCognitoRegion: 'us-east-1' }),
    });
  });

  test('a pool and client created in the stack land as Refs; cognitoRegion of an env-agnostic stack is {"Ref":"AWS::Region"}', () => {
    let pool: cognito.UserPool | undefined;
    let client: cognito.UserPoolClient | undefined;
    const { template } = synth((stack) => {
      pool = new cognito.UserPool(stack, 'Users');
      client = pool.addClient('Web');
      return { userPool: pool, userPoolClient: client };
    }, {});
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, {
      LoginAuthConfig: Match.objectEquals({
        AwsUserPoolsId: { Ref: logicalId(pool!) },
        AwsUserPoolsWebClientId: { Ref: logicalId(client!) },
        AwsCognitoRegion: { Ref: 'AWS::Region' },
      }),
    });
  });

  test('cognitoRegion defaults to the region of a stack with an env, as a literal', () => {
    const { template } = synth(() => ({ identityPoolId: 'eu-west-1:0a1b2c3d-1234-5678-9abc-def012345678' }), { account: '123456789012', region: 'eu-west-1' });
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, { LoginAuthConfig: { AwsCognitoRegion: 'eu-west-1' } });
  });

  test('an explicit cognitoRegion wins over the stack region', () => {
    const { template } = synth((stack) => ({ userPool: importedPool(stack, 'eu-central-1_Xyz9'), cognitoRegion: 'eu-central-1' }));
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, { LoginAuthConfig: { AwsUserPoolsId: 'eu-central-1_Xyz9', AwsCognitoRegion: 'eu-central-1' } });
  });

  test('a CfnParameter app ID and identity pool pass synth and land as Refs', () => {
    const { stack } = newStack(ENV);
    const appId = new CfnParameter(stack, 'AmplifyAppId');
    const identityPool = new CfnParameter(stack, 'IdentityPool');
    new AdminUiLoginConfig(stack, 'Login', { appId: appId.valueAsString, identityPoolId: identityPool.valueAsString });
    const template = Template.fromStack(stack);
    template.hasResourceProperties(ADMIN_UI_LOGIN_TYPE, {
      AppId: { Ref: 'AmplifyAppId' },
      LoginAuthConfig: { AwsCognitoIdentityPoolId: { Ref: 'IdentityPool' } },
    });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'amplifybackend:UpdateBackendConfig', Resource: appArn({ Ref: 'AmplifyAppId' }, ENV) })] },
    });
  });

  test('the resource comes after the provider policy that grants its app (through its ServiceToken), with no DependsOn of its own', () => {
    const { template, config } = synth(() => ({ identityPoolId: IDENTITY_POOL_ID }));
    const policies = Object.keys(resourcesOfType(template, 'AWS::IAM::ManagedPolicy'));
    expect(policies).toHaveLength(1);
    expect(dependsTransitively(template, logicalId(config.resource), policies[0])).toBe(true);
    expect(resourcesOfType(template, ADMIN_UI_LOGIN_TYPE)[logicalId(config.resource)].DependsOn).toBeUndefined();
  });
});

describe('AdminUiLoginConfig: attributes and outputs', () => {
  test.each([
    ['backendManagerAppId', 'BackendManagerAppId'],
    ['appId', 'AppId'],
    ['loginUserPoolId', 'AwsUserPoolsId'],
    ['loginUserPoolClientId', 'AwsUserPoolsWebClientId'],
    ['loginIdentityPoolId', 'AwsCognitoIdentityPoolId'],
    ['loginCognitoRegion', 'AwsCognitoRegion'],
  ] as const)('%s is Fn::GetAtt %s of the custom resource', (attribute, name) => {
    const { stack, config } = synth(() => ({ identityPoolId: IDENTITY_POOL_ID }));
    expect(stack.resolve(config[attribute])).toEqual({ 'Fn::GetAtt': [logicalId(config.resource), name] });
  });

  test('output BackendManagerAppId is added by default', () => {
    const { template, config } = synth(() => ({ identityPoolId: IDENTITY_POOL_ID }));
    expect(Object.keys(template.findOutputs('*'))).toHaveLength(1);
    expect(Object.keys(template.findOutputs('*', { Value: { 'Fn::GetAtt': [logicalId(config.resource), 'BackendManagerAppId'] } })))
      .toEqual([expect.stringMatching(/^LoginBackendManagerAppId/)]);
  });

  test('stackOutputs: false adds no output', () => {
    const { template } = synth(() => ({ identityPoolId: IDENTITY_POOL_ID, stackOutputs: false }));
    expect(template.findOutputs('*')).toEqual({});
    template.resourceCountIs(ADMIN_UI_LOGIN_TYPE, 1);
  });
});

describe('AdminUiLoginConfig: validation', () => {
  test.each(['my-app', 'D1A2B3', ''])('appId %p is rejected', (appId) => {
    expect(() => new AdminUiLoginConfig(newStack(ENV).stack, 'Login', { appId, identityPoolId: IDENTITY_POOL_ID }))
      .toThrow(new RegExp(`AdminUiLoginConfig: invalid appId \\(got ${JSON.stringify(appId)}\\)`));
  });

  test.each(['useast1', 'us-east', 'US-EAST-1', 'us-east-1a'])('malformed cognitoRegion %p is rejected', (cognitoRegion) => {
    expect(build(() => ({ identityPoolId: IDENTITY_POOL_ID, cognitoRegion }))).toThrow(
      new RegExp(`AdminUiLoginConfig: invalid cognitoRegion \\(got ${JSON.stringify(cognitoRegion)}\\): give an AWS region code`),
    );
  });

  test.each(['abc', 'us-east-1_0a1b2c3d', '0a1b2c3d-1234-5678-9abc-def012345678', 'us-east-1:XYZ'])('malformed identityPoolId %p is rejected', (identityPoolId) => {
    expect(build(() => ({ identityPoolId }))).toThrow(
      new RegExp(`AdminUiLoginConfig: invalid identityPoolId \\(got ${JSON.stringify(identityPoolId)}\\)`),
    );
  });

  test('a user pool imported with a malformed ID is rejected', () => {
    expect(build((stack) => ({ userPool: importedPool(stack, 'bad') }))).toThrow(/invalid userPool\.userPoolId \(got "bad"\)/);
  });

  test('userPoolClient without userPool is rejected', () => {
    expect(build((stack) => ({ userPoolClient: importedClient(stack), identityPoolId: IDENTITY_POOL_ID }))).toThrow(
      /AdminUiLoginConfig: userPoolClient needs userPool/,
    );
  });

  test('nothing to log in with (no userPool, no identityPoolId) is rejected', () => {
    expect(build(() => ({}))).toThrow(/AdminUiLoginConfig: nothing to log in with: pass userPool .* and\/or identityPoolId/);
  });

  test('a user pool in another region than cognitoRegion is rejected', () => {
    expect(build((stack) => ({ userPool: importedPool(stack, 'eu-west-1_AbC123') }))).toThrow(
      /invalid cognitoRegion \(got "us-east-1"\): userPool "eu-west-1_AbC123" is in eu-west-1; set cognitoRegion to "eu-west-1"/,
    );
  });

  test('an identity pool in another region than an explicit cognitoRegion is rejected', () => {
    expect(build(() => ({ identityPoolId: IDENTITY_POOL_ID, cognitoRegion: 'eu-west-1' }))).toThrow(
      /invalid cognitoRegion \(got "eu-west-1"\): identityPoolId "us-east-1:[0-9a-f-]+" is in us-east-1/,
    );
  });

  test('an env-agnostic stack (region unknown at synth) skips the region comparison', () => {
    expect(build((stack) => ({ userPool: importedPool(stack, 'eu-west-1_AbC123') }), {})).not.toThrow();
  });

  test('every broken rule is reported together in one error', () => {
    const message = errorMessage(build((stack) => ({ appId: 'My-App', userPoolClient: importedClient(stack), identityPoolId: 'abc', cognitoRegion: 'useast1' })));
    expect(message.split('\n')).toHaveLength(4);
    expect(message).toMatch(/invalid appId \(got "My-App"\)/);
    expect(message).toMatch(/invalid cognitoRegion \(got "useast1"\)/);
    expect(message).toMatch(/invalid identityPoolId \(got "abc"\)/);
    expect(message).toMatch(/userPoolClient needs userPool/);
  });
});

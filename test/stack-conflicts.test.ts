import { CfnOutput, CfnParameter } from 'aws-cdk-lib';
import { AdminUiLoginConfig, BackendApiConfig } from '../src';
import { APP_ID, ENV, errorMessage, newStack } from './support/construct-helpers';

const API = { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi' };
const IDENTITY_POOL_ID = 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678';

describe('two constructs on one target fail synth (the last one would silently win)', () => {
  test('two BackendApiConfig on the same app, environment and API, naming both', () => {
    const { stack } = newStack(ENV);
    new BackendApiConfig(stack, 'First', API);
    expect(() => new BackendApiConfig(stack, 'Second', API)).toThrow(
      /BackendApiConfig TestStack\/Second: the API "blogapi" of app d1a2b3c4d5e6f7, environment staging is already configured by TestStack\/First; .*Keep one of them\./,
    );
  });

  test('the same API in another environment, another app, or another API of the same environment is fine', () => {
    const { stack } = newStack(ENV);
    new BackendApiConfig(stack, 'A', API);
    expect(() => {
      new BackendApiConfig(stack, 'B', { ...API, backendEnvironmentName: 'prod' });
      new BackendApiConfig(stack, 'C', { ...API, appId: 'd9z8y7' });
      new BackendApiConfig(stack, 'D', { ...API, resourceName: 'shopapi' });
    }).not.toThrow();
  });

  test('two AdminUiLoginConfig on one app', () => {
    const { stack } = newStack(ENV);
    new AdminUiLoginConfig(stack, 'Login', { appId: APP_ID, identityPoolId: IDENTITY_POOL_ID });
    expect(() => new AdminUiLoginConfig(stack, 'Login2', { appId: APP_ID, identityPoolId: IDENTITY_POOL_ID })).toThrow(
      /AdminUiLoginConfig TestStack\/Login2: the Admin UI login of app d1a2b3c4d5e6f7 is already configured by TestStack\/Login;/,
    );
  });

  test('targets given as tokens cannot be compared at synth time and are let through', () => {
    const { stack } = newStack(ENV);
    const app = new CfnParameter(stack, 'AppId', { type: 'String' });
    new BackendApiConfig(stack, 'First', { ...API, appId: app.valueAsString });
    expect(() => new BackendApiConfig(stack, 'Second', { ...API, appId: app.valueAsString })).not.toThrow();
  });
});

describe('the stack\'s output count', () => {
  test('over CloudFormation\'s limit, the error says every count with its noun and how to fix it', () => {
    const { app, stack } = newStack(ENV);
    for (let i = 0; i < 199; i++) new CfnOutput(stack, `Out${i}`, { value: 'x' });
    new BackendApiConfig(stack, 'Api', API);
    expect(errorMessage(() => app.synth())).toContain(
      'Stack TestStack has 201 outputs, more than CloudFormation\'s limit of 200 outputs; BackendApiConfig adds 2 outputs (JobId, Status) '
      + 'and AdminUiLoginConfig 1 output (BackendManagerAppId) unless told not to: set `stackOutputs: false` on these constructs and read '
      + 'their attributes (jobId, status, backendManagerAppId) instead.',
    );
  });
});

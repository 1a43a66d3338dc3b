/**
 * Integration test of `AdminUiLoginConfig`, run by integ-runner (CONTRIBUTING.md, "Integration
 * tests"). `npx projen build` only synthesizes this app and compares the templates with the
 * committed snapshot, integ.admin-ui-login-config.ts.snapshot/; `npx projen integ:deploy` deploys
 * it in a real account, where it applies the Admin UI login settings of an existing Gen 1 app.
 *
 * It applies the user pool and web client the Admin UI already logs in with, read from the
 * environment, and creates none: the test stack is deleted after the run and a delete makes no
 * call (README, "How it behaves"), so a pool made by the stack would leave the Admin UI pointing
 * at a deleted pool.
 */
import { ActualResult, EqualsAssertion, ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AdminUiLoginConfig } from '../src';

// The existing app and the Cognito resources its Admin UI logs in with. The placeholders keep the
// committed snapshot the same on every machine; a real run sets them.
const appId = process.env.AMPLIFY_APP_ID ?? 'd1a2b3c4d5e6f7';
const backendEnvironmentName = process.env.AMPLIFY_BACKEND_ENV ?? 'integ';
const userPoolId = process.env.AMPLIFY_ADMIN_USER_POOL_ID ?? 'us-east-1_AbCdEf123';
const userPoolClientId = process.env.AMPLIFY_ADMIN_USER_POOL_CLIENT_ID ?? 'abcdefghij0123456789klmnop';
const identityPoolId = process.env.AMPLIFY_ADMIN_IDENTITY_POOL_ID || undefined;
// A user pool ID starts with its region.
const cognitoRegion = userPoolId.split('_')[0];

const app = new App();
// No env: the stack deploys in the region integ-runner is given, which must be the app's.
const stack = new Stack(app, 'AdminUiLoginConfigInteg');

const login = new AdminUiLoginConfig(stack, 'AdminUiLogin', {
  appId,
  userPool: cognito.UserPool.fromUserPoolId(stack, 'AdminUsers', userPoolId),
  userPoolClient: cognito.UserPoolClient.fromUserPoolClientId(stack, 'AdminUiClient', userPoolClientId),
  identityPoolId,
  cognitoRegion,
});

const integ = new IntegTest(app, 'AdminUiLoginConfigTest', {
  testCases: [stack],
  // The update workflow deploys the committed snapshot first: it holds the placeholder app.
  stackUpdateWorkflow: false,
});

// No AmplifyBackend operation reads the Admin UI login settings back: loginAuthConfig appears
// only in UpdateBackendConfig's request and answer
// (https://docs.aws.amazon.com/amplify-admin-ui/latest/APIReference/backend-appid-config-update.html;
// every operation's shapes are in the service model,
// https://github.com/aws/api-models-aws/blob/56c8953e87aeead95ae5e66a3ca6a355731db6ad/amplifybackend/service/2020-08-11/amplifybackend-2020-08-11.json).
// So these check what the service answered UpdateBackendConfig with, which the construct exposes.
const answered: Record<string, ExpectedResult> = {
  AppId: ExpectedResult.exact(appId),
  AwsUserPoolsId: ExpectedResult.exact(userPoolId),
  AwsUserPoolsWebClientId: ExpectedResult.exact(userPoolClientId),
  AwsCognitoRegion: ExpectedResult.exact(cognitoRegion),
  BackendManagerAppId: ExpectedResult.stringLikeRegexp('.+'),
};
if (identityPoolId) {
  answered.AwsCognitoIdentityPoolId = ExpectedResult.exact(identityPoolId);
}
for (const [attribute, expected] of Object.entries(answered)) {
  integ.assertions.expect(`Answered${attribute}`, expected, ActualResult.fromCustomResource(login.resource, attribute));
}
// integ-tests-alpha names the output of each expect() with a hash of the unresolved attribute
// token, whose number changes whenever the library makes one token more or less before it: the
// snapshot would then differ in the output names alone. Named by attribute, they stay put.
for (const assertion of integ.node.findAll().filter((c): c is EqualsAssertion => c instanceof EqualsAssertion)) {
  (assertion.node.findChild('AssertionResults') as CfnOutput).overrideLogicalId(`AssertionResults${assertion.node.id}`);
}

// And a read of the app the settings were applied to: GetBackend shows the app and its
// environment (not the login settings).
integ.assertions
  .awsApiCall('AmplifyBackend', 'GetBackend', { AppId: appId, BackendEnvironmentName: backendEnvironmentName })
  .expect(ExpectedResult.objectLike({ AppId: appId, BackendEnvironmentName: backendEnvironmentName }));

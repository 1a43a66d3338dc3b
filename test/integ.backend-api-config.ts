/**
 * Integration test of `BackendApiConfig`, run by integ-runner (CONTRIBUTING.md, "Integration
 * tests"). `npx projen build` only synthesizes this app and compares the templates with the
 * committed snapshot, integ.backend-api-config.ts.snapshot/; `npx projen integ:deploy` deploys it
 * in a real account, where it changes the auth modes of an existing Gen 1 app's API, checks them
 * with the service's own read operations and deletes the stack (the API keeps the modes: a delete
 * makes no call, README "How it behaves").
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ApiAuth, BackendApiConfig } from '../src';

// The existing app, backend environment and API the deployment configures. The placeholders keep
// the committed snapshot the same on every machine; a real run sets all three.
const appId = process.env.AMPLIFY_APP_ID ?? 'd1a2b3c4d5e6f7';
const backendEnvironmentName = process.env.AMPLIFY_BACKEND_ENV ?? 'integ';
const resourceName = process.env.AMPLIFY_API_RESOURCE ?? 'integapi';

const app = new App();
// No env: the stack deploys in the region integ-runner is given, which must be the app's.
const stack = new Stack(app, 'BackendApiConfigInteg');

// The auth modes `amplify add api` starts a GraphQL API with (an API key), plus IAM, so that
// the schema of a fresh API still compiles with them.
const api = new BackendApiConfig(stack, 'Api', {
  appId,
  backendEnvironmentName,
  resourceName,
  defaultAuthType: ApiAuth.apiKey({ description: 'cdk-amplify-backend integ test', expiration: Duration.days(7) }),
  additionalAuthTypes: [ApiAuth.iam()],
});

const integ = new IntegTest(app, 'BackendApiConfigTest', {
  testCases: [stack],
  // The update workflow deploys the committed snapshot first: it holds the placeholder app.
  stackUpdateWorkflow: false,
});

// The construct waits for the job by default (README, "How it behaves"), so the job has ended
// when the stack is deployed: one read, no polling.
integ.assertions
  .awsApiCall('AmplifyBackend', 'GetBackendJob', { AppId: appId, BackendEnvironmentName: backendEnvironmentName, JobId: api.jobId })
  .expect(ExpectedResult.objectLike({ JobId: api.jobId, Status: 'COMPLETED' }))
  .next(
    integ.assertions
      .awsApiCall('AmplifyBackend', 'GetBackendAPI', { AppId: appId, BackendEnvironmentName: backendEnvironmentName, ResourceName: resourceName })
      // objectLike matches arrays element by element: exactly one additional mode.
      .expect(ExpectedResult.objectLike({
        ResourceName: resourceName,
        ResourceConfig: {
          DefaultAuthType: { Mode: 'API_KEY' },
          AdditionalAuthTypes: [{ Mode: 'AWS_IAM' }],
        },
      })),
  );

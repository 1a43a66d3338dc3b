/**
 * The example app of the README and the demo: one Amplify app, its Admin UI login backed by a
 * new Cognito user pool, and the backend API of two environments.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { AdminUiLoginConfig, ApiAuth, BackendApiConfig, ConflictResolutionStrategy } from '../src';

export interface ExampleAppOptions {
  /** Where to write the cloud assembly. */
  readonly outdir?: string;
  /** The Amplify app to configure. */
  readonly appId?: string;
  /** 1 = first deployment; 2 = the same app with changed settings (for an update). */
  readonly revision?: number;
}

export const EXAMPLE_APP_ID = 'd1a2b3c4d5e6f7';
export const EXAMPLE_STACK = 'AmplifyBackendExample';

export function createExampleApp(options: ExampleAppOptions = {}): App {
  const appId = options.appId ?? EXAMPLE_APP_ID;
  const revision = options.revision ?? 1;
  const app = new App({ outdir: options.outdir });
  const stack = new Stack(app, EXAMPLE_STACK, { env: { region: 'us-east-1' } });

  const userPool = new cognito.UserPool(stack, 'AdminUsers', {
    signInAliases: { email: true },
    passwordPolicy: { minLength: 12, requireSymbols: true, requireDigits: true, requireUppercase: true, requireLowercase: true },
    mfa: cognito.Mfa.REQUIRED,
    mfaSecondFactor: { sms: false, otp: true },
  });
  const webClient = userPool.addClient('AdminUiClient');

  new AdminUiLoginConfig(stack, 'AdminUiLogin', { appId, userPool, userPoolClient: webClient });

  new BackendApiConfig(stack, 'StagingApi', {
    appId,
    backendEnvironmentName: 'staging',
    resourceName: 'blogapi',
    apiName: 'blog',
    defaultAuthType: ApiAuth.userPool(userPool),
    additionalAuthTypes: [
      ApiAuth.apiKey({ description: 'public read', expiration: Duration.days(revision === 1 ? 30 : 90) }),
      ApiAuth.iam(),
    ],
    conflictResolution: revision === 1 ? ConflictResolutionStrategy.AUTOMERGE : ConflictResolutionStrategy.OPTIMISTIC_CONCURRENCY,
  });

  new BackendApiConfig(stack, 'ProdApi', {
    appId,
    backendEnvironmentName: 'prod',
    resourceName: 'blogapi',
    defaultAuthType: ApiAuth.openIdConnect({
      providerName: 'Auth0',
      issuerUrl: 'https://example.auth0.com/',
      clientId: 'blog-web',
      authTtl: Duration.hours(1),
    }),
    conflictResolution: ConflictResolutionStrategy.OPTIMISTIC_CONCURRENCY,
  });
  return app;
}

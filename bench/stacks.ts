/**
 * The two stacks the benchmark compares, with the same configuration per Amplify app:
 *
 * - "ours": one `BackendApiConfig` per app;
 * - "peer": what a user writes without this library, one `AwsCustomResource` per app calling
 *   AmplifyBackend UpdateBackendAPI, with the narrowest policy that works.
 *
 * Every configuration targets its own app (`d` + 13 digits), the same environment, API resource
 * name and auth settings. `buildApp()` creates the constructs (bench/synth-child.ts times it);
 * `synth()` also synthesizes them in this process, into a temporary folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, ArnFormat, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { ApiAuth, BackendApiConfig, ConflictResolutionStrategy } from '../src';

export type Side = 'ours' | 'peer';
export type Json = any;

export const STACK_NAME = 'AmplifyBackendBench';
export const ENV_NAME = 'staging';
export const RESOURCE_NAME = 'blogapi';
export const USER_POOL_ID = 'us-east-1_AbCdEfGhI';
/** The singleton function of every AwsCustomResource: its role carries every inline policy. */
export const PEER_FUNCTION_PREFIX = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface BenchStackOptions {
  readonly side: Side;
  /** Number of configurations (one app each). */
  readonly n: number;
  /** Whether each configuration adds the stack outputs JobId and Status. */
  readonly outputs: boolean;
  /** API key lifetime in days; change it to produce an Update. @default 30 */
  readonly apiKeyDays?: number;
  /** Where to write the cloud assembly. @default a temporary folder */
  readonly outdir?: string;
  /**
   * Whether aws-cdk-lib's synth-time check of CloudFormation's 500-resource limit applies; off
   * only to find which other limit would come next.
   * @default true
   */
  readonly resourceLimitCheck?: boolean;
  /**
   * Whether to write what the CDK CLI adds by default: `aws:cdk:path` metadata on every resource
   * and the CDKMetadata resource.
   * @default false
   */
  readonly cliMetadata?: boolean;
}

/** The app ID of configuration `i`: "d" + 13 digits. */
export function appIdOf(i: number): string {
  return `d${String(i + 1).padStart(13, '0')}`;
}

/** Builds the app with one stack of `n` configurations (construct creation only; call `synth()`). */
export function buildApp(options: BenchStackOptions): { app: App; stack: Stack } {
  const context: Record<string, unknown> = {};
  if (options.resourceLimitCheck === false) context['@aws-cdk/core:stackResourceLimit'] = 0;
  if (options.cliMetadata) Object.assign(context, { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:version-reporting': true });
  const app = new App({ outdir: options.outdir, context });
  const stack = new Stack(app, STACK_NAME);
  const userPool = cognito.UserPool.fromUserPoolId(stack, 'UserPool', USER_POOL_ID);
  const days = options.apiKeyDays ?? 30;
  for (let i = 0; i < options.n; i++) {
    const appId = appIdOf(i);
    if (options.side === 'ours') {
      new BackendApiConfig(stack, `Api${i}`, {
        appId,
        backendEnvironmentName: ENV_NAME,
        resourceName: RESOURCE_NAME,
        defaultAuthType: ApiAuth.userPool(userPool),
        additionalAuthTypes: [ApiAuth.apiKey({ expiration: Duration.days(days) })],
        conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
        stackOutputs: options.outputs,
      });
    } else {
      addPeer(stack, `Api${i}`, appId, userPool, days, options.outputs);
    }
  }
  return { app, stack };
}

export interface Synthesized {
  readonly template?: Json;
  /** The cloud assembly; `discard()` it when done. */
  readonly dir?: string;
  readonly error?: string;
}

/** Builds and synthesizes one stack in this process, into a temporary folder; a synth-time error is returned, not thrown. */
export function synth(options: Omit<BenchStackOptions, 'outdir'>): Synthesized {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'amplify-backend-bench-'));
  try {
    const { app, stack } = buildApp({ ...options, outdir });
    return { template: app.synth().getStackByName(stack.stackName).template, dir: outdir };
  } catch (err) {
    discard({ dir: outdir });
    return { error: (err as Error).message };
  }
}

/** Drops a cloud assembly we no longer need (the asset copies add up). */
export function discard(s: Synthesized): void {
  if (s.dir) fs.rmSync(s.dir, { recursive: true, force: true });
}

/** The AwsCustomResource a user would write for one configuration. */
function addPeer(stack: Stack, id: string, appId: string, userPool: cognito.IUserPool, days: number, outputs: boolean): void {
  const call = {
    service: 'AmplifyBackend',
    action: 'updateBackendAPI',
    parameters: {
      AppId: appId,
      BackendEnvironmentName: ENV_NAME,
      ResourceName: RESOURCE_NAME,
      ResourceConfig: {
        DefaultAuthType: { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: userPool.userPoolId } },
        AdditionalAuthTypes: [{ Mode: 'API_KEY', Settings: { ExpirationTime: days } }],
        ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
      },
    },
    physicalResourceId: PhysicalResourceId.of(`${appId}/${ENV_NAME}/${RESOURCE_NAME}`),
  };
  const resource = new AwsCustomResource(stack, id, {
    onCreate: call,
    onUpdate: call,
    installLatestAwsSdk: false,
    policy: AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({
      actions: ['amplifybackend:UpdateBackendAPI'],
      resources: [stack.formatArn({ service: 'amplifybackend', resource: '/backend', resourceName: `${appId}/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    })]),
  });
  if (outputs) {
    new CfnOutput(resource, 'JobId', { value: resource.getResponseField('JobId') });
    new CfnOutput(resource, 'Status', { value: resource.getResponseField('Status') });
  }
}

/**
 * The stacks the cdk-nag tests check, and how a check runs with either major of cdk-nag. This
 * file runs in the test process (aws-cdk-lib 2.200, cdk-nag 2) and, through ./main.ts, in a
 * child process that loads aws-cdk-lib and cdk-nag from test/cdk-nag3/ (./redirect.ts).
 */
import * as fs from 'fs';
import * as cdk from 'aws-cdk-lib';
import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nag from 'cdk-nag';
import { IConstruct } from 'constructs';
import { createExampleApp, EXAMPLE_STACK } from '../../../examples/app';
import { AdminUiLoginConfig, AmplifyBackendProvider, ApiAuth, BackendApiConfig } from '../../../src';

const APP_ID = 'd1a2b3c4d5e6f7';
const ENV = { account: '123456789012', region: 'us-east-1' };

/** A finding cdk-nag reported (not acknowledged), and whether a library construct made the resource. */
export interface Finding {
  readonly rule: string;
  readonly path: string;
  readonly library: boolean;
}

/** An acknowledgement as cdk-nag 2 (template metadata) or cdk-nag 3 (construct metadata) reads it. */
export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

export interface NagReport {
  readonly scenario: string;
  /** Unacknowledged findings. */
  readonly findings: Finding[];
  /** Whether `app.synth()` passed with the checks registered as cdk-nag documents it. */
  readonly synthPassed: boolean;
  /** What cdk-nag 2 reads (the `cdk_nag` resource metadata). */
  readonly cdkNag2: Acknowledgement[];
  /** What cdk-nag 3 reads (aws-cdk-lib's `Validations` acknowledgements); empty before aws-cdk-lib 2.257. */
  readonly cdkNag3: Acknowledgement[];
}

function newStack(env?: { account: string; region: string }): Stack {
  return new Stack(new App(), 'NagStack', { env });
}

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    privateSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
  });
}

/** Each scenario builds its stack in an app of its own. */
export const SCENARIOS: Record<string, () => Stack> = {
  'the example app (examples/app.ts)': () => createExampleApp().node.findChild(EXAMPLE_STACK) as Stack,

  'both constructs with an imported Cognito pool': () => {
    const stack = newStack(ENV);
    const userPool = cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_AbC123');
    const userPoolClient = cognito.UserPoolClient.fromUserPoolClientId(stack, 'Client', '1example23456789');
    new AdminUiLoginConfig(stack, 'Login', { appId: APP_ID, userPool, userPoolClient });
    new BackendApiConfig(stack, 'Api', {
      appId: APP_ID,
      backendEnvironmentName: 'staging',
      resourceName: 'blogapi',
      defaultAuthType: ApiAuth.userPool(userPool),
      additionalAuthTypes: [ApiAuth.apiKey(), ApiAuth.iam()],
    });
    return stack;
  },

  'a provider in a VPC (env-agnostic stack)': () => {
    const stack = newStack();
    const provider = new AmplifyBackendProvider(stack, 'Provider', { vpc: importedVpc(stack) });
    new BackendApiConfig(stack, 'Api', { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider });
    new AdminUiLoginConfig(stack, 'Login', { appId: 'd2b3c4', identityPoolId: 'us-east-1:0a1b2c3d-1234-5678-9abc-def012345678', provider });
    return stack;
  },

  'a provider with a role passed in, in a VPC': () => {
    const stack = newStack(ENV);
    const role = new iam.Role(stack, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const provider = new AmplifyBackendProvider(stack, 'Provider', { role, vpc: importedVpc(stack) });
    new BackendApiConfig(stack, 'Api', { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider });
    return stack;
  },

  'a role of another stack passed in (the role\'s stack)': () => {
    const app = new App();
    const roles = new Stack(app, 'RoleStack', { env: ENV });
    const role = new iam.Role(roles, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const stack = new Stack(app, 'NagStack', { env: ENV });
    const provider = new AmplifyBackendProvider(stack, 'Provider', { role, vpc: importedVpc(stack) });
    new BackendApiConfig(stack, 'Api', { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', provider });
    return roles;
  },

  'a wildcard the user adds to the provider\'s role': () => {
    const stack = newStack(ENV);
    new BackendApiConfig(stack, 'Api', { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi' });
    AmplifyBackendProvider.of(stack).role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    return stack;
  },
};

/** Whether one of this library's constructs made `construct`. */
function isLibrary(construct: IConstruct): boolean {
  return construct.node.scopes.some((s) => s instanceof AmplifyBackendProvider || s instanceof BackendApiConfig || s instanceof AdminUiLoginConfig);
}

/** The version of the package this process loads for `name`. */
export function versionOf(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

/** The major version of the cdk-nag this process loaded. */
export function cdkNagMajor(): number {
  return 'validateScope' in new nag.AwsSolutionsChecks() ? 3 : 2;
}

/** Runs AwsSolutions on the scenario's stack the way the loaded cdk-nag major documents it. */
export function check(scenario: string): NagReport {
  const stack = SCENARIOS[scenario]();
  const app = stack.node.root as App;
  let findings: Finding[];
  let synthPassed = true;
  if (cdkNagMajor() === 3) {
    // cdk-nag 3 is an aws-cdk-lib validation plugin: synth fails on an unacknowledged finding.
    const validations = (cdk as unknown as { Validations: { of(c: IConstruct): { addPlugins(...p: unknown[]): void } } }).Validations;
    // (Typed by the project's cdk-nag 2, whose constructor takes only props.)
    validations.of(app).addPlugins(new (nag.AwsSolutionsChecks as unknown as new (scope: IConstruct) => unknown)(app));
    try {
      silenced(() => app.synth());
    } catch {
      synthPassed = false;
    }
    const report = (new nag.AwsSolutionsChecks() as unknown as { validateScope(s: IConstruct): { violations: Array<{ ruleName: string; violatingResources: Array<{ constructPath: string }> }> } })
      .validateScope(stack);
    findings = report.violations.flatMap((v) => v.violatingResources.map((r) => ({
      rule: v.ruleName, path: r.constructPath, library: isLibrary(stack.node.findAll().find((c) => c.node.path === r.constructPath)!),
    })));
  } else {
    // cdk-nag 2 is an aspect: findings are annotations, and an error one fails `cdk synth`.
    Aspects.of(app).add(new nag.AwsSolutionsChecks());
    app.synth();
    const reported = stack.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => (m.type === 'aws:cdk:error' || m.type === 'aws:cdk:warning') && String(m.data).startsWith('AwsSolutions-'))
      .map((m) => ({ rule: /^(AwsSolutions-\w+(?:\[.*?\])?):/.exec(String(m.data))![1], path: c.node.path, library: isLibrary(c), error: m.type === 'aws:cdk:error' })));
    findings = reported.map(({ error, ...finding }) => finding);
    synthPassed = !reported.some((f) => f.error);
  }
  return { scenario, findings, synthPassed, ...acknowledgements(stack) };
}

function acknowledgements(stack: Stack): Pick<NagReport, 'cdkNag2' | 'cdkNag3'> {
  const cdkNag2: Acknowledgement[] = [];
  const cdkNag3: Acknowledgement[] = [];
  for (const c of stack.node.findAll()) {
    if (c instanceof CfnResource) {
      for (const s of (c.getMetadata('cdk_nag') as { rules_to_suppress?: Array<{ id: string; reason: string; applies_to?: string[] }> } | undefined)?.rules_to_suppress ?? []) {
        for (const finding of s.applies_to ?? [undefined]) cdkNag2.push({ path: c.node.path, id: finding ? `${s.id}[${finding}]` : s.id, reason: s.reason });
      }
    }
    for (const m of c.node.metadata.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
      for (const [id, reason] of Object.entries(m.data as Record<string, string>)) cdkNag3.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
    }
  }
  return { cdkNag2, cdkNag3 };
}

/** Runs `fn` with the validation report aws-cdk-lib prints to the console kept out of the test output. */
function silenced<T>(fn: () => T): T {
  const [log, error] = [console.log, console.error];
  console.log = console.error = () => {};
  try {
    return fn();
  } finally {
    [console.log, console.error] = [log, error];
  }
}

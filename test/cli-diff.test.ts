/**
 * `cdk-amplify-backend diff`'s parts, without the service: resolving a template's intrinsics
 * (cli/resolve.ts), the member-by-member comparison under UpdateBackendAPI's semantics
 * (cli/compare.ts), reading cloud assemblies (cli/assembly.ts) and the report (cli/diff.ts),
 * on templates synthesized with the real constructs.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { BackendAPIResourceConfig } from '@aws-sdk/client-amplifybackend';
import { App, CfnMapping, CfnParameter, Duration, Fn, Stack, Stage } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { compare } from '../cli/compare';
import { DiffOptions, formatDiff, runDiff } from '../cli/diff';
import { CliError } from '../cli/errors';
import { ResolveContext, Unresolved, resolveValue } from '../cli/resolve';
import type { ApiReader, ApiTarget, LiveApi } from '../cli/service';
import { ApiAuth, ApiSchema, BackendApiConfig, ConflictResolutionStrategy } from '../src';
import { BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';
import type { ApiResourceConfigProperties } from '../src/handler-contract';
import { APP_ID, POOL, STAGING_API, removeTmpDirs, synthStack, tmpDir } from './cli-fixtures/support';

afterAll(removeTmpDirs);


describe('resolving intrinsics', () => {
  const template = {
    Parameters: {
      Env: { Type: 'String', Default: 'staging' },
      NoDefault: { Type: 'String' },
      FromSsm: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/amplify/env' },
      Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
    },
    Mappings: { Apps: { 'us-east-1': { Id: 'd1a2b3c4d5e6f7' } } },
    Resources: { Pool: { Type: 'AWS::Cognito::UserPool' } },
  };
  const ctx = (over: Partial<ResolveContext> = {}): ResolveContext => ({
    stackName: 'MyStack', template, region: 'us-east-1', account: '123456789012', parameters: {}, values: {}, ...over,
  });
  const r = (v: unknown, over: Partial<ResolveContext> = {}) => resolveValue(v, ctx(over));

  test('parameters: given, else their default; SSM parameters and parameters without a default are unresolved', () => {
    expect(r({ Ref: 'Env' })).toBe('staging');
    expect(r({ Ref: 'Env' }, { parameters: { Env: 'prod' } })).toBe('prod');
    expect(r({ Ref: 'Names' })).toEqual(['a', 'b', 'c']);
    expect(r({ Ref: 'NoDefault' })).toEqual(new Unresolved('Ref NoDefault', 'NoDefault is a parameter without a default; pass --parameter NoDefault=VALUE'));
    expect(r({ Ref: 'FromSsm' })).toEqual(new Unresolved('Ref FromSsm', 'FromSsm is an SSM parameter, whose value only CloudFormation reads; pass --parameter FromSsm=VALUE'));
    expect(r({ Ref: 'FromSsm' }, { parameters: { FromSsm: 'dev' } })).toBe('dev');
  });

  test('pseudo parameters of the stack\'s environment', () => {
    expect(r({ 'Fn::Join': ['/', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }, { Ref: 'AWS::StackName' }]] }))
      .toBe('us-east-1/123456789012/aws/amazonaws.com/MyStack');
    const partition = (region: string) => r({ 'Fn::Join': [' ', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::URLSuffix' }]] }, { region });
    expect(['cn-northwest-1', 'us-gov-west-1', 'eu-west-1', 'us-isob-east-1', 'eusc-de-east-1'].map(partition))
      .toEqual(['aws-cn amazonaws.com.cn', 'aws-us-gov amazonaws.com', 'aws amazonaws.com', 'aws-iso-b sc2s.sgov.gov', 'aws-eusc amazonaws.eu']);
    expect(r({ Ref: 'AWS::Region' }, { region: undefined })).toEqual(new Unresolved('AWS::Region', 'the stack is environment-agnostic; pass --region'));
    expect(r({ Ref: 'AWS::AccountId' }, { account: undefined })).toEqual(new Unresolved('AWS::AccountId', 'the stack is environment-agnostic; pass --account'));
    expect(r({ Ref: 'AWS::StackId' })).toEqual(new Unresolved('AWS::StackId', 'only CloudFormation knows it'));
    expect(r({ A: 'kept', B: { Ref: 'AWS::NoValue' }, C: ['x', { Ref: 'AWS::NoValue' }] })).toEqual({ A: 'kept', C: ['x'] });
  });

  test('a resource\'s Ref or attribute is unresolved unless given with --value', () => {
    expect(r({ Ref: 'Pool' })).toEqual(new Unresolved('Ref Pool', 'Pool is a AWS::Cognito::UserPool of the stack, known only once deployed; pass --value Pool=VALUE (its physical ID)'));
    expect(r({ Ref: 'Pool' }, { values: { Pool: POOL } })).toBe(POOL);
    expect(r({ 'Fn::GetAtt': ['Pool', 'Arn'] })).toEqual(new Unresolved('Fn::GetAtt Pool.Arn', 'Pool is a AWS::Cognito::UserPool of the stack, known only once deployed; pass --value Pool.Arn=VALUE'));
    expect(r({ 'Fn::GetAtt': 'Pool.ProviderName' }, { values: { 'Pool.ProviderName': 'p' } })).toBe('p');
    // A join over an unresolved part is unresolved as a whole, with that part's reason.
    expect(r({ 'Fn::Join': ['', ['id-', { Ref: 'Pool' }]] })).toEqual(new Unresolved('Ref Pool', expect.any(String)));
  });

  test('Fn::Sub, Fn::Select, Fn::Split, Fn::FindInMap', () => {
    expect(r({ 'Fn::Sub': '${AWS::Region}_${Env}-${!Literal}' })).toBe('us-east-1_staging-${Literal}');
    expect(r({ 'Fn::Sub': ['${A}.${Pool.Arn}', { A: { Ref: 'Env' } }] }, { values: { 'Pool.Arn': 'arn' } })).toBe('staging.arn');
    expect(r({ 'Fn::Sub': 'x-${Pool}' })).toEqual(new Unresolved('Ref Pool', expect.any(String)));
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r({ 'Fn::FindInMap': ['Apps', { Ref: 'AWS::Region' }, 'Id'] })).toBe('d1a2b3c4d5e6f7');
    expect(r({ 'Fn::FindInMap': ['Apps', 'eu-west-1', 'Id'] })).toEqual(new Unresolved('Fn::FindInMap Apps.eu-west-1.Id', 'the template has no such mapping entry'));
  });

  test('what only CloudFormation can evaluate stays unresolved', () => {
    for (const fn of ['Fn::ImportValue', 'Fn::If', 'Fn::GetAZs', 'Fn::Base64']) {
      expect(r({ [fn]: 'x' })).toEqual(new Unresolved(`${fn} "x"`, `${fn} cannot be evaluated from the cloud assembly`));
    }
  });
});

describe('comparing under UpdateBackendAPI\'s semantics', () => {
  const live = STAGING_API;
  const declaredAuth = {
    DefaultAuthType: { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: POOL } },
    AdditionalAuthTypes: [{ Mode: 'AWS_IAM' }, { Mode: 'API_KEY', Settings: { Description: 'public read', ExpirationTime: '30' } }],
  };

  test('only declared members are compared: what a construct leaves out, a deployment keeps', () => {
    const c = compare({ ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' } }, undefined, live);
    expect(c).toEqual({ rows: [], compared: 1, notes: [] });
  });

  test('numbers and strings compare by value; additional modes as a set, in any order', () => {
    const c = compare(declaredAuth, undefined, live);
    expect(c.rows).toEqual([]);
    // default mode + pool ID; the set of additional modes; API key description + expiration
    expect(c.compared).toBe(5);
  });

  test('a declared auth mode is compared whole, settings the live one has and the declared one lacks included', () => {
    const c = compare({ ...declaredAuth, AdditionalAuthTypes: [{ Mode: 'AWS_IAM' }, { Mode: 'API_KEY', Settings: { ExpirationTime: 7 } }] }, undefined, live);
    expect(c.rows).toEqual([
      { member: 'additionalAuthTypes[API_KEY].settings.description', declared: '(not set)', live: '"public read"' },
      { member: 'additionalAuthTypes[API_KEY].settings.expirationTime', declared: '7', live: '30' },
    ]);
  });

  test('an auth mode added or removed out of band, and a changed default mode', () => {
    const c = compare({
      DefaultAuthType: { Mode: 'API_KEY' },
      AdditionalAuthTypes: [{ Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Auth0', OpenIDIssueURL: 'https://a.example/' } }, { Mode: 'AWS_IAM' }],
    }, undefined, live);
    expect(c.rows).toEqual([
      { member: 'defaultAuthType.mode', declared: '"API_KEY"', live: '"AMAZON_COGNITO_USER_POOLS"' },
      { member: 'defaultAuthType.settings.cognitoUserPoolId', declared: '(not set)', live: `"${POOL}"` },
      { member: 'additionalAuthTypes[OPENID_CONNECT]', declared: '{"openIDProviderName":"Auth0","openIDIssueURL":"https://a...', live: '(not set)' },
      { member: 'additionalAuthTypes[API_KEY]', declared: '(not set)', live: '{"description":"public read","expirationTime":30}' },
    ]);
  });

  test('schemas: summarized, with the first differing line', () => {
    const c = compare({}, live.TransformSchema!.replace('title: String!', 'title: String'), live);
    expect(c.rows).toEqual([{ member: 'transformSchema', declared: expect.stringMatching(/^\(schema: 119 bytes, sha256 [0-9a-f]{12}\)$/), live: expect.stringMatching(/^\(schema: 120 bytes/) }]);
    expect(c.notes).toEqual(['transformSchema: first difference at line 3: declared "  title: String", live "  title: String!"']);
  });

  test('unresolved declared values are reported as such, never as equal', () => {
    const u = new Unresolved('Ref Pool', 'hint');
    const c = compare({ DefaultAuthType: { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: u } }, AdditionalAuthTypes: [] }, undefined, live);
    expect(c.rows).toEqual([
      { member: 'defaultAuthType.settings.cognitoUserPoolId', declared: '(unresolved: Ref Pool)', live: `"${POOL}"`, unresolved: u },
      { member: 'additionalAuthTypes[API_KEY]', declared: '(not set)', live: '{"description":"public read","expirationTime":30}' },
      { member: 'additionalAuthTypes[AWS_IAM]', declared: '(not set)', live: '{}' },
    ]);
  });

  test('a member this version does not know is not compared, and says so', () => {
    const c = compare({ MergedApiArn: 'x' } as ApiResourceConfigProperties, undefined, live);
    expect(c.rows).toEqual([{
      member: 'mergedApiArn',
      declared: '"x"',
      live: '(not compared)',
      unresolved: new Unresolved('resourceConfig.mergedApiArn', 'a member this version of cdk-amplify-backend diff does not know'),
    }]);
  });
});

/** A reader answering from fixtures, recording what it was asked. */
function fakeReader(apis: Record<string, BackendAPIResourceConfig>, region: string | null = 'us-east-1') {
  const calls: Array<ApiTarget & { region?: string }> = [];
  const reader = {
    read: async (t: ApiTarget, r?: string): Promise<LiveApi> => {
      calls.push({ ...t, region: r });
      const config = apis[`${t.backendEnvironmentName}/${t.resourceName}`];
      if (!config) throw new CliError(`GetBackendAPI failed for ${t.resourceName}: NotFoundException`);
      return { ...t, config, unknownMembers: [] };
    },
    region: async () => region ?? undefined,
    destroy: () => undefined,
  } as unknown as ApiReader;
  return { reader, calls };
}

const options = (cdkOut: string, over: Partial<DiffOptions> = {}): DiffOptions => ({ cdkOut, stacks: [], parameters: {}, values: {}, ...over });

describe('diff on synthesized stacks', () => {
  const live: Record<string, BackendAPIResourceConfig> = {
    'staging/blogapi': STAGING_API,
    'prod/blogapi': {
      DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Auth0', OpenIDIssueURL: 'https://example.auth0.com/', OpenIDClientId: 'blog-web', OpenIDAuthTTL: '3600000' } },
      ConflictResolution: { ResolutionStrategy: 'OPTIMISTIC_CONCURRENCY' },
    },
  };

  /** The example app's two APIs (examples/app.ts), the user pool created in the stack. */
  function exampleStack(stack: Stack, env: string = 'staging'): void {
    const pool = new cognito.UserPool(stack, 'AdminUsers');
    new BackendApiConfig(stack, 'StagingApi', {
      appId: APP_ID,
      backendEnvironmentName: env,
      resourceName: 'blogapi',
      apiName: 'blog',
      defaultAuthType: ApiAuth.userPool(pool),
      additionalAuthTypes: [ApiAuth.apiKey({ description: 'public read', expiration: Duration.days(30) }), ApiAuth.iam()],
      conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
    });
    new BackendApiConfig(stack, 'ProdApi', {
      appId: APP_ID,
      backendEnvironmentName: 'prod',
      resourceName: 'blogapi',
      defaultAuthType: ApiAuth.openIdConnect({ providerName: 'Auth0', issuerUrl: 'https://example.auth0.com/', clientId: 'blog-web', authTtl: Duration.hours(1) }),
      conflictResolution: ConflictResolutionStrategy.OPTIMISTIC_CONCURRENCY,
    });
  }

  test('a user pool made in the stack is unresolved until its ID is given with --value', async () => {
    const cdkOut = synthStack('Example', (s) => exampleStack(s));
    const { reader, calls } = fakeReader(live);
    const first = await runDiff(options(cdkOut), reader, () => undefined);
    expect({ differences: first.differences, unresolved: first.unresolved }).toEqual({ differences: 0, unresolved: 1 });
    const report = formatDiff(first);
    expect(report).toMatch(/^Example\/StagingApi \(app d1a2b3c4d5e6f7, environment staging, API blogapi\): 1 unresolved$/m);
    expect(report).toMatch(/^ {2}defaultAuthType\.settings\.cognitoUserPoolId {2}\(unresolved: Ref AdminUsers[0-9A-F]{8}\) {2}"us-east-1_AbCdEf123"$/m);
    expect(report).toMatch(/^ {2}unresolved Ref (AdminUsers[0-9A-F]{8}): \1 is a AWS::Cognito::UserPool of the stack, known only once deployed; pass --value \1=VALUE \(its physical ID\)\.$/m);
    expect(report).toMatch(/^Example\/ProdApi \(app d1a2b3c4d5e6f7, environment prod, API blogapi\): no difference \(7 members compared\)$/m);
    expect(report.trimEnd().split('\n').pop()).toBe('2 APIs checked, 0 differences, 1 unresolved (not compared).');
    // Each API read in the stack's region.
    expect(calls.map((c) => c.region)).toEqual(['us-east-1', 'us-east-1']);

    const poolId = /Ref (AdminUsers[0-9A-F]{8})/.exec(report)![1];
    const second = await runDiff(options(cdkOut, { values: { [poolId]: POOL } }), reader, () => undefined);
    expect({ differences: second.differences, unresolved: second.unresolved }).toEqual({ differences: 0, unresolved: 0 });
    const third = await runDiff(options(cdkOut, { values: { [poolId]: 'us-east-1_Other' } }), reader, () => undefined);
    expect(formatDiff(third)).toContain('  defaultAuthType.settings.cognitoUserPoolId  "us-east-1_Other"  "us-east-1_AbCdEf123"\n');
  });

  test('parameters with defaults resolve; --parameter overrides them', async () => {
    const cdkOut = synthStack('Params', (s) => exampleStack(s, new CfnParameter(s, 'Env', { default: 'staging' }).valueAsString));
    const { reader, calls } = fakeReader(live);
    await runDiff(options(cdkOut), reader, () => undefined);
    expect(calls.map((c) => c.backendEnvironmentName)).toEqual(['staging', 'prod']);
    await expect(runDiff(options(cdkOut, { parameters: { Env: 'test' } }), reader, () => undefined)).rejects.toThrow(/^Params\/StagingApi: GetBackendAPI failed/);
  });

  test('an app ID only CloudFormation knows: the construct is reported as not compared', async () => {
    const cdkOut = synthStack('Imported', (s) => new BackendApiConfig(s, 'Api', {
      appId: Fn.importValue('AmplifyAppId'),
      backendEnvironmentName: 'staging',
      resourceName: 'blogapi',
      conflictResolution: ConflictResolutionStrategy.AUTOMERGE,
    }));
    const { reader, calls } = fakeReader(live);
    const result = await runDiff(options(cdkOut), reader, () => undefined);
    expect(calls).toEqual([]);
    expect(result.unresolved).toBe(1);
    expect(formatDiff(result)).toContain('Imported/Api: not compared: its app, environment or API name is unresolved (Fn::ImportValue "AmplifyAppId"): Fn::ImportValue cannot be evaluated from the cloud assembly.');

    // Properties that are an intrinsic as a whole (edited into the template): not read as an API named "undefined".
    const file = path.join(cdkOut, 'Imported.template.json');
    const template = JSON.parse(fs.readFileSync(file, 'utf8'));
    const resource = Object.values<any>(template.Resources).find((r) => r.Type === BACKEND_API_RESOURCE_TYPE);
    resource.Properties = { 'Fn::If': ['IsProd', resource.Properties, { Ref: 'AWS::NoValue' }] };
    fs.writeFileSync(file, JSON.stringify(template));
    const whole = await runDiff(options(cdkOut), reader, () => undefined);
    expect(calls).toEqual([]);
    expect(formatDiff(whole)).toMatch(/^Imported\/Api: not compared: its app, environment or API name is unresolved \(Fn::If /m);
  });

  test('mappings by region, environment-agnostic stacks with --region, stages, and --stack', async () => {
    const outdir = tmpDir('cli-stage-');
    const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
    const stage = new Stage(app, 'Beta');
    const stack = new Stack(stage, 'Api'); // environment-agnostic
    const map = new CfnMapping(stack, 'Apps', { mapping: { 'eu-west-1': { id: APP_ID } } });
    new BackendApiConfig(stack, 'Config', {
      appId: map.findInMap(Stack.of(stack).region, 'id'),
      backendEnvironmentName: 'staging',
      resourceName: 'blogapi',
      conflictResolution: ConflictResolutionStrategy.LAMBDA,
    });
    new Stack(app, 'Other');
    app.synth();

    const { reader, calls } = fakeReader(live, null);
    const noRegion = await runDiff(options(outdir, { stacks: ['Beta/Api'] }), reader, () => undefined);
    expect(formatDiff(noRegion)).toContain('Beta/Api/Config: not compared: its app, environment or API name is unresolved (AWS::Region): the stack is environment-agnostic; pass --region.');

    expect(calls).toEqual([]);

    // With a region (--region, or the SDK's chain): AWS::Region is the reader's, whose own region the API is read in.
    const inEuWest1 = fakeReader(live, 'eu-west-1');
    const result = await runDiff(options(outdir, { stacks: ['Beta/Api'] }), inEuWest1.reader, () => undefined);
    expect(inEuWest1.calls).toEqual([{ appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', region: undefined }]);
    expect(formatDiff(result)).toContain('  conflictResolution.resolutionStrategy  "LAMBDA"  "AUTOMERGE"\n');
    expect(result.differences).toBe(1);

    await expect(runDiff(options(outdir, { stacks: ['Nope'] }), reader, () => undefined))
      .rejects.toThrow(`no stack "Nope" in ${outdir} (its stacks: Beta/Api, Other); pass --stack with one of them.`);
    await expect(runDiff(options(outdir, { stacks: ['Other'] }), reader, () => undefined))
      .rejects.toThrow(`no BackendApiConfig in the chosen stacks of ${outdir} (Other); check the directory and --stack.`);
  });

  test('a schema shipped as a file asset is read from the cloud assembly', async () => {
    const dir = tmpDir();
    const schema = `${'# padding\n'.repeat(4000)}type Post @model { id: ID! }\n`;
    fs.writeFileSync(path.join(dir, 'schema.graphql'), schema);
    const cdkOut = synthStack('Schema', (s) => new BackendApiConfig(s, 'Api', {
      appId: APP_ID,
      backendEnvironmentName: 'staging',
      resourceName: 'blogapi',
      transformSchema: ApiSchema.fromFile(path.join(dir, 'schema.graphql')),
    }));
    const template = JSON.parse(fs.readFileSync(path.join(cdkOut, 'Schema.template.json'), 'utf8'));
    const props = Object.values<any>(template.Resources).find((r) => r.Type === BACKEND_API_RESOURCE_TYPE).Properties;
    expect(props.TransformSchemaLocation).toEqual({ Bucket: expect.anything(), Key: expect.stringMatching(/\.graphql$/) });
    expect(props.ResourceConfig?.TransformSchema).toBeUndefined();

    const same = await runDiff(options(cdkOut), fakeReader({ 'staging/blogapi': { TransformSchema: schema } }).reader, () => undefined);
    expect(same.results[0].comparison).toEqual({ rows: [], compared: 1, notes: [] });
    const changed = await runDiff(options(cdkOut), fakeReader({ 'staging/blogapi': { TransformSchema: schema.replace('id: ID!', 'id: ID') } }).reader, () => undefined);
    expect(changed.results[0].comparison!.notes).toEqual(['transformSchema: first difference at line 4001: declared "type Post @model { id: ID! }", live "type Post @model { id: ID }"']);
  });

  test('what is not a cloud assembly, or holds no BackendApiConfig, is an error that says what to do', async () => {
    const { reader } = fakeReader(live);
    const empty = tmpDir();
    await expect(runDiff(options(empty), reader, () => undefined)).rejects.toThrow(`no cloud assembly in ${empty} (no manifest.json): run "cdk synth" first, or give the cdk.out directory as the first argument.`);
    fs.writeFileSync(path.join(empty, 'manifest.json'), '{ not json');
    await expect(runDiff(options(empty), reader, () => undefined)).rejects.toThrow(/cloud assembly manifest .*manifest\.json is not valid JSON/);
    const none = synthStack('Nothing', (s) => new cognito.UserPool(s, 'Pool'));
    await expect(runDiff(options(none), reader, () => undefined)).rejects.toThrow(`no BackendApiConfig in the stacks of ${none} (Nothing); check the directory and --stack.`);
  });
});

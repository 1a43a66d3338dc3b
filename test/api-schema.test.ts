import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApiSchema, BackendApiConfig } from '../src';
import { APP_ID, BACKEND_API_TYPE, ENV, dependsTransitively, errorMessage, iamStatements, logicalId, newStack, resourcesOfType } from './support/construct-helpers';

const REQUIRED = { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi' };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A schema of about `bytes` bytes: many @model types. */
function schemaOf(bytes: number): string {
  const types: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    const type = `type Model${i} @model { id: ID! title: String! body: String }\n`;
    types.push(type);
    length += type.length;
  }
  return types.join('');
}

function schemaFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-test-'));
  dirs.push(dir);
  const file = path.join(dir, 'schema.graphql');
  fs.writeFileSync(file, text);
  return file;
}

function synth(schema: ApiSchema) {
  const { stack } = newStack(ENV);
  const config = new BackendApiConfig(stack, 'Api', { ...REQUIRED, transformSchema: schema });
  return { stack, config, template: Template.fromStack(stack) };
}

/** The s3:GetObject statements of the template's identity policies. */
function getObjectResources(template: Template): unknown[] {
  return iamStatements(template).filter((s) => [s.statement.Action].flat().includes('s3:GetObject')).flatMap((s) => [s.statement.Resource].flat());
}

describe('ApiSchema.fromString', () => {
  test('a small schema stays inline as ResourceConfig.TransformSchema, with no asset and no S3 grant', () => {
    const schema = 'type Post @model { id: ID! title: String! }';
    const { template } = synth(ApiSchema.fromString(schema));
    template.hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: Match.objectEquals({ TransformSchema: schema }), TransformSchemaLocation: Match.absent() });
    expect(getObjectResources(template)).toEqual([]);
  });

  test('a schema over 32 KiB is shipped as a file asset: its location is in the properties, the text is not', () => {
    const schema = schemaOf(40 * 1024);
    const { stack, template } = synth(ApiSchema.fromString(schema));
    const [props] = Object.values(resourcesOfType(template, BACKEND_API_TYPE)).map((r) => r.Properties!);
    expect(props.ResourceConfig).toBeUndefined();
    expect(props.TransformSchemaLocation).toEqual({ Bucket: expect.anything(), Key: expect.stringMatching(/^[0-9a-f]{64}\.graphql$/) });
    expect(JSON.stringify(template.toJSON())).not.toContain('Model0 @model');
    // The staged asset holds the schema, byte for byte.
    const outdir = (stack.node.root as App).synth().directory;
    expect(fs.readFileSync(path.join(outdir, `asset.${props.TransformSchemaLocation.Key}`), 'utf8')).toBe(schema);
  });

  test('a token (e.g. a parameter) stays inline and is checked by the handler at deploy time', () => {
    const { stack } = newStack(ENV);
    const param = new CfnParameter(stack, 'Schema', { type: 'String' });
    new BackendApiConfig(stack, 'Api', { ...REQUIRED, transformSchema: ApiSchema.fromString(param.valueAsString) });
    Template.fromStack(stack).hasResourceProperties(BACKEND_API_TYPE, { ResourceConfig: { TransformSchema: { Ref: 'Schema' } } });
  });

  test('a schema over 8 MiB fails synth, saying why and what to do', () => {
    const message = errorMessage(() => synth(ApiSchema.fromString(schemaOf(8 * 1024 * 1024 + 100))));
    expect(message).toMatch(/TestStack\/Api: invalid transformSchema ApiSchema\.fromString\(\): the schema has [\d,]+ bytes/);
    expect(message).toMatch(/more than the 8,388,608 bytes UpdateBackendAPI can carry .*split the schema/);
  });
});

describe('ApiSchema.fromFile', () => {
  test('the file is a CDK asset; the handler may read that object only (s3:GetObject on its ARN), and the resource comes after that grant', () => {
    const file = schemaFile(schemaOf(1024 * 1024));
    const { template, config } = synth(ApiSchema.fromFile(file));
    const [props] = Object.values(resourcesOfType(template, BACKEND_API_TYPE)).map((r) => r.Properties!);
    expect(props.ResourceConfig).toBeUndefined();
    expect(props.TransformSchemaLocation).toEqual({
      Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1',
      Key: expect.stringMatching(/^[0-9a-f]{64}\.graphql$/),
    });
    expect(getObjectResources(template)).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::cdk-hnb659fds-assets-123456789012-us-east-1/${props.TransformSchemaLocation.Key}`]] },
    ]);
    // The grant sits in a managed policy that the handler functions, and so the resource, depend on.
    const holder = iamStatements(template).find((s) => [s.statement.Action].flat().includes('s3:GetObject'))!.holder;
    expect(template.toJSON().Resources[holder].Type).toBe('AWS::IAM::ManagedPolicy');
    const onEvent = resourcesOfType(template, 'AWS::Lambda::Function');
    const handlerIds = Object.keys(onEvent).filter((id) => onEvent[id].Properties!.Handler === 'index.onEvent');
    expect(onEvent[handlerIds[0]].DependsOn).toEqual(expect.arrayContaining([holder]));
    expect(dependsTransitively(template, logicalId(config.resource), holder)).toBe(true);
  });

  test('each schema object has a read policy of its own, named after its content hash: a changed schema is a new policy, so the old one still exists while an update rolls back', () => {
    const policyIds = (schema: string) => {
      const { template } = synth(ApiSchema.fromFile(schemaFile(schema)));
      const holders = iamStatements(template).filter((s) => [s.statement.Action].flat().includes('s3:GetObject')).map((s) => s.holder);
      expect(holders.map((h) => template.toJSON().Resources[h].Type)).toEqual(['AWS::IAM::ManagedPolicy']);
      return holders;
    };
    const [first] = policyIds('type A @model { id: ID! }');
    const [again] = policyIds('type A @model { id: ID! }');
    const [changed] = policyIds('type B @model { id: ID! }');
    expect(again).toBe(first);
    expect(changed).not.toBe(first);
  });

  test('two configurations of one schema file share one grant', () => {
    const file = schemaFile('type A @model { id: ID! }');
    const { stack } = newStack(ENV);
    new BackendApiConfig(stack, 'One', { ...REQUIRED, transformSchema: ApiSchema.fromFile(file) });
    new BackendApiConfig(stack, 'Two', { ...REQUIRED, backendEnvironmentName: 'prod', transformSchema: ApiSchema.fromFile(file) });
    expect(getObjectResources(Template.fromStack(stack))).toHaveLength(1);
  });

  test.each([
    ['a missing file', () => path.join(os.tmpdir(), 'no-such-dir-xyz', 'schema.graphql'), /no such file \(resolved to .*schema\.graphql\); give the path of the schema file/],
    ['a folder', () => os.tmpdir(), /not a file; give the path of the schema file itself/],
    ['an empty file', () => schemaFile('  \n'), /the file is empty; give a schema, or leave transformSchema out/],
  ])('%s fails synth', (_what, file, expected) => {
    expect(errorMessage(() => synth(ApiSchema.fromFile(file())))).toMatch(expected);
  });

  test('a schema that cannot be used is listed with the construct\'s other broken rules', () => {
    const { stack } = newStack(ENV);
    const missing = path.join(os.tmpdir(), 'no-such-dir-xyz', 'schema.graphql');
    const message = errorMessage(() => new BackendApiConfig(stack, 'Api', { ...REQUIRED, appId: 'my-app', transformSchema: ApiSchema.fromFile(missing) }));
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^BackendApiConfig: invalid appId \(got "my-app"\)/),
      expect.stringMatching(/^TestStack\/Api: invalid transformSchema ApiSchema\.fromFile\(.*\): no such file/),
    ]);
  });

  test('an env-agnostic stack synthesizes too (bucket and key are tokens)', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new BackendApiConfig(stack, 'Api', { ...REQUIRED, transformSchema: ApiSchema.fromFile(schemaFile('type A @model { id: ID! }')) });
    expect(() => app.synth()).not.toThrow();
  });
});

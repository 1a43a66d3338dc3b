/**
 * A transform schema shipped as a file asset (`TransformSchemaLocation`): the handler reads the
 * object with one SigV4-signed S3 GetObject and sends its UTF-8 text as
 * `ResourceConfig.TransformSchema`. Tested against a local S3 stub over HTTP at
 * AWS_ENDPOINT_URL_S3 that checks each request's signature with its own SigV4 code (not the
 * handler's), and the AmplifyBackend emulator.
 */
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OnEventResponse } from '../lambda/events';
import { isComplete, onEvent } from '../lambda/index';
import { objectUrl } from '../lambda/schema';
import type { BackendApiResourceProperties } from '../src/handler-contract';
import { AmplifyBackendEmulator } from './support/emulator';
import { apiEvent, isCompleteRequest } from './support/events';

const APP = 'd1a2b3c4d5e6f7';
const ENV = 'staging';
const API = 'blogapi';
const BUCKET = 'cdk-hnb659fds-assets-123456789012-us-east-1';
const KEY = 'schemas/0f1e2d3c (v1)+final.graphql';
const ACCESS_KEY = 'ASIALOCALSCHEMATEST1';
const SECRET = 'local-schema-test-secret';
const SESSION_TOKEN = 'local-schema-test-session';

interface StubRequest {
  readonly path: string;
  readonly signatureValid: boolean;
  readonly authorization: string;
}

/** A local S3 that serves objects by bucket and key (path-style), checks signatures, and can answer errors. */
class S3Stub {
  static async start(): Promise<S3Stub> {
    const stub = new S3Stub();
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    stub.endpoint = `http://127.0.0.1:${(stub.server.address() as AddressInfo).port}`;
    return stub;
  }

  endpoint = '';
  readonly objects = new Map<string, Buffer>();
  readonly requests: StubRequest[] = [];
  private errors: Array<{ status: number; code: string; message: string }> = [];
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  /** The next calls answer these errors, in order. */
  failNext(...errors: Array<{ status: number; code: string; message: string }>): void {
    this.errors.push(...errors);
  }

  reset(): void {
    this.objects.clear();
    this.requests.length = 0;
    this.errors = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const rawPath = (req.url ?? '/').split('?')[0];
    const signatureValid = verifySigV4(req, rawPath);
    this.requests.push({ path: rawPath, signatureValid, authorization: String(req.headers.authorization ?? '') });
    const send = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>0</RequestId></Error>`);
    };
    if (!signatureValid) return send(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    const error = this.errors.shift();
    if (error) return send(error.status, error.code, error.message);
    const [, bucket, ...key] = rawPath.split('/').map(decodeURIComponent);
    const object = this.objects.get(`${bucket}/${key.join('/')}`);
    if (!object) return send(404, 'NoSuchKey', 'The specified key does not exist.');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': object.length });
    res.end(object);
  }
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** AWS Signature Version 4 for S3 (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), written out for the check. */
function verifySigV4(req: http.IncomingMessage, rawPath: string): boolean {
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
  if (!m || m[1] !== ACCESS_KEY) return false;
  const [, , date, region, signedHeaders, signature] = m;
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-content-sha256') || !names.includes('x-amz-date')) return false;
  const amzDate = String(req.headers['x-amz-date']);
  const canonical = [
    req.method,
    rawPath,
    '',
    ...names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}`),
    '',
    signedHeaders,
    String(req.headers['x-amz-content-sha256']),
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex') === signature;
}

let emulator: AmplifyBackendEmulator;
let s3: S3Stub;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await AmplifyBackendEmulator.start();
  s3 = await S3Stub.start();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_AMPLIFYBACKEND: emulator.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/handler-schema-test',
  });
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = savedEnv;
  await s3.stop();
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  s3.reset();
  emulator.addApp(APP, { environments: { [ENV]: { apis: { [API]: { apiName: 'blog' } } } } });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  jest.restoreAllMocks();
});

const props: BackendApiResourceProperties = {
  AppId: APP,
  BackendEnvironmentName: ENV,
  ResourceName: API,
  ResourceConfig: { DefaultAuthType: { Mode: 'AWS_IAM' } },
  TransformSchemaLocation: { Bucket: BUCKET, Key: KEY },
};

/** About 1 MB of GraphQL, with text outside ASCII (a comment in French, an emoji in a description). */
function largeSchema(): string {
  const types: string[] = ['# Schéma du blog: chaque type a son propriétaire.'];
  for (let i = 0, length = 0; length < 1_000_000; i++) {
    types.push(`"""Type ${i} 🚀"""\ntype Post${i} @model @auth(rules: [{ allow: owner }]) {\n  id: ID!\n  title: String!\n  body: String\n  tags: [String!]\n}`);
    length += types[types.length - 1].length + 1;
  }
  return types.join('\n');
}

test('the object is read with a signed GetObject (path-style at AWS_ENDPOINT_URL_S3) and its UTF-8 text sent as TransformSchema', async () => {
  const schema = largeSchema();
  s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from(schema, 'utf8'));

  const answer = await onEvent(apiEvent.create(props));

  expect(answer.Data).toMatchObject({ JobId: expect.any(String) });
  expect(s3.requests).toHaveLength(1);
  expect(s3.requests[0]).toMatchObject({ path: `/${BUCKET}/schemas/0f1e2d3c%20%28v1%29%2Bfinal.graphql`, signatureValid: true });
  expect(s3.requests[0].authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/\\d{8}/us-east-1/s3/aws4_request, SignedHeaders=.*x-amz-security-token`));
  const body = emulator.lastRequest('UpdateBackendAPI')?.body as any;
  expect(body.resourceConfig.transformSchema).toBe(schema);
  expect(body.resourceConfig.defaultAuthType).toEqual({ mode: 'AWS_IAM' });
});

test('the schema text never reaches the log', async () => {
  s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from('type SecretThing @model { id: ID! }', 'utf8'));

  await onEvent(apiEvent.create(props));

  const logged = (console.log as jest.Mock).mock.calls.flat().join('\n');
  expect(logged).not.toContain('SecretThing');
});

test('a missing object fails at once, naming the bucket and key and what to check', async () => {
  await expect(onEvent(apiEvent.create(props))).rejects.toThrow(
    `S3 GetObject failed for the transform schema s3://${BUCKET}/${KEY}: NoSuchKey: The specified key does not exist. `
    + '(the asset is not in the bootstrap bucket: deploy with `cdk deploy`, which publishes the stack\'s file assets first)',
  );
  expect(emulator.requests('UpdateBackendAPI')).toHaveLength(0);
});

test('AccessDenied just after the start is waited out (IAM catching up); a minute later it fails naming the s3:GetObject grant', async () => {
  s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from('type Post @model { id: ID! }', 'utf8'));
  s3.failNext({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
  const event = apiEvent.create(props);

  const answer = await onEvent(event);

  expect(answer).toStrictEqual({ PhysicalResourceId: `${APP}/${ENV}/${API}`, StartedAt: expect.any(String), Deferred: true });
  s3.failNext({ status: 403, code: 'AccessDenied', message: 'Access Denied' });
  const late: OnEventResponse<unknown> = { ...answer, StartedAt: String(Number(answer.StartedAt) - 61_000) };
  await expect(isComplete(isCompleteRequest(event, late))).rejects.toThrow(
    `S3 GetObject failed for the transform schema s3://${BUCKET}/${KEY}: AccessDenied: Access Denied (check that the provider's role allows s3:GetObject `
    + `on arn:<partition>:s3:::${BUCKET}/${KEY} (the construct grants it; a role imported with mutable: false needs it attached), and kms:Decrypt if the bucket uses a KMS key; `
    + 'S3 also answers AccessDenied for a missing object to a role that may not list the bucket: check that the asset was published)',
  );
  // Once the grant works, a poll reads the schema and starts the update.
  await expect(isComplete(isCompleteRequest(event, answer))).resolves.toStrictEqual({ IsComplete: false });
  expect((emulator.lastRequest('UpdateBackendAPI')?.body as any).resourceConfig.transformSchema).toBe('type Post @model { id: ID! }');
});

test('a 5xx from S3 is tried again, as the SDK would', async () => {
  s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from('type Post @model { id: ID! }', 'utf8'));
  s3.failNext({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' }, { status: 500, code: 'InternalError', message: 'We encountered an internal error.' });

  await expect(onEvent(apiEvent.create(props))).resolves.toMatchObject({ Data: { JobId: expect.any(String) } });
  expect(s3.requests).toHaveLength(3);
});

test('an object that is not UTF-8 text fails, naming it', async () => {
  s3.objects.set(`${BUCKET}/${KEY}`, Buffer.from([0x74, 0x79, 0x70, 0x65, 0x20, 0xff, 0xfe, 0x00]));

  await expect(onEvent(apiEvent.create(props))).rejects.toThrow(`S3 GetObject failed for the transform schema s3://${BUCKET}/${KEY}: Error: the object is not UTF-8 text`);
});

test.each<[string, string, Record<string, string>, string]>([
  ['a bucket name that is a DNS label: virtual-hosted', BUCKET, {}, `https://${BUCKET}.s3.us-east-1.amazonaws.com/a/b%20c.graphql`],
  ['a bucket name with dots: path-style', 'my.assets.bucket', {}, 'https://s3.us-east-1.amazonaws.com/my.assets.bucket/a/b%20c.graphql'],
  ['AWS_ENDPOINT_URL_S3: path-style under it', BUCKET, { AWS_ENDPOINT_URL_S3: 'http://localhost:4566/base/' }, `http://localhost:4566/base/${BUCKET}/a/b%20c.graphql`],
  ['AWS_ENDPOINT_URL for every service', BUCKET, { AWS_ENDPOINT_URL: 'http://localhost:4566' }, `http://localhost:4566/${BUCKET}/a/b%20c.graphql`],
])('the object URL: %s', (_what, bucket, env, url) => {
  expect(objectUrl({ Bucket: bucket, Key: 'a/b c.graphql' }, 'us-east-1', env).href).toBe(url);
});

test.each([
  ['cn-north-1', 'https://assets.s3.cn-north-1.amazonaws.com.cn/k'],
  ['us-iso-east-1', 'https://assets.s3.us-iso-east-1.c2s.ic.gov/k'],
  ['us-gov-west-1', 'https://assets.s3.us-gov-west-1.amazonaws.com/k'],
])('the object URL in %s follows its partition\'s DNS suffix', (region, url) => {
  expect(objectUrl({ Bucket: 'assets', Key: 'k' }, region, {}).href).toBe(url);
});

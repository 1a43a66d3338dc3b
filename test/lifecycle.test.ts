/**
 * Tests of the local CloudFormation stand-in (test/support/lifecycle.ts): for each limit that
 * CloudFormation, Lambda, Step Functions or the CDK Provider framework enforces on a custom
 * resource, a deliberately bad stack that the stand-in must fail with the real wording, and a
 * good one that must pass.
 *
 * The stacks are small CDK apps: a `Custom::Probe` resource behind a `cr.Provider` whose user
 * functions are the probe handler below (written to a temporary asset folder). Its resource
 * properties tell it what to do: log its event, fail, answer after N polls, read a file asset.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { AmplifyBackendProvider, ApiAuth, BackendApiConfig } from '../src';
import { AmplifyBackendEmulator } from './support/emulator';
import {
  CloudFormationValidationError, DeployResult, evaluateIamPolicies, failedResponseMessage, iamWildcard, LocalCloudFormation,
  MAX_RESPONSE_BYTES, RESPONSE_TOO_LONG_MESSAGE, SERVICE_TOKEN_CHANGED_MESSAGE, timeoutMessage, VirtualClock,
} from './support/lifecycle';
import { createRequest } from './support/lifecycle/expect';

const STACK = 'Probe';
const PROBE_TYPE = 'Custom::Probe';

/** The user handler of the probe resource (onEvent and isComplete). */
const PROBE_HANDLER = `
const crypto = require('crypto');
const polls = new Map();

const hmac = (key, text) => crypto.createHmac('sha256', key).update(text).digest();

/** GetObject, SigV4-signed for \`sign\` (default s3); 'none': unsigned; 'badsig': a signature of zeros. */
async function readObject(bucket, key, sign) {
  const url = new URL(process.env.AWS_ENDPOINT_URL_S3 + '/' + bucket + '/' + key);
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\\.\\d+/, '');
  const headers = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'x-amz-date': date, 'x-amz-security-token': process.env.AWS_SESSION_TOKEN };
  if (sign !== 'none') {
    const service = sign === 'badsig' || !sign ? 's3' : sign;
    const scope = date.slice(0, 8) + '/' + process.env.AWS_REGION + '/' + service + '/aws4_request';
    const signed = { host: url.host, ...headers };
    const names = Object.keys(signed).sort();
    const canonical = ['GET', url.pathname, '', names.map((n) => n + ':' + signed[n] + '\\n').join(''), names.join(';'), 'UNSIGNED-PAYLOAD'].join('\\n');
    const toSign = ['AWS4-HMAC-SHA256', date, scope, crypto.createHash('sha256').update(canonical).digest('hex')].join('\\n');
    const signingKey = [date.slice(0, 8), process.env.AWS_REGION, service, 'aws4_request'].reduce(hmac, 'AWS4' + process.env.AWS_SECRET_ACCESS_KEY);
    const signature = sign === 'badsig' ? '0'.repeat(64) : hmac(signingKey, toSign).toString('hex');
    headers.authorization = 'AWS4-HMAC-SHA256 Credential=' + process.env.AWS_ACCESS_KEY_ID + '/' + scope + ', SignedHeaders=' + names.join(';') + ', Signature=' + signature;
  }
  const res = await fetch(url, { headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error('GetObject s3://' + bucket + '/' + key + ' answered ' + res.status + ': ' + text);
  return text;
}

exports.onEvent = async (event) => {
  const p = event.ResourceProperties;
  if (p.LogEvent === 'true') console.log('onEvent received', JSON.stringify(event));
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  if (p.FailOnEvent) throw new Error(p.FailOnEvent);
  const data = { Echo: p.Echo || '' };
  if (p.AssetBucket) data.Text = await readObject(p.AssetBucket, p.AssetKey, p.Sign);
  return { PhysicalResourceId: 'probe-' + event.LogicalResourceId, Data: data };
};

exports.isComplete = async (event) => {
  const p = event.ResourceProperties;
  const n = (polls.get(event.RequestId) || 0) + 1;
  polls.set(event.RequestId, n);
  if (event.RequestType === 'Delete') return { IsComplete: true };
  if (p.FailIsComplete) throw new Error(p.FailIsComplete);
  return { IsComplete: n >= Number(p.PollsUntilComplete || 1) };
};
`;

interface ProbeOptions {
  readonly properties?: Record<string, string>;
  /** ServiceTimeout in seconds; written as a raw property, so out-of-range values reach the template. */
  readonly serviceTimeout?: number;
  readonly queryInterval?: Duration;
  readonly totalTimeout?: Duration;
  /** Construct ID of the provider: another ID is another ServiceToken. */
  readonly providerId?: string;
  /** Raw `Timeout` of the user onEvent function / of the framework's onTimeout function. */
  readonly handlerTimeout?: number;
  readonly frameworkTimeout?: number;
  /** A file asset whose bucket and key the probe reads, with or without read access for the handler. */
  readonly asset?: { readonly content: string; readonly grant: 'asset' | 'object' | 'none' | 'wildcard' | 'deny' };
}

const tmpDirs: string[] = [];
let handlerDir = '';
let cfn: LocalCloudFormation | undefined;

beforeAll(() => {
  handlerDir = tmp('probe-handler-');
  fs.writeFileSync(path.join(handlerDir, 'index.js'), PROBE_HANDLER);
});
afterEach(async () => {
  await cfn?.close();
  cfn = undefined;
});
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

/** Synthesizes the probe stack and returns the cloud assembly folder. */
function synthProbe(options: ProbeOptions = {}): string {
  const outdir = tmp('lifecycle-');
  const app = new App({ outdir });
  const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
  const code = lambda.Code.fromAsset(handlerDir);
  const onEvent = new lambda.Function(stack, 'ProbeOnEvent', { code, handler: 'index.onEvent', runtime: lambda.Runtime.NODEJS_22_X });
  const isComplete = new lambda.Function(stack, 'ProbeIsComplete', { code, handler: 'index.isComplete', runtime: lambda.Runtime.NODEJS_22_X });
  const provider = new cr.Provider(stack, options.providerId ?? 'Provider', {
    onEventHandler: onEvent,
    isCompleteHandler: isComplete,
    queryInterval: options.queryInterval ?? Duration.seconds(10),
    totalTimeout: options.totalTimeout ?? Duration.minutes(10),
  });
  const properties: Record<string, string> = { ...options.properties };
  if (options.asset) {
    const file = path.join(tmp('probe-asset-'), 'schema.graphql');
    fs.writeFileSync(file, options.asset.content);
    const asset = new assets.Asset(stack, 'Schema', { path: file });
    properties.AssetBucket = asset.s3BucketName;
    properties.AssetKey = asset.s3ObjectKey;
    if (options.asset.grant === 'asset') asset.grantRead(onEvent);
    if (options.asset.grant === 'object') {
      onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${asset.s3BucketName}/${asset.s3ObjectKey}`] }));
    }
    if (options.asset.grant === 'wildcard') onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:Get*'], resources: ['arn:aws:s3:::cdk-*-assets-*/*.graphql'] }));
    if (options.asset.grant === 'deny') {
      asset.grantRead(onEvent);
      onEvent.addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${asset.s3BucketName}/*`] }));
    }
  }
  const probe = new CustomResource(stack, 'Probe', { serviceToken: provider.serviceToken, resourceType: PROBE_TYPE, properties });
  if (options.serviceTimeout !== undefined) (probe.node.defaultChild as CfnResource).addPropertyOverride('ServiceTimeout', options.serviceTimeout);
  if (options.handlerTimeout !== undefined) (onEvent.node.defaultChild as CfnResource).addPropertyOverride('Timeout', options.handlerTimeout);
  if (options.frameworkTimeout !== undefined) {
    const fn = provider.node.findAll().find((c) => c.node.id === 'framework-onTimeout') as lambda.Function;
    (fn.node.defaultChild as CfnResource).addPropertyOverride('Timeout', options.frameworkTimeout);
  }
  app.synth();
  return outdir;
}

function standIn(options: { clock?: VirtualClock; endpoint?: string } = {}): LocalCloudFormation {
  cfn = new LocalCloudFormation({ stackName: STACK, endpoint: options.endpoint ?? 'http://127.0.0.1:9', customResourceTypes: [PROBE_TYPE], clock: options.clock });
  return cfn;
}

function probeOf(result: DeployResult) {
  const probe = Object.values(result.resources).find((r) => r.type === PROBE_TYPE);
  if (!probe) throw new Error(`no ${PROBE_TYPE} in ${Object.keys(result.resources).join(', ')}`);
  return probe;
}

/** The stack's failure reason without the `<logical ID>: ` the console puts first. */
function reasonOf(result: DeployResult): string {
  return (result.reason ?? '').replace(/^[^:]+: /, '');
}

function expectStatus(result: DeployResult, status: string): void {
  expect({ status: result.status, reason: result.reason }).toEqual(expect.objectContaining({ status }));
}

describe('the virtual clock', () => {
  test('waits side by side overlap: 10 s and 20 s waits started together end 20 s later, in order', async () => {
    const clock = new VirtualClock({ start: 0 });
    const ended: Array<[string, number]> = [];
    await Promise.all([
      clock.sleep(20_000).then(() => ended.push(['long', clock.now()])),
      clock.sleep(10_000).then(() => ended.push(['short', clock.now()])),
    ]);
    expect(ended.map(([name]) => name)).toEqual(['short', 'long']);
    expect(ended[0][1]).toBeGreaterThanOrEqual(10_000);
    expect(ended[1][1]).toBeGreaterThanOrEqual(20_000);
    expect(ended[1][1]).toBeLessThan(21_000);
  });

  test('no jump while work runs: a wait that starts during work ends only after the work, on its own moment', async () => {
    const clock = new VirtualClock({ start: 0 });
    let workDone = -1;
    const waited = clock.sleep(60_000).then(() => clock.now());
    await clock.busy(async () => {
      await new Promise((r) => setTimeout(r, 30));
      workDone = clock.now();
    });
    expect(workDone).toBeLessThan(60_000);
    expect(await waited).toBeGreaterThanOrEqual(60_000);
  });

  test('an aborted wait never moves the clock', async () => {
    const clock = new VirtualClock({ start: 0 });
    const controller = new AbortController();
    const aborted = clock.sleep(3_600_000, controller.signal).catch(() => 'aborted');
    controller.abort();
    expect(await aborted).toBe('aborted');
    await clock.sleep(5_000);
    expect(clock.now()).toBeLessThan(6_000);
  });
});

describe('virtual clock and ServiceTimeout', () => {
  test('a resource that answers after three polls 30 s apart takes a minute of virtual time, not of real time', async () => {
    const result = await standIn().deploy(synthProbe({ queryInterval: Duration.seconds(30), properties: { PollsUntilComplete: '3' } }));
    expectStatus(result, 'CREATE_COMPLETE');
    // Two waits of 30 s, plus the functions' real run time.
    expect(createRequest(cfn!).elapsedSeconds).toBeGreaterThanOrEqual(60);
    expect(createRequest(cfn!).elapsedSeconds).toBeLessThan(90);
    const [execution] = cfn!.executions;
    expect(execution.attempts.map((a) => Math.round((a.at - execution.startDate) / 1000))).toEqual([0, 30, 60]);
  });

  test('no answer within ServiceTimeout fails the resource with CloudFormation\'s message, and the waiter is stopped', async () => {
    const result = await standIn().deploy(synthProbe({ serviceTimeout: 120, totalTimeout: Duration.minutes(10), properties: { PollsUntilComplete: '1000' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const probe = probeOf(result);
    const create = createRequest(cfn!);
    expect(result.reason).toBe(`${probe.logicalId}: ${timeoutMessage(create.requestId)}`);
    expect(result.reason).toContain(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${create.requestId}].`);
    const waited = result.events.find((e) => e.status === 'CREATE_FAILED')!.at - create.at;
    expect(waited).toBeGreaterThanOrEqual(120_000);
    expect(waited).toBeLessThan(121_000);
    const execution = cfn!.executions.find((e) => e.name === create.requestId)!;
    expect(execution.status).toBe('ABORTED');
    // Polled at 0, 10, ..., 120 s at most: nothing after CloudFormation gave up.
    expect(execution.attempts.length).toBeLessThanOrEqual(13);
  });

  test('the framework\'s own timeout answers FAILED "Operation timed out" when it comes before ServiceTimeout', async () => {
    const result = await standIn().deploy(synthProbe({ queryInterval: Duration.minutes(1), totalTimeout: Duration.minutes(5), properties: { PollsUntilComplete: '1000' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const create = createRequest(cfn!);
    expect(result.reason).toBe(`${probeOf(result).logicalId}: ${failedResponseMessage('Operation timed out', create.requestId)}`);
    const execution = cfn!.executions.find((e) => e.name === create.requestId)!;
    // MaxAttempts = 5 retries after the first attempt, then the Catch runs onTimeout.
    expect(execution.attempts.map((a) => a.state)).toEqual([...Array(6).fill('framework-isComplete-task'), 'framework-onTimeout-task']);
    expect(result.events.find((e) => e.status === 'CREATE_FAILED')!.at - create.at).toBeGreaterThanOrEqual(300_000);
  });

  test('... and when ServiceTimeout comes first, CloudFormation\'s timeout is what the stack shows', async () => {
    const result = await standIn().deploy(synthProbe({ serviceTimeout: 240, queryInterval: Duration.minutes(1), totalTimeout: Duration.minutes(5), properties: { PollsUntilComplete: '1000' } }));
    const create = createRequest(cfn!);
    expect(result.reason).toBe(`${probeOf(result).logicalId}: ${timeoutMessage(create.requestId)}`);
  });

  test('ServiceTimeout outside 1..3600 is refused before anything runs', async () => {
    for (const bad of [3601, 0]) {
      const cloud = standIn();
      const refused = cloud.deploy(synthProbe({ serviceTimeout: bad }));
      await expect(refused).rejects.toThrow(CloudFormationValidationError);
      await expect(refused).rejects.toThrow(new RegExp(`ServiceTimeout "${bad}"; ServiceTimeout must be an integer from 1 to 3600`));
      expect(cloud.requests).toHaveLength(0);
      await cloud.close();
    }
    expectStatus(await standIn().deploy(synthProbe({ serviceTimeout: 3600 })), 'CREATE_COMPLETE');
  });

  test('the emulator on the same clock: a 45 s Amplify job ends after the waiter\'s 15 s polls, in virtual time', async () => {
    const clock = new VirtualClock();
    const emulator = await AmplifyBackendEmulator.start({ now: clock.now, pollsUntilComplete: Infinity, jobDurationMs: 45_000 });
    try {
      emulator.addApp('d1e2e3e4e5e6e7', { environments: { staging: { apis: { blogapi: { apiName: 'blog' } } } } });
      const outdir = tmp('lifecycle-amplify-');
      const app = new App({ outdir });
      const stack = new Stack(app, STACK, { env: { region: 'us-east-1' } });
      const provider = new AmplifyBackendProvider(stack, 'Provider', { queryInterval: Duration.seconds(15) });
      new BackendApiConfig(stack, 'Api', { appId: 'd1e2e3e4e5e6e7', backendEnvironmentName: 'staging', resourceName: 'blogapi', provider, defaultAuthType: ApiAuth.iam() });
      app.synth();
      cfn = new LocalCloudFormation({ stackName: STACK, endpoint: emulator.endpoint, clock });
      const result = await cfn.deploy(outdir);
      expectStatus(result, 'CREATE_COMPLETE');
      const [job] = emulator.jobs();
      expect(job.updateTime - job.createTime).toBe(45_000);
      // Polled at 0, 15, 30, 45 s: the fourth poll saw COMPLETED.
      expect(emulator.requests('GetBackendJob').map((r) => (r.response as any).status)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'COMPLETED']);
      expect(createRequest(cfn).elapsedSeconds).toBeGreaterThanOrEqual(45);
    } finally {
      await emulator.stop();
    }
  });
});

describe('ServiceToken', () => {
  test('an update that changes the ServiceToken fails with "Modifying service token is not allowed." and calls nothing', async () => {
    const cloud = standIn();
    expectStatus(await cloud.deploy(synthProbe({ properties: { Echo: 'v1' } })), 'CREATE_COMPLETE');
    const sent = cloud.requests.length;
    const logged = cloud.handlerLogs.length + cloud.frameworkLogs.length;
    const result = await cloud.deploy(synthProbe({ providerId: 'OtherProvider', properties: { Echo: 'v1' } }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.reason).toBe(`${probeOf(result).logicalId}: ${SERVICE_TOKEN_CHANGED_MESSAGE}`);
    expect(result.reason).toMatch(/: Modifying service token is not allowed\.$/);
    expect(cloud.requests).toHaveLength(sent);
    expect(cloud.handlerLogs.length + cloud.frameworkLogs.length).toBe(logged);
  });

  test('an update through the same ServiceToken goes through', async () => {
    const cloud = standIn();
    await cloud.deploy(synthProbe({ properties: { Echo: 'v1' } }));
    const result = await cloud.deploy(synthProbe({ properties: { Echo: 'v2' } }));
    expectStatus(result, 'UPDATE_COMPLETE');
    expect(probeOf(result).data.Echo).toBe('v2');
    expect(cloud.requests.map((r) => r.requestType)).toEqual(['Create', 'Update']);
  });
});

describe('the response CloudFormation receives', () => {
  test('is built as the framework\'s cfn-response.js builds it', async () => {
    const result = await standIn().deploy(synthProbe({ properties: { Echo: 'hello' } }));
    expectStatus(result, 'CREATE_COMPLETE');
    const create = cfn!.requests[0];
    const [response] = cfn!.responses;
    expect(response.accepted).toBe(true);
    const body = JSON.parse(response.body);
    // NoEcho is undefined unless the handler sets it, so JSON.stringify leaves it out.
    expect(Object.keys(body)).toEqual(['Status', 'Reason', 'StackId', 'RequestId', 'PhysicalResourceId', 'LogicalResourceId', 'Data']);
    expect(body).toEqual({
      Status: 'SUCCESS',
      Reason: 'SUCCESS',
      StackId: create.event.StackId,
      RequestId: create.requestId,
      PhysicalResourceId: `probe-${create.event.LogicalResourceId}`,
      LogicalResourceId: create.event.LogicalResourceId,
      Data: { Echo: 'hello' },
    });
    expect(create.event.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/Probe\/[0-9a-f-]{36}$/);
  });

  test('a handler error reaches the reason as the framework builds it: message, log group, then the trace', async () => {
    const result = await standIn().deploy(synthProbe({ properties: { FailOnEvent: 'the probe was told to fail' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const create = cfn!.requests[0];
    const functionName = /function:(.+)$/.exec(JSON.stringify(cfn!.frameworkLogs.find((l) => l.includes('executing user function'))))![1].split(' ')[0];
    expect(functionName).toMatch(/^Probe-ProbeOnEvent[0-9A-F]{8}-[0-9A-Z]{12}$/);
    expect(reasonOf(result)).toMatch(new RegExp(`^Received response status \\[FAILED\\] from custom resource\\. Message returned: the probe was told to fail\n\nLogs: /aws/lambda/${functionName}\n\n`));
    expect(reasonOf(result)).toMatch(/\n {4}at exports\.onEvent \(\/var\/task\/index\.js:\d+:\d+\)/);
    expect(reasonOf(result).endsWith(` (RequestId: ${create.requestId})`)).toBe(true);
    // A failed Create answers with the framework's marker, and the rollback's Delete is ignored by the framework.
    expect(JSON.parse(cfn!.responses[0].body).PhysicalResourceId).toBe('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED');
    expect(cfn!.frameworkLogs).toContain('[provider-framework] ignoring DELETE event caused by a failed CREATE event');
  });

  test('a response over 4,096 bytes fails the resource with "Response object is too long.", hiding the real reason', async () => {
    const message = `schema rejected: ${'x'.repeat(MAX_RESPONSE_BYTES)}`;
    const result = await standIn().deploy(synthProbe({ properties: { FailOnEvent: message } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(reasonOf(result)).toBe(RESPONSE_TOO_LONG_MESSAGE);
    expect(result.reason).not.toContain('schema rejected');
    const [response] = cfn!.responses;
    expect(response.bytes).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(JSON.parse(response.body).Reason).toContain('schema rejected');
  });

  test('a long reason that still fits in 4,096 bytes is shown', async () => {
    const message = `schema rejected: ${'x'.repeat(2000)}`;
    const result = await standIn().deploy(synthProbe({ properties: { FailOnEvent: message } }));
    expect(cfn!.responses[0].bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(reasonOf(result)).toContain(message);
  });
});

describe('Step Functions input limit', () => {
  test('an event over 262,144 bytes fails at StartExecution, after the user onEvent ran, with the framework\'s onEvent error', async () => {
    const result = await standIn().deploy(synthProbe({ properties: { Padding: 'é'.repeat(140_000) } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const reason = reasonOf(result);
    expect(reason.startsWith('Received response status [FAILED] from custom resource. Message returned: ValidationException: 1 validation error detected: '
      + 'Value at \'input\' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding\n')).toBe(true);
    expect(cfn!.executions).toHaveLength(0);
    // The user onEvent function had already run: its side effects stay.
    expect(cfn!.frameworkLogs.some((l) => l.startsWith('[provider-framework] onEvent returned:'))).toBe(true);
  });

  test('an update carries old and new properties: two halves that each fit make an input that does not', async () => {
    const cloud = standIn();
    expectStatus(await cloud.deploy(synthProbe({ properties: { Padding: 'a'.repeat(135_000) } })), 'CREATE_COMPLETE');
    const result = await cloud.deploy(synthProbe({ properties: { Padding: 'b'.repeat(135_000) } }));
    expect(result.status).toBe('UPDATE_ROLLBACK_FAILED');
    expect(result.reason).toContain('Value at \'input\' failed to satisfy constraint');
    // Only the Create's waiter ever started; the Update and its rollback (which carries both too) failed to start theirs.
    expect(cloud.executions).toHaveLength(1);
    expect(cloud.requests.map((r) => r.requestType)).toEqual(['Create', 'Update', 'Update']);
  });
});

describe('Lambda function timeout', () => {
  test('a user function with Timeout 901 fails the stack at that function, before any custom resource runs', async () => {
    const result = await standIn().deploy(synthProbe({ handlerTimeout: 901 }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.reason).toMatch(new RegExp('^ProbeOnEvent[0-9A-F]{8}: Resource handler returned message: "1 validation error detected: '
      + 'Value \'901\' at \'timeout\' failed to satisfy constraint: Member must have value less than or equal to 900 '
      + '\\(Service: Lambda, Status Code: 400, Request ID: [0-9a-f-]{36}\\)" \\(RequestToken: [0-9a-f-]{36}, HandlerErrorCode: InvalidRequest\\)$'));
    expect(result.events.map((e) => [e.resourceType, e.status])).toEqual([['AWS::Lambda::Function', 'CREATE_IN_PROGRESS'], ['AWS::Lambda::Function', 'CREATE_FAILED']]);
    expect(cfn!.requests).toHaveLength(0);
  });

  test('the framework\'s functions are checked too', async () => {
    const result = await standIn().deploy(synthProbe({ frameworkTimeout: 1200 }));
    expect(result.reason).toMatch(/^ProviderframeworkonTimeout[0-9A-F]{8}: .*Value '1200' at 'timeout'.*less than or equal to 900/);
  });

  test('900 s is allowed', async () => {
    expectStatus(await standIn().deploy(synthProbe({ handlerTimeout: 900, frameworkTimeout: 900 })), 'CREATE_COMPLETE');
  });
});

describe('the event the handlers get', () => {
  test('carries the pre-signed ResponseURL, which the framework logs as "..." except in its timeout log', async () => {
    const result = await standIn().deploy(synthProbe({ queryInterval: Duration.minutes(1), totalTimeout: Duration.minutes(2), properties: { LogEvent: 'true', PollsUntilComplete: '1000' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    const create = createRequest(cfn!);
    const url = create.event.ResponseURL as string;
    expect(url).toMatch(/^https:\/\/cloudformation-custom-resource-response-useast1\.s3\.amazonaws\.com\/arn%3Aaws%3Acloudformation.*X-Amz-Signature=[0-9a-f]{64}$/);
    // The user handler got it (and this probe leaks it into its logs: a real handler must not).
    const logged = cfn!.handlerLogs.find((l) => l.startsWith('onEvent received'))!;
    expect(JSON.parse(logged.replace('onEvent received ', '')).ResponseURL).toBe(url);
    // The framework's logs of the request show "...", but the timeout handler logs the whole isComplete event.
    expect(cfn!.frameworkLogs.some((l) => l.includes('"ResponseURL": "..."'))).toBe(true);
    const withUrl = cfn!.frameworkLogs.filter((l) => l.includes('X-Amz-Signature'));
    expect(withUrl).toHaveLength(1);
    expect(withUrl[0]).toMatch(/^\[provider-framework\] timeoutHandler \{/);
    const cause = JSON.parse(JSON.parse(withUrl[0].replace('[provider-framework] timeoutHandler ', '')).Cause);
    expect(JSON.parse(cause.errorMessage).ResponseURL).toBe(url);
  });
});

describe('file assets through the local S3 endpoint', () => {
  test('a handler whose role may read the asset gets its content; the read is recorded', async () => {
    const result = await standIn().deploy(synthProbe({ asset: { content: 'type Post @model { id: ID! }', grant: 'asset' } }));
    expectStatus(result, 'CREATE_COMPLETE');
    expect(probeOf(result).data.Text).toBe('type Post @model { id: ID! }');
    const [read] = cfn!.s3Requests;
    expect(read).toMatchObject({ method: 'GET', status: 200, bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1' });
    expect(read.key).toMatch(/^[0-9a-f]{64}\.graphql$/);
    expect(read.principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/Probe-ProbeOnEventServiceRole[0-9A-F]{8}-[0-9A-Z]{12}\/Probe-ProbeOnEvent/);
  });

  test('a wildcard grant that matches the object is enough', async () => {
    expectStatus(await standIn().deploy(synthProbe({ asset: { content: 'schema', grant: 'wildcard' } })), 'CREATE_COMPLETE');
  });

  test('without a grant the read is denied: 403 AccessDenied, and the resource fails', async () => {
    const result = await standIn().deploy(synthProbe({ asset: { content: 'schema', grant: 'none' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(reasonOf(result)).toMatch(new RegExp('answered 403: <\\?xml.*<Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/.* '
      + 'is not authorized to perform: s3:GetObject on resource: &quot;arn:aws:s3:::cdk-hnb659fds-assets-123456789012-us-east-1/[0-9a-f]{64}\\.graphql&quot; '
      + 'because no identity-based policy allows the s3:GetObject action', 's'));
    expect(cfn!.s3Requests.map((r) => [r.status, r.code])).toEqual([[403, 'AccessDenied']]);
  });

  test('an explicit Deny wins over the grant', async () => {
    const result = await standIn().deploy(synthProbe({ asset: { content: 'schema', grant: 'deny' } }));
    expect(reasonOf(result)).toContain('with an explicit deny in an identity-based policy');
  });

  test('a signature not made with the role session\'s secret key: 403 SignatureDoesNotMatch', async () => {
    const result = await standIn().deploy(synthProbe({ asset: { content: 'schema', grant: 'asset' }, properties: { Sign: 'badsig' } }));
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(cfn!.s3Requests.map((r) => [r.status, r.code])).toEqual([[403, 'SignatureDoesNotMatch']]);
  });

  test('unsigned, or signed for another service: 403 AccessDenied', async () => {
    for (const sign of ['none', 'amplifybackend']) {
      const result = await standIn().deploy(synthProbe({ asset: { content: 'schema', grant: 'asset' }, properties: { Sign: sign } }));
      expect(result.status).toBe('ROLLBACK_COMPLETE');
      expect(cfn!.s3Requests.map((r) => [r.status, r.code])).toEqual([[403, 'AccessDenied']]);
      await cfn!.close();
    }
  });

  test('an update rollback still reads with the old template\'s policy: CloudFormation deletes dropped resources only after a successful update', async () => {
    const cloud = standIn();
    expectStatus(await cloud.deploy(synthProbe({ asset: { content: 'schema one', grant: 'object' } })), 'CREATE_COMPLETE');
    const result = await cloud.deploy(synthProbe({ asset: { content: 'schema two', grant: 'none' } }));
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // Create read "one"; the update was denied "two" (the old policy, still there, grants "one" only, the new
    // template nothing); the rollback read "one" again with the old policy, which the new template drops.
    expect(cloud.s3Requests.map((r) => r.status)).toEqual([200, 403, 200]);
    expect(cloud.requests.map((r) => [r.requestType, r.outcome])).toEqual([['Create', 'SUCCESS'], ['Update', 'FAILED'], ['Update', 'SUCCESS']]);
    expect(probeOf(result).data.Text).toBe('schema one');
  });

  test('IAM matching: wildcards, NotAction, conditions taken at their strictest', () => {
    expect(iamWildcard('s3:Get*', 'S3:GETOBJECT', true)).toBe(true);
    expect(iamWildcard('arn:aws:s3:::bucket/*.graphql', 'arn:aws:s3:::bucket/a/b.graphql', false)).toBe(true);
    expect(iamWildcard('arn:aws:s3:::bucket/?.json', 'arn:aws:s3:::bucket/ab.json', false)).toBe(false);
    expect(iamWildcard('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x', false)).toBe(false);
    const allow = (extra: object) => ({ Statement: [{ Effect: 'Allow', Resource: '*', ...extra }] });
    expect(evaluateIamPolicies([allow({ Action: 's3:*' })], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allowed');
    expect(evaluateIamPolicies([allow({ NotAction: 's3:GetObject' })], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('implicitDeny');
    expect(evaluateIamPolicies([allow({ Action: 's3:GetObject', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })], 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('implicitDeny');
  });
});

/**
 * The cause of a failure always reaches CloudFormation: the handler's errors are one line, cut to
 * a byte budget with a note saying where the full text is, with a short stack, so that the answer
 * the Provider framework builds from them stays under CloudFormation's 4,096 bytes.
 *
 * The answer is built by the real framework code of aws-cdk-lib (framework.js, cfn-response.js);
 * only its calls out (Lambda Invoke, the PUT to the response URL) are replaced: Invoke runs the
 * handler and answers as Lambda's Node.js runtime does (`errorMessage`, `trace` = the stack's
 * lines), and the PUT is captured.
 */
import * as path from 'node:path';
import { REASON_BUDGET_BYTES, cutToBudget, jsonBytes, toReportedError } from '../lambda/errors';
import { isComplete, onEvent } from '../lambda/index';
import { BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';
import type { BackendApiResourceProperties } from '../src/handler-contract';
import { AmplifyBackendEmulator } from './support/emulator';

// The framework's outbound.js loads these; its calls are replaced below.
jest.mock('@aws-sdk/client-lambda', () => ({}), { virtual: true });
jest.mock('@aws-sdk/client-sfn', () => ({}), { virtual: true });

const RUNTIME = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'custom-resources', 'lib', 'provider-framework', 'runtime');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const framework = require(path.join(RUNTIME, 'framework.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const outbound = require(path.join(RUNTIME, 'outbound.js'));

/** CloudFormation refuses a custom resource's answer over this many bytes. */
const CFN_RESPONSE_LIMIT = 4096;

const APP = 'd1a2b3c4d5e6f7';
const ENV = 'staging';
const API = 'blogapi';
// The longest names CloudFormation allows: a 128-character stack name, a 255-character logical ID.
const STACK_NAME = `S${'t'.repeat(127)}`;
const LOGICAL_ID = `Api${'x'.repeat(252)}`;
// Function names of Lambda's maximum length, 64 characters.
const ON_EVENT_FUNCTION = `arn:aws:lambda:us-east-1:123456789012:function:${'E'.repeat(64)}`;
const IS_COMPLETE_FUNCTION = `arn:aws:lambda:us-east-1:123456789012:function:${'C'.repeat(64)}`;

let emulator: AmplifyBackendEmulator;
let responses: string[];
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulator = await AmplifyBackendEmulator.start({ pollsUntilComplete: 1 });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALREASONSTEST',
    AWS_SECRET_ACCESS_KEY: 'local-reasons-test-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_AMPLIFYBACKEND: emulator.endpoint,
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Stack-AmplifyBackendProviderHandler-AbCdEf',
    USER_ON_EVENT_FUNCTION_ARN: ON_EVENT_FUNCTION,
    USER_IS_COMPLETE_FUNCTION_ARN: IS_COMPLETE_FUNCTION,
    WAITER_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:waiter',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});

afterAll(async () => {
  process.env = savedEnv;
  await emulator.stop();
});

beforeEach(() => {
  emulator.reset();
  emulator.addApp(APP, { environments: { [ENV]: { apis: { [API]: { apiName: 'blog' } } } } });
  responses = [];
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  // Lambda Invoke of the user function, answered as the Node.js runtime does.
  jest.spyOn(outbound, 'invokeFunction').mockImplementation(async (req: any) => {
    const event = JSON.parse(req.Payload);
    try {
      const result = await (req.FunctionName === IS_COMPLETE_FUNCTION ? isComplete(event) : onEvent(event));
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(result ?? null)) };
    } catch (e) {
      const err = e as Error;
      const payload = { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') };
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify(payload)) };
    }
  });
  jest.spyOn(outbound, 'httpRequest').mockImplementation(async (_options: unknown, body: unknown) => {
    responses.push(String(body));
  });
  jest.spyOn(outbound, 'startExecution').mockImplementation(async () => ({}));
});

afterEach(() => {
  jest.restoreAllMocks();
});

function request(properties: BackendApiResourceProperties, requestType: 'Create' | 'Update' = 'Update'): any {
  return {
    RequestType: requestType,
    ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws%3Acloudformation/x?X-Amz-Signature=0',
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${STACK_NAME}/5b0e7f20-0000-11ef-8000-0a1b2c3d4e5f`,
    RequestId: '5b0e7f20-0000-4000-8000-0a1b2c3d4e5f',
    ResourceType: BACKEND_API_RESOURCE_TYPE,
    LogicalResourceId: LOGICAL_ID,
    PhysicalResourceId: `${APP}/${ENV}/${API}`,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent', ...properties },
    OldResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent', ...properties },
  };
}

const props: BackendApiResourceProperties = { AppId: APP, BackendEnvironmentName: ENV, ResourceName: API, ResourceConfig: { DefaultAuthType: { Mode: 'AWS_IAM' } } };

/** The answer the framework sent CloudFormation. */
function answer(): { Status: string; Reason: string } {
  expect(responses).toHaveLength(1);
  return JSON.parse(responses[0]);
}

test('a job that FAILED with a 20 KB multi-line error: the reason is cut and the answer fits in 4,096 bytes; the log has the full text', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i}: Type "Comment${i}" — référencé par "Post" — n'existe pas \\ 🚫`);
  const jobError = `Schema validation failed:\n${lines.join('\n')}`;
  emulator.failNextJob(jobError);
  // On-event starts the job; the framework's is-complete runs the handler's is-complete.
  const waiting = { ...request(props), ...(await onEvent(request(props))) };

  await framework.isComplete(waiting);

  const body = responses[0];
  expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(CFN_RESPONSE_LIMIT);
  const { Status, Reason } = answer();
  expect(Status).toBe('FAILED');
  const [message, empty, logs] = Reason.split('\n');
  expect(message).toMatch(/^The Amplify job [0-9a-f-]+ \(UpdateBackendAPI\) for app d1a2b3c4d5e6f7, environment staging, API blogapi FAILED: Schema validation failed: \| line 0: Type "Comment0"/);
  expect(message).toMatch(/ \.\.\. \(cut: full text in the handler's log group \/aws\/lambda\/Stack-AmplifyBackendProviderHandler-AbCdEf\)$/);
  expect(jsonBytes(message)).toBeLessThanOrEqual(REASON_BUDGET_BYTES);
  expect([empty, logs]).toEqual(['', `Logs: /aws/lambda/${'C'.repeat(64)}`]);
  // The message is not repeated in the trace, which is two frames.
  expect(Reason.split('\n').slice(4)).toEqual([expect.stringMatching(/^\s+at /), expect.stringMatching(/^\s+at /)]);
  const logged = (console.log as jest.Mock).mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{"handler":"isComplete"'));
  expect(JSON.parse(logged[logged.length - 1]).error).toContain(lines[199]);
});

test('several broken rules: one line, each rule once in the reason, however the framework adds the trace', async () => {
  const bad: BackendApiResourceProperties = { ...props, BackendEnvironmentName: 'my env', ResourceName: 'blog-api' };

  await framework.onEvent(request(bad, 'Create'));

  const { Status, Reason } = answer();
  expect(Status).toBe('FAILED');
  expect(Reason.split('\n')[0]).toMatch(/^2 problems: \(1\) BackendApiConfig: invalid backendEnvironmentName \(got "my env"\).* \(2\) BackendApiConfig: invalid resourceName \(got "blog-api"\)/);
  expect(Reason.match(/invalid resourceName/g)).toHaveLength(1);
  expect(Buffer.byteLength(responses[0], 'utf8')).toBeLessThanOrEqual(CFN_RESPONSE_LIMIT);
});

describe('cutToBudget', () => {
  test('text within the budget is kept whole', () => {
    expect(cutToBudget('short reason')).toBe('short reason');
  });

  test.each([
    ['ASCII', 'x'],
    ['quotes and backslashes (two bytes each in JSON)', '"\\'],
    ['two-byte characters', 'é'],
    ['characters outside the BMP (surrogate pairs)', '🚀'],
    ['control characters (six bytes each in JSON)', '\u0001'],
  ])('%s: cut on a character boundary, within the budget as written in JSON, with the note', (_what, unit) => {
    const cut = cutToBudget(unit.repeat(5000));
    expect(jsonBytes(cut)).toBeLessThanOrEqual(REASON_BUDGET_BYTES);
    expect(jsonBytes(cut)).toBeGreaterThan(REASON_BUDGET_BYTES - 10);
    expect(cut).toMatch(/ \.\.\. \(cut: full text in the handler's log group \/aws\/lambda\/Stack-AmplifyBackendProviderHandler-AbCdEf\)$/);
    // No lone surrogate: the text survives a round trip through UTF-8.
    expect(Buffer.from(cut, 'utf8').toString('utf8')).toBe(cut);
  });

  test('without AWS_LAMBDA_LOG_GROUP_NAME the note names the function\'s default log group, or the log', () => {
    const saved = { group: process.env.AWS_LAMBDA_LOG_GROUP_NAME, fn: process.env.AWS_LAMBDA_FUNCTION_NAME };
    try {
      delete process.env.AWS_LAMBDA_LOG_GROUP_NAME;
      process.env.AWS_LAMBDA_FUNCTION_NAME = 'handler-fn';
      expect(cutToBudget('y'.repeat(3000))).toMatch(/in the handler's log group \/aws\/lambda\/handler-fn\)$/);
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      expect(cutToBudget('y'.repeat(3000))).toMatch(/in the handler's log\)$/);
    } finally {
      process.env.AWS_LAMBDA_LOG_GROUP_NAME = saved.group;
      if (saved.fn !== undefined) process.env.AWS_LAMBDA_FUNCTION_NAME = saved.fn;
    }
  });
});

test('toReportedError: one line, a stack of the message and at most two frames', () => {
  const reported = toReportedError(new Error('first line\n  second line\r\nthird'));

  expect(reported.message).toBe('first line | second line | third');
  const stack = String(reported.stack).split('\n');
  expect(stack[0]).toBe('Error: first line | second line | third');
  expect(stack.slice(1)).toEqual([expect.stringMatching(/^\s+at /), expect.stringMatching(/^\s+at /)]);
  expect(toReportedError('thrown string').message).toBe('thrown string');
});

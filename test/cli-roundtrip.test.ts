/**
 * The CLI against the local AmplifyBackend emulator, as users run it: the bundled
 * `assets/cli/index/index.js` as a child process, with the SDK's standard configuration
 * (AWS_ENDPOINT_URL_AMPLIFYBACKEND, fake credentials, AWS_REGION).
 *
 * Round trip: `import` a live API -> synthesize the generated module -> deploy it through the
 * local CloudFormation stand-in (test/support/lifecycle.ts, the real bundled handler) -> `diff`
 * finds no difference and the deployment left the API as it was; then a change made out of band
 * (as the Admin UI would) -> `diff` names exactly that member and exits 1. And every error exits
 * 2 with one line that says what to fix.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { main } from '../cli/main';
import { EXAMPLE_STACK, createExampleApp } from '../examples/app';
import { APP_ID, CliRun, POOL, REPO, SCHEMA, STAGING_API, captureIo, loadGeneratedModule, removeTmpDirs, runCli, synthStack, tmpDir, toWire } from './cli-fixtures/support';
import { AmplifyBackendEmulator, RecordedRequest, WireResourceConfig } from './support/emulator';
import { LocalCloudFormation, LocalCloudFormationOptions } from './support/lifecycle';

const STACK = 'Adopted';
/** The example app's staging API, as the service stores it. */
const STAGING = toWire(STAGING_API);
/** The example app's prod API. */
const PROD: WireResourceConfig = {
  apiName: 'blog',
  service: 'AppSync',
  defaultAuthType: {
    mode: 'OPENID_CONNECT',
    settings: { openIDProviderName: 'Auth0', openIDIssueURL: 'https://example.auth0.com/', openIDClientId: 'blog-web', openIDAuthTTL: '3600000' },
  },
  additionalAuthTypes: [],
  conflictResolution: { resolutionStrategy: 'OPTIMISTIC_CONCURRENCY' },
};

let emulator: AmplifyBackendEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await AmplifyBackendEmulator.start();
  env = { AWS_ENDPOINT_URL_AMPLIFYBACKEND: emulator.endpoint };
});
afterAll(async () => {
  await emulator.stop();
  removeTmpDirs();
});
/** The emulator holding only the example app's two APIs, as they are before each test. */
function seed(): void {
  emulator.reset();
  emulator.addApp(APP_ID, { environments: { staging: { apis: { blogapi: STAGING } }, prod: { apis: { blogapi: PROD } } } });
}
beforeEach(seed);

/** `cdk-amplify-backend import` of an API into `<dir>/<file>`; returns the generated module's exports. */
async function importApi(envName: string, file: string, extra: string[] = []): Promise<{ run: CliRun; module: Record<string, any> }> {
  const run = await runCli(['import', '--app-id', APP_ID, '--env', envName, '--resource', 'blogapi', '--out', file, ...extra], env);
  expect({ code: run.code, stderr: run.code ? run.stderr : '' }).toEqual({ code: 0, stderr: '' });
  return { run, module: loadGeneratedModule(file) };
}

/** Deploys a cloud assembly through the local CloudFormation stand-in against the emulator; returns the UpdateBackendAPI requests it made. */
async function deploy(cdkOut: string, stackName = STACK): Promise<RecordedRequest[]> {
  emulator.clearRequests();
  // Fast polling where the stand-in waits in real time; it is ignored where it does not.
  const fast: Partial<LocalCloudFormationOptions> = { pollIntervalMs: 10 };
  const cfn = new LocalCloudFormation({ stackName, endpoint: emulator.endpoint, ...fast });
  const result = await cfn.deploy(cdkOut);
  expect({ status: result.status, reason: result.reason }).toEqual({ status: 'CREATE_COMPLETE', reason: undefined });
  return emulator.requests('UpdateBackendAPI');
}

/** The rows of diff's tables: [member, declared, live]. */
function rows(stdout: string): string[][] {
  return stdout.split('\n').filter((l) => /^ {2}\S/.test(l) && !/^ {2}(member|unresolved|transformSchema:) /.test(l)).map((l) => l.trim().split(/ {2,}/));
}

/** The last line of stderr, which must be the only error line. */
function errorLine(run: { stderr: string }): string {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
  return lines[lines.length - 1];
}

describe('round trip: import, synthesize, deploy, diff', () => {
  test('the staging API of the example app: no difference after the deploy, and the deploy changed nothing', async () => {
    const dir = tmpDir('cli-roundtrip-');
    const file = path.join(dir, 'blogapi.ts');
    const { run, module } = await importApi('staging', file);
    expect(run.stdout).toBe(`${file}\n`);
    expect(run.stderr).toBe([
      `Reading app ${APP_ID}, environment staging, API blogapi in us-east-1 (GetBackendAPI)...`,
      `Wrote ${file} (class BlogapiBackendApi).`,
      '',
    ].join('\n'));
    expect(emulator.requests().map((r) => [r.operation, r.status, r.region, r.accessKeyId])).toEqual([['GetBackendAPI', 200, 'us-east-1', 'AKIDCLITEST']]);

    const before = emulator.getApiConfig(APP_ID, 'staging', 'blogapi');
    const cdkOut = synthStack(STACK, (stack) => new module.BlogapiBackendApi(stack, 'Blogapi'));
    expect(await deploy(cdkOut)).toHaveLength(1);
    // The deployment did apply the settings (one update, completed) ...
    expect(emulator.jobs({ operation: 'UpdateBackendAPI' }).map((j) => j.status)).toEqual(['COMPLETED']);
    // ... and they are what the API already had.
    expect(emulator.getApiConfig(APP_ID, 'staging', 'blogapi')).toEqual(before);

    const diff = await runCli(['diff', cdkOut], env);
    expect({ code: diff.code, stdout: diff.stdout }).toEqual({
      code: 0,
      stdout: [
        `${STACK}/Blogapi/Resource (app ${APP_ID}, environment staging, API blogapi): no difference (9 members compared)`,
        '',
        '1 API checked, 0 differences.',
        '',
      ].join('\n'),
    });

    // Out of band, as the Admin UI would: the API key now lasts 90 days.
    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', {
      ...before,
      additionalAuthTypes: [{ mode: 'API_KEY', settings: { description: 'public read', expirationTime: 90 } }, { mode: 'AWS_IAM' }],
    });
    const drift = await runCli(['diff', cdkOut], env);
    expect(drift.code).toBe(1);
    expect(rows(drift.stdout)).toEqual([['additionalAuthTypes[API_KEY].settings.expirationTime', '30', '90']]);
    expect(drift.stdout).toContain(`${STACK}/Blogapi/Resource (app ${APP_ID}, environment staging, API blogapi): 1 difference\n`);
    expect(drift.stdout.trimEnd().split('\n').pop()).toBe('1 API checked, 1 difference.');
  }, 120_000);

  test('two APIs, one stack: each imported, deployed together; a drift in one is reported for that one', async () => {
    const dir = tmpDir('cli-roundtrip-');
    const staging = await importApi('staging', path.join(dir, 'staging.ts'), ['--class-name', 'StagingApi']);
    const prod = await importApi('prod', path.join(dir, 'prod.ts'), ['--class-name', 'ProdApi']);
    const before = emulator.getApiConfigs(APP_ID, 'prod');
    const cdkOut = synthStack(STACK, (stack) => {
      new staging.module.StagingApi(stack, 'Staging');
      new prod.module.ProdApi(stack, 'Prod');
    });
    // Both APIs were sent their settings, and prod's are what it had.
    expect((await deploy(cdkOut)).map((r) => r.labels.BackendEnvironmentName).sort()).toEqual(['prod', 'staging']);
    expect(emulator.jobs({ operation: 'UpdateBackendAPI' }).map((j) => j.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(emulator.getApiConfigs(APP_ID, 'prod')).toEqual(before);
    expect((await runCli(['diff', cdkOut], env)).code).toBe(0);

    emulator.setApiConfig(APP_ID, 'prod', 'blogapi', { ...PROD, conflictResolution: { resolutionStrategy: 'AUTOMERGE' } });
    const drift = await runCli(['diff', cdkOut, '--stack', STACK], env);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain(`${STACK}/Staging/Resource (app ${APP_ID}, environment staging, API blogapi): no difference`);
    expect(rows(drift.stdout)).toEqual([['conflictResolution.resolutionStrategy', '"OPTIMISTIC_CONCURRENCY"', '"AUTOMERGE"']]);
  }, 120_000);

  test('a schema too large to inline: written beside the module, shipped as an asset, read back by diff', async () => {
    const dir = tmpDir('cli-roundtrip-');
    const big = `${'# a comment line that makes the schema larger than 32 KiB\n'.repeat(700)}${SCHEMA}`;
    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', { ...STAGING, transformSchema: big });
    const file = path.join(dir, 'blogapi.ts');
    const { run, module } = await importApi('staging', file);
    expect(run.stdout).toBe(`${file}\n${path.join(dir, 'blogapi.graphql')}\n`);
    expect(fs.readFileSync(path.join(dir, 'blogapi.graphql'), 'utf8')).toBe(big);
    expect(fs.readFileSync(file, 'utf8')).toContain('transformSchema: ApiSchema.fromFile(path.join(__dirname, \'blogapi.graphql\')),');
    const cdkOut = synthStack(STACK, (stack) => new module.BlogapiBackendApi(stack, 'Blogapi'));
    const before = emulator.getApiConfig(APP_ID, 'staging', 'blogapi');
    // The handler read the schema from the asset and sent it.
    expect((await deploy(cdkOut)).map((r) => (r.body as { resourceConfig?: WireResourceConfig }).resourceConfig?.transformSchema)).toEqual([big]);
    expect(emulator.getApiConfig(APP_ID, 'staging', 'blogapi')).toEqual(before);
    expect((await runCli(['diff', cdkOut], env)).code).toBe(0);

    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', { ...STAGING, transformSchema: big.replace('title: String!', 'title: String') });
    const drift = await runCli(['diff', cdkOut], env);
    expect(drift.code).toBe(1);
    expect(rows(drift.stdout).map((r) => r[0])).toEqual(['transformSchema']);
    expect(drift.stdout).toContain('  transformSchema: first difference at line 703: declared "  title: String!", live "  title: String"\n');
  }, 120_000);
});

describe('diff names exactly the member changed out of band', () => {
  let cdkOut: string;
  beforeAll(async () => {
    seed();
    const dir = tmpDir('cli-drift-');
    const { module } = await importApi('staging', path.join(dir, 'blogapi.ts'));
    cdkOut = synthStack(STACK, (stack) => new module.BlogapiBackendApi(stack, 'Blogapi'));
  }, 60_000);

  const changes: Array<[string, WireResourceConfig, string[][]]> = [
    ['the API name', { apiName: 'blog2' }, [['apiName', '"blog"', '"blog2"']]],
    ['the conflict strategy', { conflictResolution: { resolutionStrategy: 'LAMBDA' } }, [['conflictResolution.resolutionStrategy', '"AUTOMERGE"', '"LAMBDA"']]],
    ['the user pool', { defaultAuthType: { mode: 'AMAZON_COGNITO_USER_POOLS', settings: { cognitoUserPoolId: 'us-east-1_Other' } } },
      [['defaultAuthType.settings.cognitoUserPoolId', `"${POOL}"`, '"us-east-1_Other"']]],
    ['the API key\'s description', { additionalAuthTypes: [{ mode: 'API_KEY', settings: { description: 'read', expirationTime: 30 } }, { mode: 'AWS_IAM' }] },
      [['additionalAuthTypes[API_KEY].settings.description', '"public read"', '"read"']]],
    ['an additional mode removed', { additionalAuthTypes: [{ mode: 'API_KEY', settings: { description: 'public read', expirationTime: 30 } }] },
      [['additionalAuthTypes[AWS_IAM]', '{}', '(not set)']]],
    ['an additional mode added', {
      additionalAuthTypes: [
        { mode: 'AWS_IAM' },
        { mode: 'API_KEY', settings: { description: 'public read', expirationTime: 30 } },
        { mode: 'OPENID_CONNECT', settings: { openIDProviderName: 'Okta', openIDIssueURL: 'https://o.example/' } },
      ],
    }, [['additionalAuthTypes[OPENID_CONNECT]', '(not set)', '{"openIDIssueURL":"https://o.example/","openIDProviderNam...']]],
    ['the default mode', { defaultAuthType: { mode: 'AWS_IAM' } }, [
      ['defaultAuthType.mode', '"AMAZON_COGNITO_USER_POOLS"', '"AWS_IAM"'],
      ['defaultAuthType.settings.cognitoUserPoolId', `"${POOL}"`, '(not set)'],
    ]],
    ['the service', { service: 'Other' }, [['service', '"AppSync"', '"Other"']]],
    ['the schema', { transformSchema: SCHEMA.replace('ID!', 'ID') }, [['transformSchema', expect.stringMatching(/^\(schema: 120 bytes/), expect.stringMatching(/^\(schema: 119 bytes/)]]],
  ];

  test.each(changes)('%s', async (_name, change, expected) => {
    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', { ...STAGING, ...change });
    const { code, out, err } = await inProcess(['diff', cdkOut]);
    expect({ code, err }).toEqual({ code: 1, err: expect.stringMatching(/^Found 1 BackendApiConfig in 1 of 1 stack\(s\) of /) });
    expect(rows(out)).toEqual(expected);
  });
});

/** `main()` in this process, against the emulator. */
async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = captureIo();
  const code = await main(args, io, { clientConfig: { endpoint: emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDCLITEST', secretAccessKey: 'secret' } } });
  return { code, out: out(), err: err() };
}

describe('the example app (examples/app.ts)', () => {
  test('its user pool is unresolved until given; a new revision shows what its deploy would change', async () => {
    const synthExample = (revision: number) => {
      const outdir = tmpDir('cli-example-');
      createExampleApp({ outdir, revision }).synth();
      return outdir;
    };
    const rev1 = synthExample(1);
    await deploy(rev1, EXAMPLE_STACK);
    // The deployment applied the stack's own user pool (its physical ID comes from the stand-in).
    const poolId = emulator.getApiConfig(APP_ID, 'staging', 'blogapi')!.defaultAuthType!.settings!.cognitoUserPoolId!;

    const unresolved = await inProcess(['diff', rev1]);
    expect(unresolved.code).toBe(1);
    const ref = /\(unresolved: Ref (AdminUsers[0-9A-F]{8})\)/.exec(unresolved.out)![1];
    expect(rows(unresolved.out)).toEqual([['defaultAuthType.settings.cognitoUserPoolId', `(unresolved: Ref ${ref})`, `"${poolId}"`]]);
    expect(unresolved.err).toContain('1 declared member(s) could not be resolved and were not compared; supply them (see above), or pass --ignore-unresolved.\n');
    expect((await inProcess(['diff', rev1, '--ignore-unresolved'])).code).toBe(0);
    const clean = await inProcess(['diff', rev1, '--value', `${ref}=${poolId}`]);
    expect(clean).toEqual({ code: 0, out: expect.stringMatching(/^2 APIs checked, 0 differences\.$/m), err: expect.any(String) });

    // Revision 2 (not deployed): what its deployment would change.
    const rev2 = await inProcess(['diff', synthExample(2), '--value', `${ref}=${poolId}`, '--stack', EXAMPLE_STACK]);
    expect(rev2.code).toBe(1);
    expect(rows(rev2.out)).toEqual([
      ['conflictResolution.resolutionStrategy', '"OPTIMISTIC_CONCURRENCY"', '"AUTOMERGE"'],
      ['additionalAuthTypes[API_KEY].settings.expirationTime', '90', '30'],
    ]);
  }, 120_000);
});

describe('in this process', () => {
  test('import to a file and to stdout; help', async () => {
    const file = path.join(tmpDir(), 'lib', 'staging.py');
    const written = await inProcess(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi', '--out', file, '--class-name', 'Staging']);
    expect(written).toEqual({ code: 0, out: `${file}\n`, err: expect.stringContaining(`Wrote ${file} (class Staging).`) });
    expect(fs.readFileSync(file, 'utf8')).toContain('class Staging(Construct):');
    const printed = await inProcess(['import', '--app-id', APP_ID, '--env', 'prod', '--resource', 'blogapi']);
    expect(printed.code).toBe(0);
    expect(printed.out).toContain('export class BlogapiBackendApi extends Construct {');
    for (const args of [['--help'], ['import', '-h'], ['diff', '--help']]) expect((await inProcess(args)).code).toBe(0);
    expect(await inProcess([])).toEqual({ code: 2, out: expect.stringContaining('Usage:'), err: '' });
    expect(await inProcess(['diff', '--account', 'x'])).toEqual({ code: 2, out: '', err: 'error: --account "x" is not a 12-digit AWS account ID (see "cdk-amplify-backend diff --help")\n' });
    expect((await inProcess(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi', '--class-name', '1x'])).err).toMatch(/^error: --class-name "1x" is not a class name/);
    expect((await inProcess(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi', '--language', 'go'])).err).toMatch(/^error: --language must be typescript or python, got "go"/);
    expect((await inProcess(['diff', 'a', 'b'])).err).toMatch(/^error: unexpected argument "b"/);
  });
});

describe('import', () => {
  test('Python to stdout, ready for py_compile', async () => {
    const run = await runCli(['import', '--app-id', APP_ID, '--env', 'prod', '--resource', 'blogapi', '--language', 'python'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain([
      '            default_auth_type=ApiAuth.open_id_connect(',
      '                provider_name="Auth0",',
      '                issuer_url="https://example.auth0.com/",',
      '                client_id="blog-web",',
      '                auth_ttl=Duration.millis(3600000),',
      '            ),',
      '            conflict_resolution=ConflictResolutionStrategy.OPTIMISTIC_CONCURRENCY,',
    ].join('\n'));
    expect(run.stderr).toBe(`Reading app ${APP_ID}, environment prod, API blogapi in us-east-1 (GetBackendAPI)...\n`);
  }, 60_000);

  test('settings the construct cannot express are named on stderr and in the module', async () => {
    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', { ...STAGING, additionalAuthTypes: [{ mode: 'API_KEY', settings: { expirationTime: 7.5 } }] });
    const run = await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi'], env);
    expect(run.code).toBe(0);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toEqual([
      'warning: the construct would reject it: invalid additionalAuthTypes[0] ApiAuth.apiKey({ expiration }) (got 7.5 days): '
      + 'the API key expiration must be a whole number of days from 1 to 365, e.g. Duration.days(30).',
      'warning: The auth modes (default AMAZON_COGNITO_USER_POOLS, additional API_KEY) are therefore left out of the code, so the API keeps them; declare them yourself once the above is settled.',
    ]);
    expect(run.stdout).toContain('// Not reproduced here (also printed by the import):');
    expect(run.stdout).not.toContain('defaultAuthType:');
  }, 60_000);

  test('members the SDK does not know, answered by the service, are named', async () => {
    // A stand-in for a newer service that returns members this SDK's model lacks.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({
          appId: APP_ID,
          backendEnvironmentName: 'staging',
          resourceName: 'blogapi',
          resourceConfig: { ...STAGING, mergedApiArn: 'arn:x', defaultAuthType: { ...STAGING.defaultAuthType, settings: { cognitoUserPoolId: POOL, appIdClientRegex: '.*' } } },
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const run = await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi'], {
        AWS_ENDPOINT_URL_AMPLIFYBACKEND: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('warning: the service returned members the construct does not know: resourceConfig.defaultAuthType.settings.appIdClientRegex.\n');
      expect(run.stderr).toContain('warning: the service returned members the construct does not know: resourceConfig.mergedApiArn; it is left out of the code, so the API keeps it.\n');
      expect(run.stdout).toContain('apiName: \'blog\',');
    } finally {
      server.close();
    }
  }, 60_000);
});

describe('errors exit 2 with one line that says what to fix', () => {
  const importArgs = ['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi'];
  const cases: Array<[string, string[], Record<string, string | undefined>, RegExp]> = [
    ['a missing option', ['import', '--app-id', APP_ID], {}, /^error: --env is required \(the backend environment, e.g\. staging\) \(see "cdk-amplify-backend import --help"\)$/],
    ['an unknown option', [...importArgs, '--output', 'x.ts'], {}, /^error: Unknown option '--output' \(see "cdk-amplify-backend import --help"\)$/],
    ['an app name instead of its ID', ['import', '--app-id', 'MyBlog', '--env', 'staging', '--resource', 'blogapi'], {}, /^error: --app-id "MyBlog" is not an Amplify app ID/],
    ['an unknown command', ['export'], {}, /^error: unknown command "export"; the commands are import and diff \(see "cdk-amplify-backend --help"\)$/],
    ['a language that does not match --out', [...importArgs, '--language', 'python', '--out', 'x.ts'], {}, /^error: --out x\.ts is a typescript file name but --language is python/],
    ['an API that does not exist', ['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'nope'], {},
      new RegExp('^error: GetBackendAPI failed for app d1a2b3c4d5e6f7, environment staging, API nope: NotFoundException: '
        + 'API resource \'nope\' not found in backend environment \'staging\' of app \'d1a2b3c4d5e6f7\'\\. Check the app ID, the environment and the API name')],
    ['no credentials', importArgs, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }, /^error: no AWS credentials: .*Set AWS_PROFILE \(or pass --profile\)/],
    ['no region', importArgs, { AWS_REGION: undefined }, /^error: no AWS region: pass --region, or set AWS_REGION/],
    ['an endpoint nobody answers', importArgs, { AWS_ENDPOINT_URL_AMPLIFYBACKEND: 'http://127.0.0.1:9' },
      /^error: GetBackendAPI failed for app d1a2b3c4d5e6f7, environment staging, API blogapi: could not reach AmplifyBackend at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/],
    ['no cloud assembly', ['diff', '/nonexistent/cdk.out'], {}, /^error: no cloud assembly in \/nonexistent\/cdk\.out \(no manifest\.json\): run "cdk synth" first/],
    ['a --parameter without a value', ['diff', '--parameter', 'Env'], {}, /^error: --parameter takes NAME=VALUE, got "Env" \(see "cdk-amplify-backend diff --help"\)$/],
  ];

  test.each(cases)('%s', async (_name, args, extraEnv, message) => {
    const run = await runCli(args, { ...env, ...extraEnv });
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
    expect(errorLine(run)).toMatch(message);
  }, 60_000);

  test('the service answers with an error', async () => {
    emulator.injectResponseError('GetBackendAPI', 'Backend is being migrated');
    const run = await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi'], env);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(`error: GetBackendAPI failed for app ${APP_ID}, environment staging, API blogapi: the service answered with an error: Backend is being migrated`);
  }, 60_000);

  test('diff of a construct whose API does not exist names the construct', async () => {
    emulator.reset();
    emulator.addApp(APP_ID, { environments: { staging: {} } });
    const cdkOut = synthStack(STACK, (stack) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { BackendApiConfig, ConflictResolutionStrategy } = require('../src');
      new BackendApiConfig(stack, 'Gone', { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', conflictResolution: ConflictResolutionStrategy.NONE });
    });
    const run = await runCli(['diff', cdkOut], env);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toMatch(new RegExp(`^error: ${STACK}/Gone: GetBackendAPI failed for app ${APP_ID}, environment staging, API blogapi: NotFoundException:`));
  }, 60_000);

  test('import never overwrites a file unless told to', async () => {
    const file = path.join(tmpDir(), 'blogapi.ts');
    fs.writeFileSync(file, '// mine');
    const run = await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi', '--out', file], env);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe(`error: ${file} exists; pass --force to overwrite it, or choose another --out.`);
    expect(fs.readFileSync(file, 'utf8')).toBe('// mine');
    expect(emulator.requests()).toEqual([]); // nothing read before the arguments were checked
    expect((await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi', '--out', file, '--force'], env)).code).toBe(0);
  }, 60_000);

  test('a schema too large to inline needs --out', async () => {
    emulator.setApiConfig(APP_ID, 'staging', 'blogapi', { ...STAGING, transformSchema: `${'#\n'.repeat(20_000)}${SCHEMA}` });
    const run = await runCli(['import', '--app-id', APP_ID, '--env', 'staging', '--resource', 'blogapi'], env);
    expect(run.code).toBe(2);
    expect(errorLine(run)).toBe('error: the schema has 40,120 bytes, too large to inline (over 32 KiB): pass --out FILE so that it can be written to a .graphql file beside the module.');
  }, 60_000);
});

describe('help', () => {
  test.each([['import'], ['diff']])('%s --help: usage, options and exit codes, on stdout', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: cdk-amplify-backend ${command} `));
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toContain('AWS_ENDPOINT_URL_AMPLIFYBACKEND');
    expect(run.stderr).toBe('');
  }, 60_000);

  test('no command: the overview, exit 2; --help: exit 0', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:\n  import ');
    expect((await runCli(['--help'])).code).toBe(0);
    expect((await runCli(['--version'])).stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}\n`);
  }, 60_000);
});

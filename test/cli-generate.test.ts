/**
 * `cdk-amplify-backend import`'s generator (cli/generate.ts): every auth mode and setting in
 * TypeScript and Python; the TypeScript compiled by `tsc` and the Python by `python3 -m
 * py_compile`; every TypeScript module synthesized and compared by `diff`'s own code with the
 * API it came from (no member may differ); and each setting the construct cannot express named
 * in a warning and left out, never dropped silently.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { BackendAPIResourceConfig } from '@aws-sdk/client-amplifybackend';
import { runDiff } from '../cli/diff';
import { GeneratedModule, Language, blockLiteral, classNameFor, generate, stringLiteral } from '../cli/generate';
import type { ApiReader, LiveApi } from '../cli/service';
import { BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';
import { APP_ID, POOL, REPO, SCHEMA, STAGING_API, liveApi, loadGeneratedModule, removeTmpDirs, synthStack, tmpDir } from './cli-fixtures/support';

afterAll(removeTmpDirs);

/** Every character a string literal must escape, in both languages. */
const NASTY = 'a `tick` ${notInterpolated} \\back\\slash \'single\' "double" """triple""" \r\n\ttab \u2028 \u0007 é 😀 end"';

/** Every auth mode with every setting, every conflict strategy, and the other members. */
const VARIANTS: Record<string, BackendAPIResourceConfig> = {
  staging: STAGING_API,
  apiKeyBare: { DefaultAuthType: { Mode: 'API_KEY' }, ConflictResolution: { ResolutionStrategy: 'OPTIMISTIC_CONCURRENCY' } },
  apiKeyDescription: { DefaultAuthType: { Mode: 'API_KEY', Settings: { Description: NASTY.replace(/[\r\n\t\u0007\u2028]/g, '') } } },
  apiKeyExpiration: { DefaultAuthType: { Mode: 'API_KEY', Settings: { ExpirationTime: 365 } }, AdditionalAuthTypes: [] },
  iam: { DefaultAuthType: { Mode: 'AWS_IAM' }, ConflictResolution: { ResolutionStrategy: 'LAMBDA' } },
  oidcFull: {
    DefaultAuthType: {
      Mode: 'OPENID_CONNECT',
      Settings: {
        OpenIDProviderName: 'Auth0',
        OpenIDIssueURL: 'https://example.auth0.com/',
        OpenIDClientId: 'blog-web',
        OpenIDAuthTTL: '3600000',
        OpenIDIatTTL: '300000',
      },
    },
    AdditionalAuthTypes: [{ Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: POOL } }, { Mode: 'API_KEY' }, { Mode: 'AWS_IAM' }],
    ConflictResolution: { ResolutionStrategy: 'NONE' },
  },
  oidcMinimal: { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Okta', OpenIDIssueURL: 'https://example.okta.com/oauth2/default' } } },
  nameOnly: { ApiName: 'only the name' },
  nothing: {},
  nastySchema: { TransformSchema: NASTY, Service: 'AppSync' },
  largeSchema: { TransformSchema: `# ${'x'.repeat(80)}\n`.repeat(500) + SCHEMA, ApiName: 'big' },
};

/** A reader that answers from a fixture instead of the service. */
function fixedReader(api: LiveApi): ApiReader {
  return { read: async () => api, region: async () => 'us-east-1', destroy: () => undefined } as unknown as ApiReader;
}

/** Writes `name`'s module in `lang` into `dir` as `import --out` does; returns the module. */
function write(dir: string, name: string, config: BackendAPIResourceConfig, lang: Language): GeneratedModule {
  const file = `${name}.${lang === 'python' ? 'py' : 'ts'}`;
  const m = generate(liveApi(config, { resourceName: name }), { language: lang, moduleFileName: file });
  fs.writeFileSync(path.join(dir, file), m.code);
  if (m.schemaFile) fs.writeFileSync(path.join(dir, m.schemaFile.name), m.schemaFile.content);
  return m;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout: 240_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('the module for the example app\'s staging API', () => {
  const m = generate(liveApi(VARIANTS.staging), { language: 'typescript' });

  test('is the expected TypeScript, with every setting', () => {
    expect(m.warnings).toEqual([]);
    expect(m.className).toBe('BlogapiBackendApi');
    expect(m.code).toContain([
      'import { Duration } from \'aws-cdk-lib\';',
      'import * as cognito from \'aws-cdk-lib/aws-cognito\';',
      'import { ApiAuth, ApiSchema, BackendApiConfig, ConflictResolutionStrategy } from \'cdk-amplify-backend\';',
      'import { Construct } from \'constructs\';',
    ].join('\n'));
    expect(m.code).toContain([
      '    this.api = new BackendApiConfig(this, \'Resource\', {',
      `      appId: '${APP_ID}',`,
      '      backendEnvironmentName: \'staging\',',
      '      resourceName: \'blogapi\',',
      '      apiName: \'blog\',',
      '      service: \'AppSync\',',
      '      transformSchema: ApiSchema.fromString(SCHEMA),',
      '      defaultAuthType: ApiAuth.userPool(',
      `        cognito.UserPool.fromUserPoolId(this, 'UserPool', '${POOL}'),`,
      '      ),',
      '      additionalAuthTypes: [',
      '        ApiAuth.apiKey({ description: \'public read\', expiration: Duration.days(30) }),',
      '        ApiAuth.iam(),',
      '      ],',
      '      conflictResolution: ConflictResolutionStrategy.AUTOMERGE,',
      '    });',
    ].join('\n'));
    expect(m.code).toContain(`const SCHEMA = \`\\\n${SCHEMA}\`;`);
    expect(m.code).toContain('new BlogapiBackendApi(this, \'Blogapi\');');
  });

  test('is the expected Python', () => {
    const py = generate(liveApi(VARIANTS.staging), { language: 'python' });
    expect(py.code).toContain([
      'from aws_cdk import Duration',
      'from aws_cdk import aws_cognito as cognito',
      'from cdk_amplify_backend import ApiAuth, ApiSchema, BackendApiConfig, ConflictResolutionStrategy',
      'from constructs import Construct',
    ].join('\n'));
    expect(py.code).toContain('class BlogapiBackendApi(Construct):');
    expect(py.code).toContain([
      '        self.api = BackendApiConfig(',
      '            self,',
      '            "Resource",',
      `            app_id="${APP_ID}",`,
      '            backend_environment_name="staging",',
      '            resource_name="blogapi",',
      '            api_name="blog",',
      '            service="AppSync",',
      '            transform_schema=ApiSchema.from_string(SCHEMA),',
      '            default_auth_type=ApiAuth.user_pool(',
      `                cognito.UserPool.from_user_pool_id(self, "UserPool", "${POOL}"),`,
      '            ),',
      '            additional_auth_types=[',
      '                ApiAuth.api_key(description="public read", expiration=Duration.days(30)),',
      '                ApiAuth.iam(),',
      '            ],',
      '            conflict_resolution=ConflictResolutionStrategy.AUTOMERGE,',
      '        )',
    ].join('\n'));
    expect(py.code).toContain(`SCHEMA = """\\\n${SCHEMA}"""`);
  });
});

describe('every auth mode and setting', () => {
  test('OpenID Connect with all its settings, TTLs in milliseconds', () => {
    const m = generate(liveApi(VARIANTS.oidcFull), { language: 'typescript' });
    expect(m.code).toContain([
      '      defaultAuthType: ApiAuth.openIdConnect({',
      '        providerName: \'Auth0\',',
      '        issuerUrl: \'https://example.auth0.com/\',',
      '        clientId: \'blog-web\',',
      '        authTtl: Duration.millis(3600000),',
      '        iatTtl: Duration.millis(300000),',
      '      }),',
    ].join('\n'));
    expect(m.code).toContain('ApiAuth.apiKey(),');
    expect(m.code).toContain('conflictResolution: ConflictResolutionStrategy.NONE,');
    const py = generate(liveApi(VARIANTS.oidcFull), { language: 'python' });
    expect(py.code).toContain('auth_ttl=Duration.millis(3600000),');
    expect(py.code).toContain('iat_ttl=Duration.millis(300000),');
    expect(py.code).toContain('ApiAuth.api_key(),');
  });

  test('members the API does not have are not declared (the deployment keeps them)', () => {
    const m = generate(liveApi(VARIANTS.nameOnly), { language: 'typescript' });
    expect(m.code).toMatch(/resourceName: 'blogapi',\n {6}apiName: 'only the name',\n {4}\}\);/);
    expect(m.code).not.toMatch(/ApiAuth|Duration|cognito|ConflictResolutionStrategy|ApiSchema/);
    const empty = generate(liveApi({}), { language: 'python' });
    expect(empty.code).toContain('from cdk_amplify_backend import BackendApiConfig\n');
    expect(empty.warnings).toEqual([]);
  });

  test('the class is named after the resource, or as given', () => {
    expect(classNameFor('blogapi')).toBe('BlogapiBackendApi');
    expect(classNameFor('2048game')).toBe('Api2048gameBackendApi');
    expect(generate(liveApi({}), { language: 'typescript', className: 'Mine' }).code).toContain('export class Mine extends Construct {');
  });

  test('a schema over 32 KiB goes to a .graphql file beside the module', () => {
    const ts = generate(liveApi(VARIANTS.largeSchema), { language: 'typescript', moduleFileName: 'blog-api.ts' });
    expect(ts.schemaFile).toEqual({ name: 'blog-api.graphql', content: VARIANTS.largeSchema.TransformSchema });
    expect(ts.code).toContain('transformSchema: ApiSchema.fromFile(path.join(__dirname, \'blog-api.graphql\')),');
    expect(ts.code).toContain('import * as path from \'path\';');
    const py = generate(liveApi(VARIANTS.largeSchema), { language: 'python', moduleFileName: 'blog_api.py' });
    expect(py.schemaFile?.name).toBe('blog_api.graphql');
    expect(py.code).toContain([
      '            transform_schema=ApiSchema.from_file(',
      '                os.path.join(os.path.dirname(__file__), "blog_api.graphql"),',
      '            ),',
    ].join('\n'));
    expect(py.code).toMatch(/^import os$/m);
    // 32 KiB exactly stays inline.
    const edge = 'x'.repeat(32 * 1024);
    expect(generate(liveApi({ TransformSchema: edge }), { language: 'typescript' }).schemaFile).toBeUndefined();
    expect(generate(liveApi({ TransformSchema: `${edge}y` }), { language: 'typescript', moduleFileName: 'a.ts' }).schemaFile).toEqual({ name: 'a.graphql', content: `${edge}y` });
  });
});

describe('what the construct cannot express is named, and left out so that the API keeps it', () => {
  const authLeftOut = /The auth modes \(.*\) are therefore left out of the code, so the API keeps them/;
  const cases: Array<[string, BackendAPIResourceConfig, RegExp[], string[]]> = [
    ['an API key lifetime that is not whole days',
      { DefaultAuthType: { Mode: 'API_KEY', Settings: { ExpirationTime: 7.5 } } },
      [/the construct would reject it: invalid defaultAuthType ApiAuth\.apiKey\(\{ expiration \}\) \(got 7\.5 days\): the API key expiration must be a whole number of days/, authLeftOut],
      ['defaultAuthType']],
    ['an API key lifetime over 365 days',
      { DefaultAuthType: { Mode: 'AWS_IAM' }, AdditionalAuthTypes: [{ Mode: 'API_KEY', Settings: { ExpirationTime: 400 } }] },
      [/additionalAuthTypes\[0\] ApiAuth\.apiKey\(\{ expiration \}\) \(got 400 days\): /, authLeftOut], ['defaultAuthType', 'additionalAuthTypes']],
    ['a setting of another mode',
      { DefaultAuthType: { Mode: 'API_KEY', Settings: { CognitoUserPoolId: POOL } } },
      [/defaultAuthType\.settings\.cognitoUserPoolId is "us-east-1_AbCdEf123", a setting that API_KEY does not take/, authLeftOut], ['defaultAuthType']],
    ['a number setting of another mode, with its unit',
      { DefaultAuthType: { Mode: 'AWS_IAM', Settings: { ExpirationTime: 30, OpenIDAuthTTL: '60000' } } },
      [/defaultAuthType\.settings\.expirationTime is 30 days, a setting that AWS_IAM does not take/,
        /defaultAuthType\.settings\.openIDAuthTTL is 60000 ms, a setting that AWS_IAM does not take/, authLeftOut], ['defaultAuthType']],
    ['an unknown mode',
      { DefaultAuthType: { Mode: 'AWS_LAMBDA' as never } },
      [/defaultAuthType\.mode is "AWS_LAMBDA", which ApiAuth cannot express/, authLeftOut], ['defaultAuthType']],
    ['a user pool mode without a pool',
      { DefaultAuthType: { Mode: 'AMAZON_COGNITO_USER_POOLS' } },
      [/defaultAuthType has no settings\.cognitoUserPoolId/, authLeftOut], ['defaultAuthType']],
    ['an OpenID mode without an issuer',
      { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'Auth0' } } },
      [/has no settings\.openIDIssueURL/, authLeftOut], ['defaultAuthType']],
    ['an OpenID TTL that is not milliseconds',
      { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'A', OpenIDIssueURL: 'https://a.example/', OpenIDAuthTTL: '1h' } } },
      [/settings\.openIDAuthTTL is "1h", not a whole number of milliseconds/, authLeftOut], ['defaultAuthType']],
    ['an OpenID TTL in part milliseconds',
      { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'A', OpenIDIssueURL: 'https://a.example/', OpenIDAuthTTL: '1.5' } } },
      [/settings\.openIDAuthTTL is 1\.5 ms, not a whole number of milliseconds/, authLeftOut], ['defaultAuthType']],
    ['an OpenID TTL of 0',
      { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'A', OpenIDIssueURL: 'https://a.example/', OpenIDIatTTL: '0' } } },
      [/the construct would reject it: invalid defaultAuthType ApiAuth\.openIdConnect\(\{ iatTtl \}\) \(got 0 ms\): the issued-at lifetime is a whole number of milliseconds/, authLeftOut],
      ['defaultAuthType']],
    ['an http issuer',
      { DefaultAuthType: { Mode: 'OPENID_CONNECT', Settings: { OpenIDProviderName: 'A', OpenIDIssueURL: 'http://a.example/' } } },
      [/issuerUrl \}\) \(got "http:\/\/a\.example\/"\)/, authLeftOut], ['defaultAuthType']],
    ['additional modes without a default',
      { AdditionalAuthTypes: [{ Mode: 'AWS_IAM' }] },
      [/additional auth modes but no default one/, authLeftOut], ['additionalAuthTypes']],
    ['the default mode again among the additional ones',
      { DefaultAuthType: { Mode: 'AWS_IAM' }, AdditionalAuthTypes: [{ Mode: 'AWS_IAM' }] },
      [/AWS_IAM is already used by defaultAuthType/, authLeftOut], ['defaultAuthType']],
    ['a service other than AppSync',
      { Service: 'DynamoDB', ApiName: 'blog' },
      [/service "DynamoDB": the construct would reject it: .*accepts only "AppSync".*; it is left out of the code, so the API keeps it\./], ['service']],
    ['an API name with spaces around it',
      { ApiName: ' blog ' },
      [/apiName " blog ": the construct would reject it: .*spaces/], ['apiName']],
    ['an empty schema',
      { TransformSchema: '  ' },
      [/transformSchema "  ": the construct would reject it/], ['transformSchema']],
    ['an unknown conflict strategy',
      { ConflictResolution: { ResolutionStrategy: 'LAST_WRITER_WINS' as never } },
      [/conflictResolution\.resolutionStrategy "LAST_WRITER_WINS": the construct would reject it/], ['conflictResolution']],
  ];

  test.each(cases)('%s', (_name, config, warnings, absent) => {
    for (const lang of ['typescript', 'python'] as const) {
      const m = generate(liveApi(config), { language: lang });
      for (const w of warnings) expect(m.warnings.join('\n')).toMatch(w);
      // Named in the module too, as a comment.
      expect(m.code).toContain('Not reproduced here (also printed by the import):');
      const code = m.code.split('\n').filter((l) => !/^\s*(\/\/|#)/.test(l)).join('\n');
      for (const prop of absent) expect(code).not.toContain(lang === 'python' ? `${prop.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}=` : `${prop}:`);
      expect(code).toContain(lang === 'python' ? 'resource_name="blogapi",' : 'resourceName: \'blogapi\',');
    }
  });

  test('members the SDK does not know: in an auth mode, the auth modes are left out; elsewhere, named', () => {
    const api = liveApi(VARIANTS.staging, {
      unknownMembers: ['resourceConfig.additionalAuthTypes[0].settings.apiKeyId', 'resourceConfig.mergedApiArn'],
    });
    const m = generate(api, { language: 'typescript' });
    expect(m.warnings).toEqual([
      'the service returned members the construct does not know: resourceConfig.additionalAuthTypes[0].settings.apiKeyId.',
      'The auth modes (default AMAZON_COGNITO_USER_POOLS, additional API_KEY, AWS_IAM) are therefore left out of the code, so the API keeps them; declare them yourself once the above is settled.',
      'the service returned members the construct does not know: resourceConfig.mergedApiArn; it is left out of the code, so the API keeps it.',
    ]);
    expect(m.code).not.toContain('defaultAuthType:');
    expect(m.code).toContain('conflictResolution: ConflictResolutionStrategy.AUTOMERGE,');
  });
});

describe('string literals hold any text exactly', () => {
  test('TypeScript: evaluated back to the same string', () => {
    for (const text of [NASTY, '', '\\', '`', '${', '\u0000', '"""', 'x"']) {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const evaluate = (literal: string) => new Function(`return ${literal};`)();
      expect(evaluate(stringLiteral(text, 'typescript'))).toBe(text);
      expect(evaluate(blockLiteral(text, 'typescript'))).toBe(text);
    }
  });

  test('Python: parsed back to the same string by python3', async () => {
    const dir = tmpDir();
    const texts = [NASTY, '', '\\', '"', '""', '"""', '""""""', 'end"', 'end""', '\u0000', '\\N{DASH}'];
    const lines = texts.flatMap((t, i) => [`s${i} = ${stringLiteral(t, 'python')}`, `b${i} = ${blockLiteral(t, 'python')}`]);
    fs.writeFileSync(path.join(dir, 'literals.py'), `${lines.join('\n')}\n`);
    const script = `import json, literals; print(json.dumps([[getattr(literals, "s%d" % i), getattr(literals, "b%d" % i)] for i in range(${texts.length})]))`;
    const { code, out } = await run('python3', ['-c', script], dir);
    expect({ code, out: code ? out : '' }).toEqual({ code: 0, out: '' });
    expect(JSON.parse(out)).toEqual(texts.map((t) => [t, t]));
  });
});

describe('the generated modules compile', () => {
  test('TypeScript, strict, with tsc against the library\'s types', async () => {
    const dir = tmpDir('cli-tsc-');
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    for (const [name, config] of Object.entries(VARIANTS)) write(dir, name, config, 'typescript');
    // One stack using them all, as a user would.
    fs.writeFileSync(path.join(dir, 'app.ts'), [
      'import { App, Stack } from \'aws-cdk-lib\';',
      ...Object.keys(VARIANTS).map((n) => `import { ${classNameFor(n)} } from './${n}';`),
      'const stack = new Stack(new App(), \'Adopted\');',
      ...Object.keys(VARIANTS).map((n) => `new ${classNameFor(n)}(stack, '${n}');`),
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true,
        noUnusedLocals: true,
        noUnusedParameters: true,
        noImplicitReturns: true,
        noEmit: true,
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        types: ['node'],
        skipLibCheck: true,
        // What `npm install cdk-amplify-backend` gives: the package's types (here, its source).
        paths: { 'cdk-amplify-backend': [path.join(REPO, 'src', 'index.ts')] },
      },
      files: ['app.ts'],
    }));
    const { code, out } = await run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    expect({ code, out }).toEqual({ code: 0, out: '' });
  }, 240_000);

  test('Python, with python3 -m py_compile', async () => {
    const dir = tmpDir('cli-py-');
    const files = Object.entries(VARIANTS).map(([name, config]) => {
      write(dir, name, config, 'python');
      return `${name}.py`;
    });
    const { code, out } = await run('python3', ['-m', 'py_compile', ...files], dir);
    expect({ code, out }).toEqual({ code: 0, out: '' });
  }, 60_000);
});

describe('synthesized, every generated TypeScript module declares exactly the API it came from', () => {
  test.each(Object.keys(VARIANTS))('%s', async (name) => {
    const dir = tmpDir('cli-synth-');
    const api = liveApi(VARIANTS[name], { resourceName: name });
    const m = write(dir, name, VARIANTS[name], 'typescript');
    expect(m.warnings).toEqual([]);
    const generated = loadGeneratedModule(path.join(dir, `${name}.ts`));
    const cdkOut = synthStack('Adopted', (stack) => new generated[m.className](stack, 'Imported'));
    const result = await runDiff({ cdkOut, stacks: [], parameters: {}, values: {} }, fixedReader(api), () => undefined);
    expect(result.results.map((r) => r.comparison?.rows)).toEqual([[]]);
    expect({ differences: result.differences, unresolved: result.unresolved }).toEqual({ differences: 0, unresolved: 0 });
    // Every member the API has is declared (nothing is left to "the API keeps it"): the members
    // the template holds are the API's, plus the empty additional modes a default mode implies.
    const live = VARIANTS[name];
    const expected = [...Object.keys(live), ...(live.DefaultAuthType && !live.AdditionalAuthTypes ? ['AdditionalAuthTypes'] : [])].sort();
    const template = JSON.parse(fs.readFileSync(path.join(cdkOut, 'Adopted.template.json'), 'utf8'));
    const [props] = Object.values<any>(template.Resources).filter((r) => r.Type === BACKEND_API_RESOURCE_TYPE).map((r) => r.Properties);
    const written = [...Object.keys(props.ResourceConfig ?? {}), ...(props.TransformSchemaLocation ? ['TransformSchema'] : [])].sort();
    expect(written).toEqual(expected);
  });
});

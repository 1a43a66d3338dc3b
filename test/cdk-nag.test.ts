/**
 * cdk-nag AwsSolutions on the library's resources, with both majors of cdk-nag as users run
 * them: cdk-nag 2 (an aspect; reads `cdk_nag` resource metadata) on the minimum aws-cdk-lib and
 * on the newest, and cdk-nag 3 (an aws-cdk-lib validation plugin; reads `Validations`
 * acknowledgements by exact finding ID) on the newest. The newest aws-cdk-lib and cdk-nag 3 live
 * in test/cdk-nag3/; the two runs on them happen in a child process that loads them instead of
 * the project's copies (support/nag/redirect.ts).
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { check, NagReport, SCENARIOS, versionOf } from './support/nag/scenarios';

const ROOT = path.join(__dirname, '..');

interface Run {
  readonly versions: { 'aws-cdk-lib': string; 'cdk-nag': string };
  readonly reports: NagReport[];
}

/** Runs every scenario in a child process on test/cdk-nag3's aws-cdk-lib, with cdk-nag `major`. */
function runOnNewestCdk(major: 2 | 3): Promise<Run> {
  return new Promise((resolve, reject) => execFile(process.execPath, [
    '-r', 'ts-node/register/transpile-only', '-r', './test/support/nag/redirect.ts', 'test/support/nag/main.ts',
  ], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
    // Stack traces on every construct triple the run time (source maps); they play no part here.
    env: { ...process.env, CDK_NAG_MAJOR: String(major), TS_NODE_PROJECT: 'tsconfig.dev.json', CDK_DISABLE_STACK_TRACE: '1' },
  }, (error, stdout, stderr) => {
    if (error) reject(new Error(`cdk-nag ${major} run failed: ${error.message}\n${stderr}`));
    else resolve(JSON.parse(stdout) as Run);
  }));
}

/** Both child runs start with the first suite that needs one, and run side by side. */
let newest: Record<2 | 3, Promise<Run>> | undefined;
const onNewestCdk = (major: 2 | 3) => {
  newest ??= { 2: runOnNewestCdk(2), 3: runOnNewestCdk(3) };
  return newest[major];
};

/** Each setup: the versions it must load, and how to run the scenarios in it. */
const SETUPS: Array<{ versions: Run['versions']; run: () => Promise<Run> }> = [
  {
    versions: { 'aws-cdk-lib': '2.200.0', 'cdk-nag': '2.37.55' },
    run: async () => ({ versions: { 'aws-cdk-lib': versionOf('aws-cdk-lib'), 'cdk-nag': versionOf('cdk-nag') }, reports: Object.keys(SCENARIOS).map(check) }),
  },
  { versions: { 'aws-cdk-lib': '2.276.0', 'cdk-nag': '2.37.55' }, run: () => onNewestCdk(2) },
  { versions: { 'aws-cdk-lib': '2.276.0', 'cdk-nag': '3.0.2' }, run: () => onNewestCdk(3) },
];

const EXAMPLE = 'the example app (examples/app.ts)';
const USER_WILDCARD = 'a wildcard the user adds to the provider\'s role';

describe.each(SETUPS.map((setup) => ({ ...setup, name: `aws-cdk-lib ${setup.versions['aws-cdk-lib']} with cdk-nag ${setup.versions['cdk-nag']}` })))('$name', (setup) => {
  let run: Run;
  const report = (scenario: string) => run.reports.find((r) => r.scenario === scenario)!;
  beforeAll(async () => {
    run = await setup.run();
  }, 120_000);

  test('runs the versions it says', () => {
    expect(run.versions).toEqual(setup.versions);
  });

  test.each(Object.keys(SCENARIOS).filter((s) => s !== USER_WILDCARD))('%s: no unacknowledged finding on a library resource', (scenario) => {
    expect(report(scenario).findings.filter((f) => f.library)).toEqual([]);
  });

  test.each(Object.keys(SCENARIOS).filter((s) => s !== USER_WILDCARD && s !== EXAMPLE))('%s: no finding at all, synth passes', (scenario) => {
    expect(report(scenario)).toMatchObject({ findings: [], synthPassed: true });
  });

  test('the example app: one finding, on its own Cognito user pool (a paid Cognito feature it does not use)', () => {
    const rule = run.versions['cdk-nag'].startsWith('3.') ? 'AwsSolutions-COG8' : 'AwsSolutions-COG3';
    expect(report(EXAMPLE).findings).toEqual([{ rule, path: 'AmplifyBackendExample/AdminUsers/Resource', library: false }]);
  });

  test('a wildcard the user adds to a policy the library made is reported, not acknowledged with the library\'s reason', () => {
    const findings = report(USER_WILDCARD).findings;
    const rules = findings.map((f) => f.rule).sort();
    // cdk-nag 3 names each finding; cdk-nag 2 names the rule and the finding in its message.
    expect(rules).toEqual(['AwsSolutions-IAM5[Action::s3:*]', 'AwsSolutions-IAM5[Resource::*]']);
    expect(findings.map((f) => f.path)).toEqual([
      'NagStack/AmplifyBackendProvider/Role/DefaultPolicy/Resource', 'NagStack/AmplifyBackendProvider/Role/DefaultPolicy/Resource',
    ]);
    expect(report(USER_WILDCARD).synthPassed).toBe(false);
  });

  test('every acknowledgement has a reason of its own, in both forms where aws-cdk-lib has Validations', () => {
    for (const r of run.reports) {
      expect(r.cdkNag2.length).toBeGreaterThan(0);
      for (const a of r.cdkNag2) {
        expect(a).toEqual({ path: a.path, id: expect.stringMatching(/^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/), reason: expect.stringMatching(/^\S.{19,}$/) });
      }
      if (run.versions['aws-cdk-lib'] === '2.200.0') {
        expect(r.cdkNag3).toEqual([]);
        continue;
      }
      // The same acknowledgements, on the same resources, where aws-cdk-lib can record them;
      // cdk-nag 2 may have a whole rule where cdk-nag 3 has its findings one by one.
      const rule = (id: string) => id.replace(/\[.*$/, '');
      const covers = (v2: { path: string; id: string; reason: string }, v3: { path: string; id: string; reason: string }) =>
        v2.path === v3.path && v2.reason === v3.reason && (v2.id === v3.id || v2.id === rule(v3.id));
      for (const a of r.cdkNag3) expect({ v3: a, v2: r.cdkNag2.filter((b) => covers(b, a)).length }).toEqual({ v3: a, v2: 1 });
      for (const b of r.cdkNag2) expect({ v2: b, v3: r.cdkNag3.some((a) => covers(b, a)) }).toEqual({ v2: b, v3: true });
    }
  });

  test('IAM findings are acknowledged one by one, with reasons that name what they cover', () => {
    const v2 = run.reports.flatMap((r) => r.cdkNag2).filter((a) => a.id.startsWith('AwsSolutions-IAM'));
    const v3 = run.reports.flatMap((r) => r.cdkNag3);
    // Never the bare rule, which would cover wildcards the user adds; cdk-nag 2 gets it only on
    // the AmplifyBackend grant policies, which hold one finding per app and nothing of the user's.
    expect(v2.filter((a) => !a.id.includes('[') && !/\/AmplifyBackendPolicy\d+\/Resource$/.test(a.path))).toEqual([]);
    expect(v3.filter((a) => a.id.startsWith('AwsSolutions-IAM') && !a.id.includes('['))).toEqual([]);
    const iam = [...v2, ...v3].filter((a) => a.id.startsWith('AwsSolutions-IAM') && a.id.includes('['));
    const managed = iam.filter((x) => x.id.startsWith('AwsSolutions-IAM4'));
    const star = iam.filter((x) => x.id.endsWith('[Resource::*]'));
    const grants = v3.filter((x) => x.id.includes(':amplifybackend:'));
    // Each kind is there to check: the framework's execution roles everywhere; the waiter's
    // log-delivery statement on Resource "*" in aws-cdk-lib 2.200 (2.276 grants it otherwise);
    // the AmplifyBackend grants one by one where cdk-nag 3 can read them.
    const minimum = run.versions['aws-cdk-lib'] === '2.200.0';
    expect({ managed: managed.length > 0, star: star.length > 0, grants: grants.length > 0 }).toEqual({ managed: true, star: minimum, grants: !minimum });
    for (const a of managed) {
      const policy = /policy\/service-role\/(\w+)\]$/.exec(a.id)![1];
      expect({ id: a.id, reason: a.reason }).toEqual({ id: a.id, reason: expect.stringContaining(policy) });
    }
    for (const a of star) {
      expect({ id: a.id, reason: a.reason }).toEqual({ id: a.id, reason: expect.stringContaining('Resource "*"') });
    }
    for (const a of grants) {
      expect(a.id).toMatch(/^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:amplifybackend:(us-east-1|<AWS::Region>):(\d{12}|<AWS::AccountId>):\/backend\/d[a-z0-9]+\/\*\]$/);
      expect(a.reason).toContain('one Amplify app');
    }
  });
});

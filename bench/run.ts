/**
 * `npx projen bench`: this library against what users would write instead (one
 * `AwsCustomResource` per configuration calling AmplifyBackend UpdateBackendAPI), on this
 * machine, in one run. Prints one table and writes it, with the details, to BENCHMARKS.md.
 *
 * 1. Templates (bench/templates.ts): bytes, resources and outputs per configuration, the largest
 *    number of configurations one stack holds before each CloudFormation / IAM limit, and the
 *    IAM grants of each side.
 * 2. Synth (bench/synth-time.ts): wall time and peak RSS, each run in a fresh `node` process.
 * 3. The handlers (bench/handler.ts): bundle bytes, cold module load (fresh `node` processes).
 * 4. Service calls (bench/service-calls.ts): Create / Update / Delete of our handler against the
 *    local AmplifyBackend emulator, the calls of each, job-completion lag.
 *
 * The stacks are built by bench/stacks.ts. Environment: BENCH_SYNTH_RUNS (default 5),
 * BENCH_LOAD_RUNS (default 10).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { measureHandlers } from './handler';
import { measureServiceCalls, Operation, OPERATIONS } from './service-calls';
import { Side } from './stacks';
import { fmt, median, ratio } from './stats';
import { measureSynthTimes } from './synth-time';
import { bindingLimit, iamGrants, LimitResult, LIMITS, measureTemplates, overallMax, REALISTIC, SideTemplates, SIZES } from './templates';

const ROOT = path.join(__dirname, '..');
const BENCHMARKS_MD = path.join(ROOT, 'BENCHMARKS.md');
const SYNTH_RUNS = Number(process.env.BENCH_SYNTH_RUNS ?? 5);
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 10);
const LIFECYCLE_RUNS = 7;

const started = performance.now();
const progress = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

const version = (packageJson: string) => JSON.parse(fs.readFileSync(packageJson, 'utf8')).version as string;
const installed = (name: string) => version(require.resolve(`${name}/package.json`, { paths: [ROOT] }));

async function main(): Promise<void> {
  const cpus = os.cpus();
  const env = {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cdk: installed('aws-cdk-lib'),
    library: version(path.join(ROOT, 'package.json')),
    sdk: installed('@aws-sdk/client-amplifybackend'),
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores`,
  };

  progress('templates and limits');
  const tpl = measureTemplates(progress);
  progress('IAM grants');
  const grants = { ours: iamGrants('ours'), peer: iamGrants('peer') };
  progress(`synth: ${SYNTH_RUNS} fresh processes per side and N`);
  const synthTimes = measureSynthTimes(SYNTH_RUNS, progress);
  progress('handlers: bundle size and cold load');
  const handlers = measureHandlers(LOAD_RUNS);
  progress('handler lifecycle against the emulator');
  const life = await measureServiceCalls(LIFECYCLE_RUNS);

  // ---------------------------------------------------------------- the report
  const { on, off } = tpl;
  const sides = [on.ours, off.ours, on.peer, off.peer];
  const ours450 = tpl.ours450.stats;
  const peer101 = tpl.peer101.stats;
  const bytesRatio = on.ours.marginalBytes / on.peer.marginalBytes;
  const synthRatio100 = synthTimes.ours[100].ms / synthTimes.peer[100].ms;
  const warmMedian = (k: Operation) => median(life.warm[k]);
  const callText = (c: Record<string, number>) => (Object.keys(c).length ? Object.entries(c).map(([k, v]) => `${v}× ${k}`).join(' + ') : '0 calls');
  const maxLag = Math.max(...life.lags.map((l) => l.lagMs));
  const seenByFirstPoll = life.lags.every((l) => l.pollsAfter === 1);
  const lim = (l: LimitResult | undefined) => (!l || l.how === 'none' ? 'n/a' : `${l.how === 'extrapolated' ? '≈' : ''}${fmt(l.maxN)}`);
  const maxText = (t: SideTemplates) => `**${fmt(overallMax(t))}** (${bindingLimit(t)})`;

  const rows: Array<[string, string, string, string]> = [];
  const row = (metric: string, ours: string, peer: string, note = '') => rows.push([metric, ours, peer, note]);
  row('**Template** (minified JSON, outputs on)', '', '', '');
  for (const n of SIZES) row(`bytes, N=${n}`, fmt(on.ours.at[n].bytes), fmt(on.peer.at[n].bytes), ratio(on.ours.at[n].bytes, on.peer.at[n].bytes));
  row('bytes per added configuration, outputs on', fmt(on.ours.marginalBytes), fmt(on.peer.marginalBytes), `${ratio(on.ours.marginalBytes, on.peer.marginalBytes)} (target ≤ 0.50×)`);
  row('bytes per added configuration, outputs on, with the CLI\'s path metadata', fmt(tpl.cliMarginalBytes.ours), fmt(tpl.cliMarginalBytes.peer), ratio(tpl.cliMarginalBytes.ours, tpl.cliMarginalBytes.peer));
  row('bytes per added configuration, outputs off', fmt(off.ours.marginalBytes), fmt(off.peer.marginalBytes), ratio(off.ours.marginalBytes, off.peer.marginalBytes));
  const breakEven = Math.ceil(10 + (on.ours.at[10].bytes - on.peer.at[10].bytes) / (on.peer.marginalBytes - on.ours.marginalBytes));
  row('template smaller than the peer\'s from', `N ≥ ${breakEven}`, '', `fixed cost of the provider: ${fmt(on.ours.at[1].bytes - on.ours.marginalBytes)} B vs ${fmt(on.peer.at[1].bytes - on.peer.marginalBytes)} B`);
  row('resources per added configuration', fmt(on.ours.marginalResources, 3), fmt(on.peer.marginalResources, 3), 'ours: 1 custom resource + 1 managed policy per 60 apps');
  row('resources, N=1 / 100', `${on.ours.at[1].resources} / ${on.ours.at[100].resources}`, `${on.peer.at[1].resources} / ${on.peer.at[100].resources}`, '');
  row('outputs per configuration (outputs on)', fmt(on.ours.marginalOutputs), fmt(on.peer.marginalOutputs), 'JobId, Status');
  row('**Largest N per stack, outputs on**', maxText(on.ours), maxText(on.peer), '');
  row('  by 500 resources', lim(on.ours.limits.resources), lim(on.peer.limits.resources), '');
  row('  by 200 outputs', lim(on.ours.limits.outputs), lim(on.peer.limits.outputs), 'ours fails at synth at N=101');
  row('  by 1,000,000 template bytes', lim(on.ours.limits.templateBytes), lim(on.peer.limits.templateBytes), '≈ extrapolated');
  row('  by 10,240-char inline policies of one role', 'n/a', lim(on.peer.limits.inlinePolicy), 'peer: deploy-time only');
  row('  by 10 managed policies × 60 apps', lim(on.ours.limits.managedPolicyCap), 'n/a', 'ours: synth-time');
  row('**Largest N per stack, outputs off**', maxText(off.ours), maxText(off.peer), '');
  row('  by 500 resources', lim(off.ours.limits.resources), lim(off.peer.limits.resources), '');
  row('  by 1,000,000 template bytes', lim(off.ours.limits.templateBytes), lim(off.peer.limits.templateBytes), '≈ extrapolated');
  row('  by 10,240-char inline policies of one role', 'n/a', lim(off.peer.limits.inlinePolicy), '');
  row('  by 10 managed policies × 60 apps', lim(off.ours.limits.managedPolicyCap), 'n/a', '');
  row(`**Synth** (fresh process, median of ${SYNTH_RUNS}, outputs on)`, '', '', '');
  for (const n of SIZES) {
    row(`synth ms, N=${n}`, fmt(synthTimes.ours[n].ms), fmt(synthTimes.peer[n].ms), `${ratio(synthTimes.ours[n].ms, synthTimes.peer[n].ms)}${n === 100 ? ' (target ≤ 1.00×)' : ''}`);
  }
  for (const n of SIZES) row(`peak RSS MB, N=${n}`, fmt(synthTimes.ours[n].rssMb), fmt(synthTimes.peer[n].rssMb), ratio(synthTimes.ours[n].rssMb, synthTimes.peer[n].rssMb));
  row('**Handler**', '', '', '');
  row('bundle bytes', fmt(handlers.ours.bytes), fmt(handlers.peer.bytes), 'peer: SDK not included (Lambda\'s own); target ours ≤ 500,000');
  row(`cold module load ms (median of ${LOAD_RUNS})`, fmt(handlers.ours.load.first, 1), `${fmt(handlers.peer.load.first, 1)} + ${fmt(handlers.peer.load.second!, 1)} SDK`, 'peer requires the SDK client at its first event; target ours ≤ 60');
  row(`Create ms (warm median of ${LIFECYCLE_RUNS - 1}; first in process)`, `${fmt(warmMedian('Create'), 1)} (first ${fmt(life.cold.Create, 1)})`, 'not run', 'on-event + 1 is-complete poll, local emulator');
  row('Update ms', `${fmt(warmMedian('Update'), 1)} (first ${fmt(life.cold.Update, 1)})`, 'not run', '');
  row('Delete ms', `${fmt(warmMedian('Delete'), 1)} (first ${fmt(life.cold.Delete, 1)})`, 'not run', '');
  row('service calls per Create', callText(life.calls.Create), '1× UpdateBackendAPI, no poll (by design; not run)', 'emulator job done on the 1st poll');
  row('service calls per Update', callText(life.calls.Update), '1× UpdateBackendAPI, no poll (by design; not run)', '');
  row('service calls per Delete', callText(life.calls.Delete), '0 calls (no onDelete)', '');
  row(`COMPLETED job seen after (poll every ${life.lagIntervalMs} ms)`, `max ${fmt(maxLag)} ms, median ${fmt(median(life.lags.map((l) => l.lagMs)))} ms; by the 1st poll after it: ${seenByFirstPoll ? 'always' : 'NOT always'}`, 'never polls: success when the job starts', `target: within one interval (${life.lagIntervalMs} ms)`);

  const table = [
    '| | this library (`BackendApiConfig`) | peer (`AwsCustomResource`) | ours/peer, notes |',
    '|---|---:|---:|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

  // ---------------------------------------------------------------- targets
  const targets: Array<[string, boolean, string]> = [];
  targets.push(['Marginal template bytes per BackendApiConfig (with its 2 outputs) ≤ 0.5 × the peer', bytesRatio <= 0.5,
    `${fmt(on.ours.marginalBytes)} B vs ${fmt(on.peer.marginalBytes)} B = ${bytesRatio.toFixed(3)}× (margin ${fmt(0.5 * on.peer.marginalBytes - on.ours.marginalBytes)} B per configuration)`]);
  targets.push(['One CloudFormation resource per configuration; ≥ 450 configurations per stack with outputs off', overallMax(off.ours) >= 450 && Math.round(on.ours.marginalResources) === 1,
    `${fmt(on.ours.marginalResources, 3)} resources per configuration (1 custom resource, plus 1 managed policy per 60 apps); largest N with outputs off ${fmt(overallMax(off.ours))} (${bindingLimit(off.ours)}); ` +
    `N=450 ${ours450 ? `synthesizes (${ours450.resources} resources, ${fmt(ours450.bytes)} B)` : 'FAILS'}; the peer stops at ${fmt(overallMax(off.peer))} (${bindingLimit(off.peer)})`]);
  targets.push(['Synth time for N=100 ≤ 1.0 × the peer (same run)', synthRatio100 <= 1,
    `${fmt(synthTimes.ours[100].ms)} ms vs ${fmt(synthTimes.peer[100].ms)} ms = ${synthRatio100.toFixed(2)}×`]);
  targets.push(['Handler cold module load ≤ 60 ms', handlers.ours.load.first <= 60, `${fmt(handlers.ours.load.first, 1)} ms (median of ${LOAD_RUNS}; runs ${handlers.ours.load.runs.map((x) => x.toFixed(0)).join(', ')})`]);
  targets.push(['Handler bundle ≤ 500 KB', handlers.ours.bytes <= 500_000, `${fmt(handlers.ours.bytes)} bytes`]);
  const extraCalls = (c: Record<string, number>) => Object.entries(c).filter(([k]) => k !== 'GetBackendJob').reduce((s, [, v]) => s + v, 0);
  targets.push(['At most one service call per Create/Update beyond job polls', extraCalls(life.calls.Create) <= 1 && extraCalls(life.calls.Update) <= 1 && life.callsConsistent,
    `Create: ${callText(life.calls.Create)}; Update: ${callText(life.calls.Update)}; Delete: ${callText(life.calls.Delete)}${life.callsConsistent ? ' (same in every run)' : ' (VARIES between runs)'}`]);
  targets.push([`A COMPLETED job is seen within one poll interval (${life.lagIntervalMs} ms)`, seenByFirstPoll,
    `${life.lags.map((l) => `job ${l.jobMs} ms: CREATE_COMPLETE +${l.lagMs} ms after COMPLETED, ${l.polls} polls, ${l.pollsAfter} of them after completion`).join('; ')}`]);

  // ---------------------------------------------------------------- details
  const detail: string[] = [];
  detail.push('### Synth-time messages');
  detail.push('');
  detail.push(`- ours, outputs on, N=101: ${tpl.ours101.error ? `fails at synth:\n\n  > ${tpl.ours101.error.replace(/\n/g, '\n  > ')}` : 'SYNTHESIZES (expected a failure)'}`);
  detail.push(`- ours, outputs off, N=450: ${ours450 ? `synthesizes: ${ours450.resources} resources, ${fmt(ours450.bytes)} bytes, largest managed policy ${fmt(ours450.managedPolicyChars)} of ${fmt(LIMITS.managedPolicyChars)} characters` : 'FAILS'}`);
  detail.push(`- peer, outputs on, N=101: ${peer101 ? `synthesizes with ${peer101.outputs} outputs (CloudFormation rejects it at deploy time); its role's inline policies total ${fmt(peer101.inlinePolicyChars)} characters` : `fails at synth: ${tpl.peer101.error}`}`);
  for (const t of sides) {
    for (const [name, l] of Object.entries(t.limits)) {
      if (l.how === 'synth') detail.push(`- ${t.side}, outputs ${t.outputs ? 'on' : 'off'}, ${name}: N=${l.maxN} fits; N=${l.maxN + 1}: ${l.atNext}`);
    }
  }
  detail.push('');
  detail.push('### Per-configuration growth');
  detail.push('');
  detail.push('| side, outputs | bytes N=1 / 10 / 100 | resources N=1 / 10 / 100 | peer inline policy chars N=10 / 100 | ours largest managed policy chars N=100 |');
  detail.push('|---|---|---|---|---|');
  for (const t of sides) {
    detail.push(`| ${t.side}, ${t.outputs ? 'on' : 'off'} | ${SIZES.map((n) => fmt(t.at[n].bytes)).join(' / ')} | ${SIZES.map((n) => t.at[n].resources).join(' / ')} | ` +
      `${t.side === 'peer' ? `${fmt(t.at[10].inlinePolicyChars)} / ${fmt(t.at[100].inlinePolicyChars)} (${fmt((t.at[100].inlinePolicyChars - t.at[10].inlinePolicyChars) / 90)} per configuration)` : 'n/a'} | ` +
      `${t.side === 'ours' ? fmt(t.at[100].managedPolicyChars) : 'n/a'} |`);
  }
  detail.push('');
  detail.push('### Synth runs (ms / peak RSS MB, each a fresh process)');
  detail.push('');
  for (const side of ['ours', 'peer'] as Side[]) {
    for (const n of SIZES) {
      detail.push(`- ${side} N=${n}: ${synthTimes[side][n].runs.map((r) => `${r.ms.toFixed(0)}/${(r.maxRssKb / 1024).toFixed(0)}`).join(', ')}`);
    }
  }
  detail.push('');
  detail.push('### Handler lifecycle runs (ms)');
  detail.push('');
  for (const k of OPERATIONS) detail.push(`- ${k}: first ${life.cold[k].toFixed(1)}, then ${life.warm[k].map((x) => x.toFixed(1)).join(', ')}`);
  detail.push(`- peer handler asset: ${handlers.peer.asset} (${fmt(handlers.peer.bytes)} bytes); cold load of its index.js ${fmt(handlers.peer.load.first, 1)} ms, then \`require('@aws-sdk/client-amplifybackend')\` ${env.sdk} from node_modules ${fmt(handlers.peer.load.second!, 1)} ms`);
  detail.push('');
  detail.push('### IAM grants (N=2, from the synthesized templates)');
  detail.push('');
  detail.push('This library:');
  detail.push('');
  detail.push('```');
  detail.push(...grants.ours);
  detail.push('```');
  detail.push('');
  detail.push('Peer (`AwsCustomResource`):');
  detail.push('');
  detail.push('```');
  detail.push(...grants.peer);
  detail.push('```');

  const header = [
    '# Benchmarks: cdk-amplify-backend vs. AwsCustomResource',
    '',
    'Generated by `npx projen bench` (bench/run.ts); rerun it to refresh this file. Numbers are from one run on one machine.',
    '',
    `- Date: ${env.date}`,
    `- Node.js ${env.node}, aws-cdk-lib ${env.cdk}, cdk-amplify-backend ${env.library} (from src/), @aws-sdk/client-amplifybackend ${env.sdk} (bundled)`,
    `- CPU: ${env.cpu}`,
    '',
    '**What is compared.** Each configuration is one Amplify app (`d` + 13 digits), environment `staging`, API `blogapi`, default auth',
    'Cognito user pool (`UserPool.fromUserPoolId`), an API key of 30 days as additional auth, conflict resolution AUTOMERGE.',
    'Ours: one `BackendApiConfig` each. Peer: one `AwsCustomResource` each, `AmplifyBackend.updateBackendAPI` on create and update,',
    '`physicalResourceId` `<appId>/staging/blogapi`, `installLatestAwsSdk: false`, outputs JobId and Status from `getResponseField`,',
    'and `AwsCustomResourcePolicy.fromStatements` with `amplifybackend:UpdateBackendAPI` on `arn:<partition>:amplifybackend:<region>:<account>:/backend/<appId>/*`.',
    'Both stacks are environment-agnostic.',
    '',
  ];
  const method = [
    '',
    '## How it is measured',
    '',
    '- **Template bytes**: `JSON.stringify(template)` of the synthesized stack; per added configuration = (bytes(100) − bytes(10)) / 90.',
    '- **Largest N**: predicted from the slope, then confirmed by synthesizing N and N+1 (aws-cdk-lib itself rejects more than 500 resources at synth;',
    '  the library rejects more than 200 outputs and more than 600 apps at synth). The template-size limit (1,000,000 bytes, template in S3) is extrapolated (≈):',
    '  the resource limit comes long before it. The peer\'s IAM limit is the aggregate size of the inline policies on the one role all',
    `  AwsCustomResources of a stack share (each adds an \`AWS::IAM::Policy\`), measured as the resolved documents (partition aws, region ${REALISTIC.region},`,
    `  account ${REALISTIC.accountId}) without whitespace, against ${fmt(LIMITS.inlinePolicyChars)} characters. aws-cdk-lib does not check it: the peer synthesizes and fails at deploy time.`,
    '  The main rows synthesize with `new App()` as a test would; the "CLI\'s path metadata" row adds what `cdk synth` adds by default',
    '  (`aws:cdk:path` metadata on every resource, and the CDKMetadata resource, which also takes one of the 500 resources).',
    '  The library\'s managed-policy cap was confirmed with aws-cdk-lib\'s resource check switched off (`@aws-cdk/core:stackResourceLimit: 0`).',
    '- **Synth**: each run a fresh `node -r ts-node/register/transpile-only bench/synth-child.ts` process; the clock runs around construct creation',
    '  and `app.synth()` (aws-cdk-lib modules it loads lazily on the way are included, the top-level imports are not); peak RSS is',
    '  `process.resourceUsage().maxRSS` of that process at the end. Runs of both sides are interleaved.',
    '- **Bundle**: `assets/lambda/index/index.js` as `npx projen bundle` builds it (esbuild, minified, SDK inside, `--main-fields=module,main` so the',
    '  SDK\'s ES modules tree-shake, `--supported:dynamic-import=false` so their `import()` of Node built-ins become `require()`; see .projenrc.ts).',
    '- **Cold module load**: a fresh `node` process times `require()` of the bundle with `process.hrtime`. The peer\'s handler loads the',
    '  SDK client only when its first event comes (from the Lambda runtime\'s SDK); it is timed here from node_modules, as a second require.',
    '- **Create / Update / Delete**: `LocalCloudFormation` (test/support/lifecycle.ts) runs the Provider framework and the bundled handler in this process against the local',
    '  emulator (jobs complete on their first `GetBackendJob`): the time from the resource\'s `*_IN_PROGRESS` to its `*_COMPLETE` event, i.e.',
    '  on-event (validation, `UpdateBackendAPI` over HTTP with SigV4) plus the first is-complete (`GetBackendJob`) and no waiting. The first',
    '  run of the process also loads the bundle and creates the SDK client. Not included: Lambda\'s invocation overhead and cold starts, real network latency.',
    '  The peer\'s handler is not run: it answers CloudFormation itself over HTTPS, and reports success as soon as UpdateBackendAPI returns (it never polls the job).',
    '- **Completion lag**: emulator jobs that complete by time (30-42 s, so the completion falls at different points of the poll cycle),',
    '  is-complete every 15 s (the deployed waiter\'s interval), on a virtual clock the emulator shares (waits pass at once);',
    '  lag = the moment the resource reached CREATE_COMPLETE − the job\'s `updateTime` (when it became COMPLETED).',
    '  Met when, in every run, the first `GetBackendJob` after the completion saw it (the lag is then at most one interval plus that poll\'s round trip).',
    '',
  ];
  const targetLines = [
    '',
    '## Targets (issue 4)',
    '',
    ...targets.map(([what, met, numbers]) => `- ${met ? '**met**' : '**NOT MET**'}: ${what}: ${numbers}.`),
    '',
  ];
  const markdown = [...header, '## Results', '', table, ...targetLines, ...method, '## Details', '', ...detail, ''].join('\n');
  fs.writeFileSync(BENCHMARKS_MD, markdown);
  console.log(`\n${env.date}  Node ${env.node}  aws-cdk-lib ${env.cdk}  cdk-amplify-backend ${env.library}  ${env.cpu}\n`);
  console.log(table);
  console.log(targetLines.join('\n'));
  console.log(`Wrote ${path.relative(process.cwd(), BENCHMARKS_MD)} in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});

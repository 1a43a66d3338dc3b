/**
 * The synthesized templates of both sides (in this process): bytes, resources and outputs per
 * configuration, the largest number of configurations one stack holds before each CloudFormation /
 * IAM limit, and the IAM grants of each side.
 */
import { BenchStackOptions, discard, Json, PEER_FUNCTION_PREFIX, Side, STACK_NAME, synth } from './stacks';
import { fmt } from './stats';
import { LocalCloudFormation } from '../test/support/lifecycle';

/** The numbers of configurations compared; per added configuration = (value(100) − value(10)) / 90. */
export const SIZES = [1, 10, 100];

/** CloudFormation and IAM limits (default quotas). */
export const LIMITS = {
  resources: 500,
  outputs: 200,
  templateBytes: 1_000_000, // template uploaded to S3 (a template passed inline: 51,200)
  inlinePolicyChars: 10_240, // aggregate of a role's inline policies, whitespace not counted
  managedPolicyChars: 6_144,
};
/** The library's cap: 10 managed policies of 60 app grants on the handler role. */
const OUR_APP_CAP = 10 * 60;
/** What the resolved policy documents are measured with. */
export const REALISTIC = { region: 'us-east-1', accountId: '123456789012' };

/** Resolves partition, region, account and references to realistic values (as the deployed policy reads). */
const resolver = new LocalCloudFormation({ stackName: STACK_NAME, endpoint: 'http://127.0.0.1:1', ...REALISTIC });
const resolvedLength = (template: Json, value: Json) => JSON.stringify(resolver.resolve(template, value)).length;

export interface TemplateStats {
  readonly bytes: number;
  readonly resources: number;
  readonly outputs: number;
  /** Peer: the aggregate size of the inline policies on the AwsCustomResource singleton role. */
  readonly inlinePolicyChars: number;
  /** Ours: the largest managed policy (characters, resolved, no whitespace). */
  readonly managedPolicyChars: number;
}

function templateStats(template: Json): TemplateStats {
  const resources = Object.entries<Json>(template.Resources ?? {});
  const peerRole = resources.find(([id, r]) => id.startsWith(PEER_FUNCTION_PREFIX) && r.Type === 'AWS::IAM::Role')?.[0];
  let inline = 0;
  let managed = 0;
  for (const [, r] of resources) {
    if (r.Type === 'AWS::IAM::Policy' && peerRole && (r.Properties.Roles ?? []).some((x: Json) => x.Ref === peerRole)) {
      inline += resolvedLength(template, r.Properties.PolicyDocument);
    }
    if (r.Type === 'AWS::IAM::ManagedPolicy') managed = Math.max(managed, resolvedLength(template, r.Properties.PolicyDocument));
  }
  return {
    bytes: Buffer.byteLength(JSON.stringify(template)),
    resources: resources.length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    inlinePolicyChars: inline,
    managedPolicyChars: managed,
  };
}

/** Synthesizes one stack and keeps its figures, or its synth-time error. */
interface Probe {
  readonly stats?: TemplateStats;
  readonly error?: string;
}

function probe(options: Omit<BenchStackOptions, 'outdir'>): Probe {
  const s = synth(options);
  discard(s);
  return s.template ? { stats: templateStats(s.template) } : { error: s.error };
}

// ------------------------------------------------------------------ limits

export interface LimitResult {
  /** The largest N within the limit. */
  readonly maxN: number;
  /** 'synth' = found by synthesizing N and N+1; 'extrapolated' = from the per-configuration slope. */
  readonly how: 'synth' | 'extrapolated' | 'none';
  /** What happens at N+1 (synth error, or the measured value over the limit). */
  readonly atNext?: string;
}

export interface SideTemplates {
  readonly side: Side;
  readonly outputs: boolean;
  readonly at: Record<number, TemplateStats>;
  /** Marginal bytes per configuration between N=10 and N=100. */
  readonly marginalBytes: number;
  readonly marginalResources: number;
  readonly marginalOutputs: number;
  readonly limits: Record<string, LimitResult>;
}

/** Walks from the predicted N to the last N for which `fits` holds (synthesizing each step). */
function walk(predicted: number, fits: (n: number) => { ok: boolean; detail: string }): LimitResult {
  let n = Math.max(1, predicted);
  let r = fits(n);
  if (r.ok) {
    for (;;) {
      const next = fits(n + 1);
      if (!next.ok) return { maxN: n, how: 'synth', atNext: next.detail };
      n++;
    }
  }
  for (;;) {
    const prevDetail = r.detail;
    n--;
    r = fits(n);
    if (r.ok) return { maxN: n, how: 'synth', atNext: prevDetail };
  }
}

const slope = (at: Record<number, TemplateStats>, key: keyof TemplateStats) => (at[100][key] - at[10][key]) / 90;

function predict(at: Record<number, TemplateStats>, key: keyof TemplateStats, limit: number): number {
  const s = slope(at, key);
  return s <= 0 ? Infinity : Math.floor(10 + (limit - at[10][key]) / s);
}

/**
 * Templates of one side, with or without outputs. The resource count and the IAM documents do not
 * depend on outputs: the limits they set are found once (outputs off) and passed to the run with outputs.
 */
function measureSide(side: Side, outputs: boolean, shared?: Record<string, LimitResult>): SideTemplates {
  const at: Record<number, TemplateStats> = {};
  for (const n of SIZES) {
    const p = probe({ side, n, outputs });
    if (!p.stats) throw new Error(`${side} N=${n} outputs=${outputs} did not synthesize: ${p.error}`);
    at[n] = p.stats;
  }

  // Each limit, checked by synthesizing around the predicted N.
  const units: Partial<Record<keyof TemplateStats, string>> = { bytes: 'bytes', resources: 'resources', outputs: 'outputs' };
  const check = (n: number, key: keyof TemplateStats, limit: number) => {
    const p = probe({ side, n, outputs });
    if (!p.stats) return { ok: false, detail: `synth fails: ${p.error}` };
    const v = p.stats[key];
    return { ok: v <= limit, detail: `${fmt(v)} ${units[key] ?? 'characters'} > ${fmt(limit)}; synth succeeds` };
  };
  const limits: Record<string, LimitResult> = {};
  limits.resources = shared?.resources ?? walk(predict(at, 'resources', LIMITS.resources), (n) => check(n, 'resources', LIMITS.resources));
  limits.outputs = outputs ? walk(predict(at, 'outputs', LIMITS.outputs), (n) => check(n, 'outputs', LIMITS.outputs)) : { maxN: Infinity, how: 'none' };
  limits.templateBytes = { maxN: predict(at, 'bytes', LIMITS.templateBytes), how: 'extrapolated' };
  if (side === 'peer') {
    // A deploy-time limit: aws-cdk-lib does not check it, so synth succeeds on both sides of it.
    limits.inlinePolicy = shared?.inlinePolicy ?? walk(predict(at, 'inlinePolicyChars', LIMITS.inlinePolicyChars), (n) => check(n, 'inlinePolicyChars', LIMITS.inlinePolicyChars));
  } else {
    // The library's own cap, checked without outputs and with aws-cdk-lib's 500-resource check off (either would fail first).
    limits.managedPolicyCap = shared?.managedPolicyCap ?? walk(OUR_APP_CAP, (n) => {
      const p = probe({ side, n, outputs: false, resourceLimitCheck: false });
      return p.stats ? { ok: true, detail: '' } : { ok: false, detail: `synth fails: ${p.error}` };
    });
  }
  return {
    side,
    outputs,
    at,
    marginalBytes: slope(at, 'bytes'),
    marginalResources: slope(at, 'resources'),
    marginalOutputs: slope(at, 'outputs'),
    limits,
  };
}

/** The largest N of a stack, within every limit. */
export const overallMax = (t: SideTemplates) => Math.min(...Object.values(t.limits).map((l) => l.maxN));
const LIMIT_LABELS: Record<string, string> = {
  resources: '500 resources',
  outputs: '200 outputs',
  templateBytes: '1 MB template',
  inlinePolicy: 'IAM inline-policy size, at deploy',
  managedPolicyCap: 'managed-policy cap',
};
/** The limit that sets `overallMax`. */
export const bindingLimit = (t: SideTemplates) => LIMIT_LABELS[Object.entries(t.limits).sort(([, a], [, b]) => a.maxN - b.maxN)[0][0]];

export interface Templates {
  readonly on: Record<Side, SideTemplates>;
  readonly off: Record<Side, SideTemplates>;
  /** Bytes per configuration as `cdk synth` writes the template (path metadata on every resource), outputs on. */
  readonly cliMarginalBytes: Record<Side, number>;
  /** Past the 200 outputs: ours fails at synth, the peer does not. */
  readonly ours101: Probe;
  readonly peer101: Probe;
  /** The 450 configurations per stack the library promises, outputs off. */
  readonly ours450: Probe;
}

export function measureTemplates(progress: (line: string) => void): Templates {
  const on = {} as Record<Side, SideTemplates>;
  const off = {} as Record<Side, SideTemplates>;
  const cliMarginalBytes = {} as Record<Side, number>;
  for (const side of ['ours', 'peer'] as Side[]) {
    off[side] = measureSide(side, false);
    on[side] = measureSide(side, true, off[side].limits);
    for (const n of SIZES) {
      if (on[side].at[n].resources !== off[side].at[n].resources) throw new Error(`${side} N=${n}: outputs changed the resource count`);
    }
    progress(`  ${side} done`);
  }
  for (const side of ['ours', 'peer'] as Side[]) {
    const [a, b] = [10, 100].map((n) => probe({ side, n, outputs: true, cliMetadata: true }).stats!.bytes);
    cliMarginalBytes[side] = (b - a) / 90;
  }
  return {
    on,
    off,
    cliMarginalBytes,
    ours101: probe({ side: 'ours', n: 101, outputs: true }),
    ours450: probe({ side: 'ours', n: 450, outputs: false }),
    peer101: probe({ side: 'peer', n: 101, outputs: true }),
  };
}

// ------------------------------------------------------------------ IAM

/** A template value as a readable string: `${Logical.Attr}` for references. */
function render(v: Json): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(render).join(', ');
  if (v?.Ref) return `\${${v.Ref}}`;
  if (v?.['Fn::GetAtt']) return `\${${v['Fn::GetAtt'].join('.')}}`;
  if (v?.['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  if (v?.['Fn::Sub']) return typeof v['Fn::Sub'] === 'string' ? v['Fn::Sub'] : v['Fn::Sub'][0];
  return JSON.stringify(v);
}

/** Per role of a side's stack with N=2: its AWS managed policies and every statement attached to it, `actions -> resources`. */
export function iamGrants(side: Side): string[] {
  const s = synth({ side, n: 2, outputs: true });
  discard(s);
  if (!s.template) throw new Error(`${side} N=2 did not synthesize: ${s.error}`);
  const lines: string[] = [];
  const resources = Object.entries<Json>(s.template.Resources);
  for (const [roleId, role] of resources.filter(([, r]) => r.Type === 'AWS::IAM::Role')) {
    const principal = render(role.Properties.AssumeRolePolicyDocument.Statement.map((st: Json) => st.Principal?.Service ?? ''));
    lines.push(`role ${roleId} (assumed by ${principal})`);
    for (const arn of role.Properties.ManagedPolicyArns ?? []) lines.push(`  managed policy ${render(arn)}`);
    for (const [policyId, p] of resources) {
      if (!['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(p.Type)) continue;
      if (!(p.Properties.Roles ?? []).some((r: Json) => r.Ref === roleId)) continue;
      const kind = p.Type === 'AWS::IAM::Policy' ? 'inline' : 'managed';
      for (const st of p.Properties.PolicyDocument.Statement) {
        const actions = [st.Action].flat().join(', ');
        const res = [st.Resource].flat().map(render);
        lines.push(`  ${kind} ${policyId}: ${st.Effect} ${actions} on ${res.join(' | ')}`);
      }
    }
  }
  return lines;
}

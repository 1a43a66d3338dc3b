/**
 * `diff`: finds every `BackendApiConfig` in a synthesized cloud assembly, resolves its
 * properties, reads each live API and reports, per construct, the declared members that differ
 * from the live ones.
 */
import * as fs from 'fs';
import { AssetFile, StackArtifact, readCloudAssembly, selectStacks } from './assembly';
import { Comparison, Row, compare } from './compare';
import { CliError } from './errors';
import { ResolveContext, Resolved, Unresolved, findUnresolved, resolveValue } from './resolve';
import { ApiReader, ApiTarget, describeTarget } from './service';
import { BACKEND_API_RESOURCE_TYPE } from '../src/handler-contract';
import type { ApiResourceConfigProperties, BackendApiResourceProperties } from '../src/handler-contract';

type Json = any;


export interface DiffOptions {
  readonly cdkOut: string;
  readonly stacks: string[];
  /** Account of environment-agnostic stacks (AWS::AccountId). */
  readonly account?: string;
  readonly parameters: Record<string, string>;
  readonly values: Record<string, string>;
}

/** One BackendApiConfig of a template. */
export interface FoundApi {
  readonly stack: StackArtifact;
  readonly logicalId: string;
  /** Construct path from the template metadata, else the logical ID. */
  readonly path: string;
  readonly properties: Json;
}

export interface ApiResult {
  readonly api: FoundApi;
  readonly target?: ApiTarget;
  /** Set when the target itself (app, environment, API name) could not be resolved. */
  readonly unresolvedTarget?: Unresolved;
  readonly comparison?: Comparison;
}

export interface DiffResult {
  readonly results: ApiResult[];
  readonly differences: number;
  readonly unresolved: number;
}

/** Every BackendApiConfig of the stacks, in template order. */
export function findApis(stacks: StackArtifact[]): FoundApi[] {
  const found: FoundApi[] = [];
  for (const stack of stacks) {
    for (const [logicalId, r] of Object.entries<Json>(stack.template.Resources ?? {})) {
      if (r?.Type !== BACKEND_API_RESOURCE_TYPE) continue;
      const meta = r.Metadata?.['aws:cdk:path'];
      const path = typeof meta === 'string' ? meta.replace(/\/Resource\/Default$/, '') : `${stack.displayName}/${logicalId}`;
      found.push({ stack, logicalId, path, properties: r.Properties ?? {} });
    }
  }
  return found;
}

/** The properties of a BackendApiConfig, resolved. */
type ResolvedProperties = Exclude<Resolved<BackendApiResourceProperties>, Unresolved>;

/** The declared schema: inline, or the file asset TransformSchemaLocation points at. */
function declaredSchema(props: ResolvedProperties, resourceConfig: Resolved<ApiResourceConfigProperties> | undefined,
  assets: ReadonlyMap<string, AssetFile>): Resolved<string> | undefined {
  const inline = resourceConfig instanceof Unresolved ? undefined : resourceConfig?.TransformSchema;
  const location = props.TransformSchemaLocation;
  if (location === undefined) return inline;
  if (location instanceof Unresolved) return location;
  const key = location.Key;
  if (key instanceof Unresolved) return key;
  const asset = assets.get(String(key));
  if (!asset) return new Unresolved(`TransformSchemaLocation ${key}`, 'no file asset of the cloud assembly has this object key; synthesize again');
  if (asset.packaging !== 'file') return new Unresolved(`TransformSchemaLocation ${key}`, `the asset is a ${asset.packaging} of ${asset.path}, not a schema file`);
  try {
    return fs.readFileSync(asset.path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the schema asset ${asset.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; synthesize again.`);
  }
}

/** Runs up to `limit` tasks at once, results in order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function runDiff(options: DiffOptions, reader: ApiReader, progress: (line: string) => void): Promise<DiffResult> {
  const all = readCloudAssembly(options.cdkOut);
  const stacks = selectStacks(all, options.stacks, options.cdkOut);
  const apis = findApis(stacks);
  if (apis.length === 0) {
    throw new CliError(`no BackendApiConfig in ${stacks.length === all.length ? 'the' : 'the chosen'} stacks of ${options.cdkOut} (${stacks.map((s) => s.displayName).join(', ') || 'none'}); check the directory and --stack.`);
  }
  progress(`Found ${apis.length} BackendApiConfig in ${new Set(apis.map((a) => a.stack)).size} of ${all.length} stack(s) of ${options.cdkOut}.`);

  const results = await pool(apis, 4, async (api): Promise<ApiResult> => {
    const ctx: ResolveContext = {
      stackName: api.stack.stackName,
      template: api.stack.template,
      // An environment-agnostic stack's is the reader's (--region, else the SDK's chain).
      region: api.stack.region ?? await reader.region(),
      account: api.stack.account ?? options.account,
      parameters: options.parameters,
      values: options.values,
    };
    const props: Resolved<BackendApiResourceProperties> = resolveValue(api.properties, ctx);
    if (props instanceof Unresolved) return { api, unresolvedTarget: props };
    for (const v of [props.AppId, props.BackendEnvironmentName, props.ResourceName]) {
      const u = findUnresolved(v);
      if (u) return { api, unresolvedTarget: u };
    }
    const target: ApiTarget = { appId: String(props.AppId), backendEnvironmentName: String(props.BackendEnvironmentName), resourceName: String(props.ResourceName) };
    progress(`Reading ${describeTarget(target)}${ctx.region ? ` in ${ctx.region}` : ''} (${api.path})...`);
    let live;
    try {
      live = await reader.read(target, api.stack.region);
    } catch (err) {
      if (err instanceof CliError) throw new CliError(`${api.path}: ${err.message}`);
      throw err;
    }
    const rc = props.ResourceConfig;
    return { api, target, comparison: compare(rc, declaredSchema(props, rc, api.stack.assets), live.config) };
  });

  let differences = 0;
  let unresolved = 0;
  for (const r of results) {
    if (r.unresolvedTarget) unresolved++;
    for (const row of r.comparison?.rows ?? []) {
      if (row.unresolved) unresolved++;
      else differences++;
    }
  }
  return { results, differences, unresolved };
}

function table(rows: Row[]): string[] {
  const head = ['member', 'declared', 'live'];
  const cells = rows.map((r) => [r.member, r.declared, r.live]);
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `  ${c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(width[i]))).join('  ')}`.trimEnd();
  return [line(head), ...cells.map(line)];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The report printed on stdout. */
export function formatDiff(result: DiffResult): string {
  const out: string[] = [];
  for (const r of result.results) {
    const where = r.target ? ` (${describeTarget(r.target)})` : '';
    if (r.unresolvedTarget) {
      out.push(`${r.api.path}: not compared: its app, environment or API name is unresolved (${r.unresolvedTarget.what}): ${r.unresolvedTarget.hint}.`, '');
      continue;
    }
    const c = r.comparison!;
    const diffs = c.rows.filter((x) => !x.unresolved).length;
    const unres = c.rows.length - diffs;
    const summary = c.rows.length === 0
      ? `no difference (${plural(c.compared, 'member')} compared)`
      : [diffs ? plural(diffs, 'difference') : '', unres ? `${unres} unresolved` : ''].filter(Boolean).join(', ');
    out.push(`${r.api.path}${where}: ${summary}`);
    if (c.rows.length) out.push(...table(c.rows));
    for (const n of c.notes) out.push(`  ${n}`);
    const hints = [...new Map(c.rows.filter((x) => x.unresolved).map((x) => [x.unresolved!.what, x.unresolved!.hint])).entries()];
    for (const [what, hint] of hints) out.push(`  unresolved ${what}: ${hint}.`);
    out.push('');
  }
  const n = result.results.length;
  const parts = [`${plural(n, 'API')} checked`, plural(result.differences, 'difference')];
  if (result.unresolved) parts.push(`${result.unresolved} unresolved (not compared)`);
  out.push(`${parts.join(', ')}.`);
  return `${out.join('\n')}\n`;
}

/**
 * Compares what a `BackendApiConfig` declares (its template properties, resolved) with the live
 * API, member by member, under the semantics of UpdateBackendAPI as the construct uses it
 * (src/backend-api-config.ts): a member the template sends replaces the live one, a member it
 * leaves out keeps the live one. So only declared members are compared; an auth mode is sent
 * whole, so every setting of a declared auth mode is compared, live-only settings included;
 * additional auth modes are compared as a set, by mode.
 */
import { createHash } from 'crypto';
import type { BackendAPIAuthType, BackendAPIResourceConfig } from '@aws-sdk/client-amplifybackend';
import { Resolved, Unresolved } from './resolve';
import { wireName } from './service';
import type { ApiAuthProperties, ApiResourceConfigProperties } from '../src/handler-contract';

type Json = any;

/** One member whose declared value differs from the live one, or could not be resolved. */
export interface Row {
  /** Service member name, e.g. `conflictResolution.resolutionStrategy`, `additionalAuthTypes[API_KEY].settings.expirationTime`. */
  readonly member: string;
  readonly declared: string;
  readonly live: string;
  readonly unresolved?: Unresolved;
}

export interface Comparison {
  readonly rows: Row[];
  /** How many members were compared (resolved on both sides). */
  readonly compared: number;
  /** Explanations that go under the table (e.g. where two schemas first differ). */
  readonly notes: string[];
}

const NOT_SET = '(not set)';
const MAX_SHOWN = 60;

/** How a value is shown in the table. */
export function display(v: Json): string {
  if (v === undefined) return NOT_SET;
  if (v instanceof Unresolved) return `(unresolved: ${v.what})`;
  const text = typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v, (_k, x) => (x instanceof Unresolved ? `(unresolved: ${x.what})` : x));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

function schemaSummary(s: string): string {
  return `(schema: ${Buffer.byteLength(s, 'utf8').toLocaleString('en-US')} bytes, sha256 ${createHash('sha256').update(s).digest('hex').slice(0, 12)})`;
}

/** "first difference at line N: declared ..., live ..." */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `first difference at line ${i + 1}: declared ${display(x[i])}, live ${display(y[i])}`;
  }
  return 'they differ only in line endings';
}

/** The members a `BackendApiConfig` template may declare in ResourceConfig (SDK names). */
const KNOWN: ReadonlyArray<string> = ['ApiName', 'Service', 'TransformSchema', 'ConflictResolution', 'DefaultAuthType', 'AdditionalAuthTypes'] satisfies Array<keyof ApiResourceConfigProperties>;

class Comparer {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];
  compared = 0;

  scalar(member: string, declared: Json, live: Json, kind: 'string' | 'number' = 'string'): void {
    if (declared instanceof Unresolved) {
      this.rows.push({ member, declared: display(declared), live: display(live), unresolved: declared });
      return;
    }
    this.compared++;
    const same = declared === undefined || live === undefined
      ? declared === live
      : kind === 'number'
        ? Number(declared) === Number(live)
        : typeof declared === 'object' ? JSON.stringify(declared) === JSON.stringify(live) : String(declared) === String(live);
    // Numbers are shown as numbers, whichever way the template wrote them.
    const shown = kind === 'number' && typeof declared === 'string' && declared.trim() !== '' && !Number.isNaN(Number(declared)) ? Number(declared) : declared;
    if (!same) this.rows.push({ member, declared: display(shown), live: display(live) });
  }

  schema(declared: Json, live: string | undefined): void {
    if (declared instanceof Unresolved) {
      this.rows.push({ member: 'transformSchema', declared: display(declared), live: live === undefined ? NOT_SET : schemaSummary(live), unresolved: declared });
      return;
    }
    this.compared++;
    const d = declared === undefined ? undefined : String(declared);
    if (d === live) return;
    this.rows.push({
      member: 'transformSchema',
      declared: d === undefined ? NOT_SET : schemaSummary(d),
      live: live === undefined ? NOT_SET : schemaSummary(live),
    });
    if (d !== undefined && live !== undefined) this.notes.push(`transformSchema: ${firstDifference(d, live)}`);
  }

  /** Declared auth mode vs live; settings compared whole (the construct sends the auth mode whole). */
  auth(prefix: string, declared: Resolved<ApiAuthProperties>, live: BackendAPIAuthType | undefined, compareMode = true): void {
    if (declared instanceof Unresolved || declared === null || typeof declared !== 'object') {
      this.rows.push({ member: prefix, declared: display(declared), live: display(live), unresolved: declared instanceof Unresolved ? declared : undefined });
      return;
    }
    if (compareMode) this.scalar(`${prefix}.mode`, declared.Mode, live?.Mode);
    const ds = declared.Settings;
    if (ds instanceof Unresolved) {
      this.rows.push({ member: `${prefix}.settings`, declared: display(ds), live: display(live?.Settings), unresolved: ds });
      return;
    }
    const ls = (live?.Settings ?? {}) as Record<string, Json>;
    const keys = new Set([...Object.keys(ds ?? {}), ...Object.keys(ls).filter((k) => ls[k] !== undefined)]);
    for (const k of [...keys].sort()) {
      this.scalar(`${prefix}.settings.${wireName(k)}`, (ds as Record<string, Json> | undefined)?.[k], ls[k], k === 'ExpirationTime' ? 'number' : 'string');
    }
  }

  /** Declared additional auth modes vs live, as sets keyed by mode. */
  authList(prefix: string, declared: Resolved<ApiAuthProperties[]>, live: BackendAPIAuthType[] | undefined): void {
    if (declared instanceof Unresolved || !Array.isArray(declared)) {
      this.rows.push({ member: prefix, declared: display(declared), live: display(live), unresolved: declared instanceof Unresolved ? declared : undefined });
      return;
    }
    const byMode = new Map<string, { d: Array<Resolved<ApiAuthProperties>>; l: BackendAPIAuthType[] }>();
    const entry = (mode: string) => {
      let e = byMode.get(mode);
      if (!e) byMode.set(mode, e = { d: [], l: [] });
      return e;
    };
    declared.forEach((a, i) => {
      const mode = a instanceof Unresolved ? a : a?.Mode;
      if (mode instanceof Unresolved) this.rows.push({ member: `${prefix}[${i}]`, declared: display(mode), live: '(not compared)', unresolved: mode });
      else entry(String(mode)).d.push(a);
    });
    for (const l of live ?? []) entry(String(l.Mode)).l.push(l);
    this.compared++; // the set of modes
    for (const [mode, { d, l }] of byMode) {
      const member = `${prefix}[${mode}]`;
      if (d.length === 0 || l.length === 0 || d.length !== l.length) {
        const shown = (list: Json[]) => (list.length === 0 ? NOT_SET : list.length > 1 ? `${list.length} times` : display(settingsOf(list[0])));
        this.rows.push({ member, declared: shown(d), live: shown(l) });
        if (d.length !== 1 || l.length !== 1) continue;
      }
      this.auth(member, d[0], l[0], false);
    }
  }
}

/** An auth mode's settings in service member names, for display. */
function settingsOf(a: Json): Json {
  const s = a?.Settings;
  if (!s || typeof s !== 'object' || s instanceof Unresolved) return s ?? {};
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined).map(([k, v]) => [wireName(k), v]));
}

/**
 * @param declared the template's ResourceConfig, resolved (PascalCase; scalars may be numbers or strings)
 * @param declaredSchema the schema from ResourceConfig.TransformSchema or TransformSchemaLocation; undefined when not declared
 * @param live the live settings (GetBackendAPI)
 */
export function compare(declared: Resolved<ApiResourceConfigProperties> | undefined, declaredSchema: Resolved<string> | undefined,
  live: BackendAPIResourceConfig): Comparison {
  const c = new Comparer();
  const d = declared ?? {};
  if (d instanceof Unresolved) {
    c.rows.push({ member: 'resourceConfig', declared: display(d), live: '(not compared)', unresolved: d });
    return c;
  }
  if (d.ApiName !== undefined) c.scalar('apiName', d.ApiName, live.ApiName);
  if (d.Service !== undefined) c.scalar('service', d.Service, live.Service);
  if (declaredSchema !== undefined) c.schema(declaredSchema, live.TransformSchema);
  if (d.ConflictResolution !== undefined) {
    const cr = d.ConflictResolution;
    c.scalar('conflictResolution.resolutionStrategy', cr instanceof Unresolved ? cr : cr?.ResolutionStrategy, live.ConflictResolution?.ResolutionStrategy);
  }
  if (d.DefaultAuthType !== undefined) c.auth('defaultAuthType', d.DefaultAuthType, live.DefaultAuthType);
  if (d.AdditionalAuthTypes !== undefined) c.authList('additionalAuthTypes', d.AdditionalAuthTypes, live.AdditionalAuthTypes);
  for (const k of Object.keys(d)) {
    if (!KNOWN.includes(k)) {
      const u = new Unresolved(`resourceConfig.${wireName(k)}`, 'a member this version of cdk-amplify-backend diff does not know');
      c.rows.push({ member: wireName(k), declared: display((d as Record<string, Json>)[k]), live: '(not compared)', unresolved: u });
    }
  }
  return c;
}

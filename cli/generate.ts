/**
 * `import`: turns a live API (GetBackendAPI) into a self-contained TypeScript or Python module
 * that defines a construct holding the `BackendApiConfig` that reproduces every setting read.
 *
 * The rule for what the construct cannot express exactly: UpdateBackendAPI keeps the members it
 * is not sent (src/backend-api-config.ts), so such a member is left out of the code, which keeps
 * the live value on deploy, and is named in a warning (stderr and a comment in the module).
 * Auth modes go together: the construct sends the default and the additional modes whole, so if
 * one of them cannot be expressed exactly, none is declared.
 */
import type { BackendAPIAuthType, BackendAPIResourceConfig } from '@aws-sdk/client-amplifybackend';
import { LiveApi, wireName } from './service';
import { MAX_INLINE_SCHEMA_BYTES } from '../src/handler-contract';
import type { ApiAuthProperties, ApiAuthSettingsProperties } from '../src/handler-contract';
import { AUTH_MODES, Unit, allResolved, validateBackendApi, withUnit } from '../src/validation';

export type Language = 'typescript' | 'python';


export interface GenerateOptions {
  readonly language: Language;
  /** Name of the construct class. Default: from the resource name, e.g. `BlogapiBackendApi`. */
  readonly className?: string;
  /** File name of the module (no folder), used to name the schema file beside it. */
  readonly moduleFileName?: string;
}

export interface GeneratedModule {
  readonly code: string;
  /** The schema, when too large to inline: to be written beside the module under `name`. */
  readonly schemaFile?: { readonly name: string; readonly content: string };
  /** What the code does not reproduce, one sentence each. */
  readonly warnings: string[];
  readonly className: string;
}

/** `blogapi` -> `BlogapiBackendApi`. */
export function classNameFor(resourceName: string): string {
  const word = resourceName.replace(/[^A-Za-z0-9_]/g, '');
  const base = word.length === 0 ? 'Imported' : word[0].toUpperCase() + word.slice(1);
  return `${/^[0-9]/.test(base) ? 'Api' : ''}${base}BackendApi`;
}

// ---------------------------------------------------------------------------------------------
// What to declare (language-neutral)
// ---------------------------------------------------------------------------------------------

type AuthPlan =
  | { readonly kind: 'apiKey'; readonly description?: string; readonly expirationDays?: number }
  | { readonly kind: 'iam' }
  | { readonly kind: 'userPool'; readonly userPoolId: string }
  | {
    readonly kind: 'openIdConnect';
    readonly providerName: string;
    readonly issuerUrl: string;
    readonly clientId?: string;
    readonly authTtlMs?: number;
    readonly iatTtlMs?: number;
  };

interface Plan {
  readonly apiName?: string;
  readonly service?: string;
  readonly schema?: string;
  readonly defaultAuth?: AuthPlan;
  readonly additionalAuth: AuthPlan[];
  readonly conflictResolution?: string;
  readonly warnings: string[];
}

/** The settings each mode the library's rules know takes in ApiAuth, by contract (and SDK) member name. */
const MODE_SETTINGS: Record<(typeof AUTH_MODES)[number], ReadonlyArray<keyof ApiAuthSettingsProperties>> = {
  API_KEY: ['Description', 'ExpirationTime'],
  AWS_IAM: [],
  AMAZON_COGNITO_USER_POOLS: ['CognitoUserPoolId'],
  OPENID_CONNECT: ['OpenIDProviderName', 'OpenIDIssueURL', 'OpenIDClientId', 'OpenIDAuthTTL', 'OpenIDIatTTL'],
};

const show = (v: unknown) => (typeof v === 'string' && v.length > 80 ? `${JSON.stringify(v.slice(0, 77))}... (${v.length} characters)` : JSON.stringify(v));

/** The unit of the settings that are numbers (the wire's: API key days, OpenID milliseconds). */
const SETTING_UNITS: Record<string, Unit> = { ExpirationTime: 'days', OpenIDAuthTTL: 'ms', OpenIDIatTTL: 'ms' };

/** A setting's value for a message: a number with its unit, anything else as `show` has it. */
const showSetting = (k: string, v: unknown) => (SETTING_UNITS[k] ? withUnit(v, SETTING_UNITS[k], show) : show(v));

/** A TTL in milliseconds, exactly as the wire string says, or undefined when it is not a plain whole number. */
function millis(v: string): number | undefined {
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && String(n) === v ? n : undefined;
}

/** Maps one live auth mode to the factory that reproduces it, or says why none can. */
function planAuth(a: BackendAPIAuthType, where: string): { plan?: AuthPlan; problems: string[] } {
  const problems: string[] = [];
  const mode = a.Mode;
  const s = (a.Settings ?? {}) as Record<string, unknown>;
  if (mode === undefined || !(mode in MODE_SETTINGS)) {
    return { problems: [`${where}.mode is ${show(mode)}, which ApiAuth cannot express`] };
  }
  for (const [k, v] of Object.entries(s)) {
    if (v !== undefined && !(MODE_SETTINGS[mode] as readonly string[]).includes(k)) problems.push(`${where}.settings.${wireName(k)} is ${showSetting(k, v)}, a setting that ${mode} does not take in ApiAuth`);
  }
  const str = (k: string) => s[k] as string | undefined;
  let plan: AuthPlan | undefined;
  switch (mode) {
    case 'API_KEY': {
      const exp = s.ExpirationTime as number | undefined;
      plan = { kind: 'apiKey', description: str('Description'), expirationDays: exp };
      break;
    }
    case 'AWS_IAM':
      plan = { kind: 'iam' };
      break;
    case 'AMAZON_COGNITO_USER_POOLS':
      if (str('CognitoUserPoolId') === undefined) problems.push(`${where} has no settings.cognitoUserPoolId, which ApiAuth.userPool() needs`);
      else plan = { kind: 'userPool', userPoolId: str('CognitoUserPoolId')! };
      break;
    case 'OPENID_CONNECT': {
      const ttl = (k: string) => {
        const v = str(k);
        if (v === undefined) return undefined;
        const ms = millis(v);
        if (ms === undefined) problems.push(`${where}.settings.${wireName(k)} is ${showSetting(k, v)}, not a whole number of milliseconds that Duration.millis() can express`);
        return ms;
      };
      const authTtlMs = ttl('OpenIDAuthTTL');
      const iatTtlMs = ttl('OpenIDIatTTL');
      if (str('OpenIDProviderName') === undefined) problems.push(`${where} has no settings.openIDProviderName, which ApiAuth.openIdConnect() needs`);
      if (str('OpenIDIssueURL') === undefined) problems.push(`${where} has no settings.openIDIssueURL, which ApiAuth.openIdConnect() needs`);
      if (problems.length === 0) {
        plan = { kind: 'openIdConnect', providerName: str('OpenIDProviderName')!, issuerUrl: str('OpenIDIssueURL')!, clientId: str('OpenIDClientId'), authTtlMs, iatTtlMs };
      }
      break;
    }
  }
  return problems.length ? { problems } : { plan, problems };
}

/** The auth plan as the construct renders it into the template, for the library's own validation. */
function render(p: AuthPlan): ApiAuthProperties {
  const num = (n: number | undefined) => (n === undefined ? undefined : String(n));
  const settings = (o: Record<string, string | undefined>) => {
    const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    return Object.keys(kept).length ? kept : undefined;
  };
  switch (p.kind) {
    case 'apiKey': return { Mode: 'API_KEY', Settings: settings({ Description: p.description, ExpirationTime: num(p.expirationDays) }) };
    case 'iam': return { Mode: 'AWS_IAM' };
    case 'userPool': return { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: p.userPoolId } };
    case 'openIdConnect': return {
      Mode: 'OPENID_CONNECT',
      Settings: settings({ OpenIDProviderName: p.providerName, OpenIDIssueURL: p.issuerUrl, OpenIDClientId: p.clientId, OpenIDAuthTTL: num(p.authTtlMs), OpenIDIatTTL: num(p.iatTtlMs) }),
    };
  }
}

function describeModes(c: BackendAPIResourceConfig): string {
  const d = c.DefaultAuthType?.Mode ?? 'none';
  const a = (c.AdditionalAuthTypes ?? []).map((x) => x.Mode ?? '?');
  return `default ${d}, additional ${a.length ? a.join(', ') : 'none'}`;
}

const AUTH_MEMBER = /^resourceConfig\.(defaultAuthType|additionalAuthTypes)/;

function planModule(api: LiveApi): Plan {
  const c = api.config;
  const warnings: string[] = [];
  const keep = (what: string) => `${what}; it is left out of the code, so the API keeps it`;

  let apiName = c.ApiName;
  let service = c.Service;
  let schema = c.TransformSchema;
  let conflictResolution = c.ConflictResolution?.ResolutionStrategy as string | undefined;

  // Auth modes: all or nothing (the construct sends the default and the additional modes whole).
  let defaultAuth: AuthPlan | undefined;
  let additionalAuth: AuthPlan[] = [];
  const additional = c.AdditionalAuthTypes ?? [];
  const authProblems: string[] = [];
  if (c.DefaultAuthType !== undefined || additional.length > 0) {
    const inAuth = api.unknownMembers.filter((m) => AUTH_MEMBER.test(m));
    if (inAuth.length) authProblems.push(`the service returned members the construct does not know: ${inAuth.join(', ')}`);
    if (c.DefaultAuthType === undefined) {
      authProblems.push('the API has additional auth modes but no default one, and the construct declares additional modes only with a default');
    } else {
      const d = planAuth(c.DefaultAuthType, 'defaultAuthType');
      authProblems.push(...d.problems);
      defaultAuth = d.plan;
    }
    additional.forEach((a, i) => {
      const r = planAuth(a, `additionalAuthTypes[${i}]`);
      authProblems.push(...r.problems);
      if (r.plan) additionalAuth.push(r.plan);
    });
  }

  // The library's own rules (src/validation.ts) decide what else the construct would reject.
  const rules = (): string[] => validateBackendApi({
    AppId: api.appId,
    BackendEnvironmentName: api.backendEnvironmentName,
    ResourceName: api.resourceName,
    ResourceConfig: {
      ApiName: apiName,
      Service: service,
      TransformSchema: schema,
      ConflictResolution: conflictResolution === undefined ? undefined : { ResolutionStrategy: conflictResolution },
      DefaultAuthType: authProblems.length || !defaultAuth ? undefined : render(defaultAuth),
      AdditionalAuthTypes: authProblems.length || !defaultAuth ? undefined : additionalAuth.map(render),
    },
  }, allResolved).map((e) => e.replace(/^BackendApiConfig: /, ''));
  for (const error of rules()) {
    const rejected = `the construct would reject it: ${error.replace(/\.$/, '')}`;
    if (/^(invalid )?(defaultAuthType|additionalAuthTypes)/.test(error)) {authProblems.push(rejected);} else if (/^(invalid )?apiName\b/.test(error)) {
      warnings.push(keep(`apiName ${show(apiName)}: ${rejected}`));
      apiName = undefined;
    } else if (/^(invalid )?service\b/.test(error)) {
      warnings.push(keep(`service ${show(service)}: ${rejected}`));
      service = undefined;
    } else if (/^(invalid )?transformSchema\b/.test(error)) {
      warnings.push(keep(`transformSchema ${show(schema)}: ${rejected}`));
      schema = undefined;
    } else if (/^(invalid )?conflictResolution\b/.test(error)) {
      warnings.push(keep(`conflictResolution.resolutionStrategy ${show(conflictResolution)}: ${rejected}`));
      conflictResolution = undefined;
    } else {
      warnings.push(`${rejected}; fix the generated code before deploying it`);
    }
  }
  if (authProblems.length) {
    for (const p of authProblems) warnings.push(p);
    warnings.push(`The auth modes (${describeModes(c)}) are therefore left out of the code, so the API keeps them; declare them yourself once the above is settled`);
    defaultAuth = undefined;
    additionalAuth = [];
  }
  const topUnknown = api.unknownMembers.filter((m) => !AUTH_MEMBER.test(m));
  if (topUnknown.length) warnings.push(keep(`the service returned members the construct does not know: ${topUnknown.join(', ')}`));

  return {
    apiName,
    service,
    schema,
    defaultAuth,
    additionalAuth,
    conflictResolution,
    warnings: warnings.map((w) => (w.endsWith('.') ? w : `${w}.`)),
  };
}

// ---------------------------------------------------------------------------------------------
// Code (a tiny expression tree, printed per language)
// ---------------------------------------------------------------------------------------------

type Expr =
  | { readonly t: 'raw'; readonly code: string }
  | { readonly t: 'str'; readonly value: string }
  /** A call; `named` becomes an object literal (TypeScript) or keyword arguments (Python). */
  | { readonly t: 'call'; readonly fn: string; readonly args: Expr[]; readonly named?: Array<[string, Expr]>; readonly isNew?: boolean }
  | { readonly t: 'list'; readonly items: Expr[] };

const raw = (code: string): Expr => ({ t: 'raw', code });
const str = (value: string): Expr => ({ t: 'str', value });
const call = (fn: string, args: Expr[], named?: Array<[string, Expr | undefined]>, isNew = false): Expr => ({
  t: 'call', fn, args, named: named?.filter((e): e is [string, Expr] => e[1] !== undefined), isNew,
});

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A string literal: single-quoted in TypeScript, double-quoted in Python. */
export function stringLiteral(value: string, lang: Language): string {
  const q = lang === 'typescript' ? '\'' : '"';
  let out = q;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') {out += '\\\\';} else if (ch === q) {out += `\\${q}`;} else if (ch === '\n') {out += '\\n';} else if (ch === '\r') {out += '\\r';} else if (ch === '\t') {out += '\\t';} else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff)) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {out += ch;}
  }
  return out + q;
}

/** A multi-line string literal that reads as the schema does: a template literal, or a Python triple-quoted string. */
export function blockLiteral(value: string, lang: Language): string {
  const controls = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\ud800-\udfff]/g, (c) => (c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  if (lang === 'typescript') {
    const body = controls(value.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${'));
    return `\`\\\n${body}\``;
  }
  // Quotes that would end the literal: runs of three, and the quotes just before the closing ones.
  const body = controls(value.replace(/\\/g, '\\\\')).replace(/"{3,}|"+$/g, (m) => m.replace(/"/g, '\\"'));
  return `"""\\\n${body}"""`;
}

const MAX_LINE = 100;

/**
 * Prints `e` on one line when it fits, else over several.
 * @param indent the indentation of the line the expression starts on
 * @param lead how many characters precede the expression on that line, after the indentation (and follow it: ',' or ';')
 */
function print(e: Expr, lang: Language, indent: string, lead = 0): string {
  const flat = printFlat(e, lang);
  if (indent.length + lead + flat.length <= MAX_LINE && !flat.includes('\n')) return flat;
  const inner = `${indent}  ${lang === 'python' ? '  ' : ''}`;
  switch (e.t) {
    case 'raw': case 'str': return flat;
    case 'list': return `[\n${e.items.map((i) => `${inner}${print(i, lang, inner, 1)},\n`).join('')}${indent}]`;
    case 'call': {
      const named = e.named ?? [];
      if (lang === 'python') {
        const parts = [...e.args.map((a) => print(a, lang, inner, 1)), ...named.map(([k, v]) => `${snake(k)}=${print(v, lang, inner, snake(k).length + 2)}`)];
        return `${e.fn}(\n${parts.map((p) => `${inner}${p},\n`).join('')}${indent})`;
      }
      const fn = `${e.isNew ? 'new ' : ''}${e.fn}`;
      if (named.length === 0) {
        return `${fn}(\n${e.args.map((a) => `${inner}${print(a, lang, inner, 1)},\n`).join('')}${indent})`;
      }
      const positional = e.args.map((a) => printFlat(a, lang));
      const obj = `{\n${named.map(([k, v]) => `${inner}${k}: ${print(v, lang, inner, k.length + 3)},\n`).join('')}${indent}}`;
      return `${fn}(${[...positional, obj].join(', ')})`;
    }
  }
}

function printFlat(e: Expr, lang: Language): string {
  switch (e.t) {
    case 'raw': return e.code;
    case 'str': return stringLiteral(e.value, lang);
    case 'list': return `[${e.items.map((i) => printFlat(i, lang)).join(', ')}]`;
    case 'call': {
      const named = e.named ?? [];
      const args = e.args.map((a) => printFlat(a, lang));
      if (lang === 'python') return `${e.fn}(${[...args, ...named.map(([k, v]) => `${snake(k)}=${printFlat(v, lang)}`)].join(', ')})`;
      if (named.length) args.push(`{ ${named.map(([k, v]) => `${k}: ${printFlat(v, lang)}`).join(', ')} }`);
      return `${e.isNew ? 'new ' : ''}${e.fn}(${args.join(', ')})`;
    }
  }
}

class Imports {
  readonly used = new Set<string>();
  use(...names: string[]): void {
    names.forEach((n) => this.used.add(n));
  }
}

function authExpr(p: AuthPlan, lang: Language, imports: Imports): Expr {
  const m = (n: string) => (lang === 'python' ? snake(n) : n);
  const self = lang === 'python' ? 'self' : 'this';
  imports.use('ApiAuth');
  const duration = (unit: 'days' | 'millis', n: number | undefined) => {
    if (n === undefined) return undefined;
    imports.use('Duration');
    return call(`Duration.${unit}`, [raw(String(n))]);
  };
  switch (p.kind) {
    case 'apiKey': {
      const named: Array<[string, Expr | undefined]> = [
        ['description', p.description === undefined ? undefined : str(p.description)],
        ['expiration', duration('days', p.expirationDays)],
      ];
      return named.some(([, v]) => v) ? call(`ApiAuth.${m('apiKey')}`, [], named) : call(`ApiAuth.${m('apiKey')}`, []);
    }
    case 'iam': return call('ApiAuth.iam', []);
    case 'userPool':
      imports.use('cognito');
      return call(`ApiAuth.${m('userPool')}`, [call(`cognito.UserPool.${m('fromUserPoolId')}`, [raw(self), str('UserPool'), str(p.userPoolId)])]);
    case 'openIdConnect':
      return call(`ApiAuth.${m('openIdConnect')}`, [], [
        ['providerName', str(p.providerName)],
        ['issuerUrl', str(p.issuerUrl)],
        ['clientId', p.clientId === undefined ? undefined : str(p.clientId)],
        ['authTtl', duration('millis', p.authTtlMs)],
        ['iatTtl', duration('millis', p.iatTtlMs)],
      ]);
  }
}

/** Comment lines, wrapped at ~100 columns. */
function comment(text: string, prefix: string): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    const lead = para.match(/^\s*/)![0];
    for (const word of para.trim().split(/\s+/)) {
      if (line && (prefix + lead + line + ' ' + word).length > MAX_LINE) {
        lines.push(`${prefix}${lead}${line}`);
        line = word;
      } else {line = line ? `${line} ${word}` : word;}
    }
    lines.push(`${prefix}${lead}${line}`.trimEnd());
  }
  return lines;
}

/** Generates the module for one live API. */
export function generate(api: LiveApi, options: GenerateOptions): GeneratedModule {
  const lang = options.language;
  const py = lang === 'python';
  const className = options.className ?? classNameFor(api.resourceName);
  const p = planModule(api);
  const imports = new Imports();
  imports.use('BackendApiConfig', 'Construct');

  // The schema: inline when small, else a file beside the module.
  let schemaExpr: Expr | undefined;
  let schemaFile: GeneratedModule['schemaFile'];
  let schemaConst: string | undefined;
  if (p.schema !== undefined) {
    imports.use('ApiSchema');
    if (Buffer.byteLength(p.schema, 'utf8') <= MAX_INLINE_SCHEMA_BYTES) {
      schemaConst = 'SCHEMA';
      schemaExpr = call(`ApiSchema.${py ? 'from_string' : 'fromString'}`, [raw('SCHEMA')]);
    } else {
      const base = (options.moduleFileName ?? (py ? `${snake(className).replace(/^_/, '')}.py` : `${className}.ts`)).replace(/\.(ts|py|js|mts|cts)$/, '');
      schemaFile = { name: `${base}.graphql`, content: p.schema };
      imports.use(py ? 'os' : 'path');
      const file = str(schemaFile.name);
      schemaExpr = call(`ApiSchema.${py ? 'from_file' : 'fromFile'}`, [py
        ? call('os.path.join', [call('os.path.dirname', [raw('__file__')]), file])
        : call('path.join', [raw('__dirname'), file])]);
    }
  }
  if (p.conflictResolution !== undefined) imports.use('ConflictResolutionStrategy');

  const props: Array<[string, Expr | undefined]> = [
    ['appId', str(api.appId)],
    ['backendEnvironmentName', str(api.backendEnvironmentName)],
    ['resourceName', str(api.resourceName)],
    ['apiName', p.apiName === undefined ? undefined : str(p.apiName)],
    ['service', p.service === undefined ? undefined : str(p.service)],
    ['transformSchema', schemaExpr],
    ['defaultAuthType', p.defaultAuth && authExpr(p.defaultAuth, lang, imports)],
    ['additionalAuthTypes', p.additionalAuth.length ? { t: 'list', items: p.additionalAuth.map((a) => authExpr(a, lang, imports)) } : undefined],
    ['conflictResolution', p.conflictResolution === undefined ? undefined : raw(`ConflictResolutionStrategy.${p.conflictResolution}`)],
  ];
  const ctor = call('BackendApiConfig', [raw(py ? 'self' : 'this'), str('Resource')], props, !py);

  const c = py ? '#' : '//';
  const where = `the "${api.resourceName}" API of Amplify app ${api.appId}, environment "${api.backendEnvironmentName}"`;
  const header = comment([
    `Generated by \`cdk-amplify-backend import\` from ${where}.`,
    `Review it, then add it to a stack: ${py ? `${className}(self, "${className.replace(/BackendApi$/, '')}")` : `new ${className}(this, '${className.replace(/BackendApi$/, '')}');`}`,
    'Deploying applies these settings with UpdateBackendAPI; `cdk-amplify-backend diff` compares a synthesized stack with the live API.',
    ...(p.warnings.length
      ? ['', 'Not reproduced here (also printed by the import):', ...p.warnings.map((w) => `  - ${w}`)]
      : []),
  ].join('\n'), `${c} `).map((l) => (l === `${c} ` ? c : l));
  const doc = `${where[0].toUpperCase()}${where.slice(1)}, as read with GetBackendAPI.`;

  const lines: string[] = [...header, ''];
  const u = imports.used;
  if (py) {
    if (u.has('os')) lines.push('import os', '');
    const cdk = [u.has('Duration') ? 'Duration' : ''].filter(Boolean);
    if (cdk.length) lines.push(`from aws_cdk import ${cdk.join(', ')}`);
    if (u.has('cognito')) lines.push('from aws_cdk import aws_cognito as cognito');
    lines.push(`from cdk_amplify_backend import ${['ApiAuth', 'ApiSchema', 'BackendApiConfig', 'ConflictResolutionStrategy'].filter((n) => u.has(n)).join(', ')}`);
    lines.push('from constructs import Construct', '');
    if (schemaConst) lines.push('# The transform schema of the live API.', `${schemaConst} = ${blockLiteral(p.schema!, lang)}`, '');
    lines.push(
      '',
      `class ${className}(Construct):`,
      ...comment(doc, '    ').map((l, i, all) => (i === 0 ? l.replace(/^ {4}/, '    """') : l) + (i === all.length - 1 ? '"""' : '')),
      '',
      '    def __init__(self, scope: Construct, id: str) -> None:',
      '        super().__init__(scope, id)',
      `        self.api = ${print(ctor, lang, '        ', 11)}`,
      '',
    );
  } else {
    if (u.has('path')) lines.push('import * as path from \'path\';');
    if (u.has('Duration')) lines.push('import { Duration } from \'aws-cdk-lib\';');
    if (u.has('cognito')) lines.push('import * as cognito from \'aws-cdk-lib/aws-cognito\';');
    lines.push(`import { ${['ApiAuth', 'ApiSchema', 'BackendApiConfig', 'ConflictResolutionStrategy'].filter((n) => u.has(n)).join(', ')} } from 'cdk-amplify-backend';`);
    lines.push('import { Construct } from \'constructs\';', '');
    if (schemaConst) lines.push('/** The transform schema of the live API. */', `const ${schemaConst} = ${blockLiteral(p.schema!, lang)};`, '');
    lines.push(
      '/**',
      ...comment(doc, ' * '),
      ' */',
      `export class ${className} extends Construct {`,
      '  /** The backend API configuration. */',
      '  public readonly api: BackendApiConfig;',
      '',
      '  public constructor(scope: Construct, id: string) {',
      '    super(scope, id);',
      `    this.api = ${print(ctor, lang, '    ', 12)};`,
      '  }',
      '}',
      '',
    );
  }
  return { code: lines.join('\n'), schemaFile, warnings: p.warnings, className };
}

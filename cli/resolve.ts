/**
 * Resolves the CloudFormation intrinsics of a template value as far as a synthesized template
 * allows without asking CloudFormation: parameters (values given with --parameter, else their
 * Default, except SSM parameter types), pseudo parameters (region and account of the stack or
 * given on the command line), Fn::Join / Fn::Sub / Fn::Select / Fn::Split / Fn::FindInMap over
 * resolved values, and values given with --value for Ref / Fn::GetAtt of resources. Anything
 * else (a resource's Ref or attribute, Fn::ImportValue, Fn::If, ...) stays an `Unresolved`.
 */
import { partition } from '@aws-sdk/core/client';

type Json = any;

/** A value that cannot be known from the cloud assembly alone. */
export class Unresolved {
  /**
   * @param what the intrinsic, e.g. "Ref AdminUsers5A2E1B5C"
   * @param hint how the user can supply it
   */
  public constructor(readonly what: string, readonly hint: string) {}
}

/**
 * A shape of the handler contract (src/handler-contract.ts) as `resolveValue` returns it from a
 * template: any member may be `Unresolved`, and a string may be a number or boolean as written.
 */
export type Resolved<T> = Unresolved | (T extends string ? string | number | boolean
  : T extends ReadonlyArray<infer U> ? Array<Resolved<U>>
    : T extends object ? { readonly [K in keyof T]?: Resolved<T[K]> } : T);

/** Marks `Ref: AWS::NoValue`: the member is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

export interface ResolveContext {
  readonly stackName: string;
  readonly template: Json;
  readonly region?: string;
  readonly account?: string;
  /** --parameter NAME=VALUE */
  readonly parameters: Readonly<Record<string, string>>;
  /** --value LogicalId=VALUE, --value LogicalId.Attribute=VALUE */
  readonly values: Readonly<Record<string, string>>;
}

/** The first unresolved piece of a value, if any (deep). */
export function findUnresolved(v: Json): Unresolved | undefined {
  if (v instanceof Unresolved) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const u = findUnresolved(x);
      if (u) return u;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) {
      const u = findUnresolved(x);
      if (u) return u;
    }
  }
  return undefined;
}

/** Resolves a template value; unresolvable pieces become `Unresolved`, objects and lists keep their resolved parts. */
export function resolveValue(value: Json, ctx: ResolveContext): Json {
  const r = resolve(value, ctx);
  return r === NO_VALUE ? undefined : r;
}

function resolve(value: Json, ctx: ResolveContext): Json {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return intrinsic(keys[0], value[keys[0]], ctx);
  const out: Record<string, Json> = {};
  for (const k of keys) {
    const v = resolve(value[k], ctx);
    if (v !== NO_VALUE) out[k] = v;
  }
  return out;
}

/** A string for Join/Sub, or the Unresolved that prevents it. */
function scalar(v: Json): string | Unresolved {
  const u = findUnresolved(v);
  if (u) return u;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return new Unresolved(`a ${Array.isArray(v) ? 'list' : 'structure'} where a string is expected`, 'synthesize again; the template looks malformed');
}

function intrinsic(fn: string, arg: Json, ctx: ResolveContext): Json {
  switch (fn) {
    case 'Ref': return ref(String(arg), ctx);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
      return getAtt(String(id), String(attr), ctx);
    }
    case 'Fn::Join': {
      const [sep, list] = arg;
      const items = resolve(list, ctx);
      if (items instanceof Unresolved) return items;
      const parts = (items as Json[]).map(scalar);
      const u = parts.find((p): p is Unresolved => p instanceof Unresolved);
      return u ?? parts.join(String(sep));
    }
    case 'Fn::Sub': {
      const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
      let unresolved: Unresolved | undefined;
      const out = String(text).replace(/\$\{([^}]*)\}/g, (_m: string, name: string) => {
        if (name.startsWith('!')) return `\${${name.slice(1)}}`;
        let v: Json;
        if (vars && Object.prototype.hasOwnProperty.call(vars, name)) v = resolve(vars[name], ctx);
        else if (name.includes('.') && !name.startsWith('AWS::')) v = getAtt(name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1), ctx);
        else v = ref(name, ctx);
        const s = scalar(v);
        if (s instanceof Unresolved) {
          unresolved ??= s;
          return '';
        }
        return s;
      });
      return unresolved ?? out;
    }
    case 'Fn::Select': {
      const index = scalar(resolve(arg[0], ctx));
      const list = resolve(arg[1], ctx);
      if (index instanceof Unresolved) return index;
      if (list instanceof Unresolved) return list;
      if (!Array.isArray(list) || list[Number(index)] === undefined) return new Unresolved(`Fn::Select ${index}`, 'the list is shorter than the index');
      return list[Number(index)];
    }
    case 'Fn::Split': {
      const s = scalar(resolve(arg[1], ctx));
      return s instanceof Unresolved ? s : s.split(String(arg[0]));
    }
    case 'Fn::FindInMap': {
      const keys = (arg as Json[]).slice(0, 3).map((k) => scalar(resolve(k, ctx)));
      const u = keys.find((k): k is Unresolved => k instanceof Unresolved);
      if (u) return u;
      const [map, top, second] = keys as string[];
      const v = ctx.template.Mappings?.[map]?.[top]?.[second];
      return v === undefined ? new Unresolved(`Fn::FindInMap ${map}.${top}.${second}`, 'the template has no such mapping entry') : v;
    }
    default:
      return new Unresolved(`${fn} ${JSON.stringify(arg).slice(0, 60)}`, `${fn} cannot be evaluated from the cloud assembly`);
  }
}

function ref(name: string, ctx: ResolveContext): Json {
  switch (name) {
    case 'AWS::NoValue': return NO_VALUE;
    case 'AWS::StackName': return ctx.stackName;
    case 'AWS::Region': return ctx.region ?? new Unresolved('AWS::Region', 'the stack is environment-agnostic; pass --region');
    case 'AWS::AccountId': return ctx.account ?? new Unresolved('AWS::AccountId', 'the stack is environment-agnostic; pass --account');
    // The partition and its DNS suffix as the SDK's partition table has them (as lambda/schema.ts reads them).
    case 'AWS::Partition': return ctx.region ? partition(ctx.region).name : new Unresolved('AWS::Partition', 'the stack is environment-agnostic; pass --region');
    case 'AWS::URLSuffix': return ctx.region ? partition(ctx.region).dnsSuffix : new Unresolved('AWS::URLSuffix', 'the stack is environment-agnostic; pass --region');
  }
  if (name.startsWith('AWS::')) return new Unresolved(name, 'only CloudFormation knows it');
  const param = ctx.template.Parameters?.[name];
  if (param) {
    const type = String(param.Type ?? 'String');
    const given = ctx.parameters[name];
    const value = given ?? (type.startsWith('AWS::SSM::Parameter::') ? undefined : param.Default);
    if (value === undefined) {
      const why = type.startsWith('AWS::SSM::Parameter::') ? 'an SSM parameter, whose value only CloudFormation reads' : 'a parameter without a default';
      return new Unresolved(`Ref ${name}`, `${name} is ${why}; pass --parameter ${name}=VALUE`);
    }
    return /^(List<|CommaDelimitedList)/.test(type) ? String(value).split(',') : String(value);
  }
  if (ctx.values[name] !== undefined) return ctx.values[name];
  const resource = ctx.template.Resources?.[name];
  if (!resource) return new Unresolved(`Ref ${name}`, `the template has no parameter or resource ${name}`);
  return new Unresolved(`Ref ${name}`, `${name} is a ${resource.Type} of the stack, known only once deployed; pass --value ${name}=VALUE (its physical ID)`);
}

function getAtt(id: string, attr: string, ctx: ResolveContext): Json {
  const key = `${id}.${attr}`;
  if (ctx.values[key] !== undefined) return ctx.values[key];
  const resource = ctx.template.Resources?.[id];
  if (!resource) return new Unresolved(`Fn::GetAtt ${key}`, `the template has no resource ${id}`);
  return new Unresolved(`Fn::GetAtt ${key}`, `${id} is a ${resource.Type} of the stack, known only once deployed; pass --value ${key}=VALUE`);
}

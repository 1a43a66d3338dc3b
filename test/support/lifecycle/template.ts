/**
 * The stand-in's reading of a cloud assembly: the stack's template, its file assets (where the
 * asset manifest says they are uploaded, and where they lie in the assembly), and the resolution
 * of intrinsic functions with physical names and ARNs shaped like the ones CloudFormation makes.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

export type Json = any;
export type Props = Record<string, Json>;

/** One file asset as the asset manifest describes it: its source in the assembly and its S3 destination. */
export interface FileAsset {
  /** Bucket name as written in the manifest, with `${AWS::AccountId}` / `${AWS::Region}` / `${AWS::Partition}` placeholders. */
  readonly bucketName: string;
  readonly objectKey: string;
  /** Absolute path of the source (a file, or a folder uploaded as a zip). */
  readonly path: string;
  readonly packaging: 'file' | 'zip';
}

export interface Assembly {
  readonly dir: string;
  readonly template: Json;
  /** Asset folders by S3 object key (what a function's `Code.S3Key` names). */
  readonly assetPaths: Map<string, string>;
  readonly files: readonly FileAsset[];
}

/** Loads the template and the file assets of one stack of a cloud assembly. */
export function readAssembly(cdkOut: string, stackName: string): Assembly {
  const manifest = JSON.parse(fs.readFileSync(path.join(cdkOut, 'manifest.json'), 'utf8'));
  const artifact = manifest.artifacts?.[stackName];
  if (!artifact) throw new Error(`no stack ${stackName} in ${cdkOut} (artifacts: ${Object.keys(manifest.artifacts ?? {}).join(', ')})`);
  const template = JSON.parse(fs.readFileSync(path.join(cdkOut, artifact.properties.templateFile), 'utf8'));
  const assetPaths = new Map<string, string>();
  const files: FileAsset[] = [];
  for (const [, a] of Object.entries<Json>(manifest.artifacts)) {
    if (a.type !== 'cdk:asset-manifest') continue;
    const assets = JSON.parse(fs.readFileSync(path.join(cdkOut, a.properties.file), 'utf8'));
    for (const file of Object.values<Json>(assets.files ?? {})) {
      const source = path.join(cdkOut, file.source.path);
      for (const dest of Object.values<Json>(file.destinations ?? {})) {
        assetPaths.set(dest.objectKey, source);
        files.push({ bucketName: dest.bucketName, objectKey: dest.objectKey, path: source, packaging: file.source.packaging === 'zip' ? 'zip' : 'file' });
      }
    }
  }
  return { dir: cdkOut, template, assetPaths, files };
}

/** What the resolver needs from the stack operation in progress. */
export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  readonly parameters?: Record<string, string>;
  /** The custom resources the stand-in runs: their physical ID and attributes come from their provider. */
  isCustomResource(type: string): boolean;
  customResourcePhysicalId(logicalId: string): string | undefined;
  customResourceData(logicalId: string): Record<string, string> | undefined;
}

/** Resolves intrinsic functions the way CloudFormation would, with realistic names for what the stand-in does not create. */
export class Resolver {
  constructor(private readonly ctx: ResolveContext) {}

  resolve(template: Json, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(template, v));
    if (value === null || typeof value !== 'object') return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(template, arg);
        case 'Fn::GetAtt': return this.getAtt(template, arg[0], arg[1]);
        case 'Fn::Join': return (this.resolve(template, arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(template, arg[1])[Number(this.resolve(template, arg[0]))];
        case 'Fn::Split': return String(this.resolve(template, arg[1])).split(arg[0]);
        case 'Fn::Sub': {
          const [text, vars] = typeof arg === 'string' ? [arg, {}] : arg;
          return text.replace(/\$\{([^}]+)\}/g, (_: string, name: string) => {
            if (vars[name] !== undefined) return this.resolve(template, vars[name]);
            return name.includes('.') && !name.startsWith('AWS::') ? this.getAtt(template, ...(name.split('.') as [string, string])) : this.ref(template, name);
          });
        }
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(template, value[k])]));
  }

  /** `${AWS::AccountId}`-style placeholders of an asset manifest. */
  placeholders(text: string): string {
    return text.replace(/\$\{AWS::(AccountId|Region|Partition)\}/g, (_, name: string) =>
      name === 'AccountId' ? this.ctx.accountId : name === 'Region' ? this.ctx.region : 'aws');
  }

  ref(template: Json, name: string): string {
    const { region, accountId } = this.ctx;
    switch (name) {
      case 'AWS::Region': return region;
      case 'AWS::AccountId': return accountId;
      case 'AWS::Partition': return 'aws';
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.ctx.stackName;
      case 'AWS::NoValue': return undefined as unknown as string;
    }
    const param = template.Parameters?.[name];
    if (param) {
      const v = this.ctx.parameters?.[name] ?? param.Default;
      if (v === undefined) throw new Error(`parameter ${name} has no value`);
      return String(v);
    }
    const r = template.Resources?.[name];
    if (!r) throw new Error(`Ref to unknown ${name}`);
    if (this.ctx.isCustomResource(r.Type)) return this.ctx.customResourcePhysicalId(name) ?? `pending:${name}`;
    switch (r.Type) {
      case 'AWS::Lambda::Function': return this.functionName(template, name);
      case 'AWS::IAM::Role': return this.physicalName(template, name, 'RoleName', 64);
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${accountId}:policy/${this.physicalName(template, name, 'ManagedPolicyName', 128)}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${region}:${accountId}:stateMachine:${this.physicalName(template, name, 'StateMachineName', 80, false)}`;
      case 'AWS::Logs::LogGroup': return this.physicalName(template, name, 'LogGroupName', 512);
    }
    return fakePhysicalId(name, r.Type, region);
  }

  getAtt(template: Json, id: string, attr: string): string {
    const r = template.Resources?.[id];
    if (!r) throw new Error(`Fn::GetAtt of unknown resource ${id}`);
    const { region, accountId } = this.ctx;
    if (this.ctx.isCustomResource(r.Type)) {
      const data = this.ctx.customResourceData(id);
      if (!data || !(attr in data)) throw new Error(`CustomResource attribute error: Vendor response doesn't contain ${attr} attribute in object ${id}`);
      return data[attr];
    }
    if (attr === 'Arn') {
      switch (r.Type) {
        case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${accountId}:function:${this.functionName(template, id)}`;
        case 'AWS::IAM::Role': return `arn:aws:iam::${accountId}:role/${this.ref(template, id)}`;
        case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:${accountId}:log-group:${this.ref(template, id)}:*`;
        case 'AWS::StepFunctions::StateMachine': return this.ref(template, id);
      }
    }
    return `${id}.${attr}`;
  }

  /** The function's name: its `FunctionName`, or the one CloudFormation makes up (`<stack>-<logical ID>-<suffix>`, at most 64 characters). */
  functionName(template: Json, id: string): string {
    return this.physicalName(template, id, 'FunctionName', 64);
  }

  private physicalName(template: Json, id: string, property: string, max: number, withStack = true): string {
    const given = template.Resources[id].Properties?.[property];
    if (given !== undefined) return String(this.resolve(template, given));
    const suffix = parseInt(createHash('sha256').update(`${this.ctx.stackName}/${id}`).digest('hex').slice(0, 15), 16).toString(36).toUpperCase().padEnd(12, '0').slice(0, 12);
    const prefix = withStack ? `${this.ctx.stackName}-${id}` : id;
    return `${prefix.slice(0, max - suffix.length - 1)}-${suffix}`;
  }
}

/** DependsOn plus every Ref / Fn::GetAtt inside the resource. */
export function dependenciesOf(template: Json, id: string): Set<string> {
  const r = template.Resources[id];
  const deps = new Set<string>([r.DependsOn ?? []].flat());
  const walk = (v: Json) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    if (typeof v.Ref === 'string') deps.add(v.Ref);
    if (Array.isArray(v['Fn::GetAtt'])) deps.add(v['Fn::GetAtt'][0]);
    Object.values(v).forEach(walk);
  };
  walk(r.Properties);
  return deps;
}

/** Physical IDs shaped like the real ones, so the handler's validation sees realistic values. */
export function fakePhysicalId(logicalId: string, type: string, region: string): string {
  const hex = createHash('sha256').update(logicalId).digest('hex');
  const token = parseInt(hex.slice(0, 12), 16).toString(36);
  switch (type) {
    case 'AWS::Cognito::UserPool': return `${region}_${token.padEnd(9, 'X').slice(0, 9)}`;
    case 'AWS::Cognito::UserPoolClient': return `${token}${'0'.repeat(26)}`.slice(0, 26);
    case 'AWS::Cognito::IdentityPool': return `${region}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
    default: return `${logicalId}-${token}`;
  }
}

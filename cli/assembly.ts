/**
 * Reads a synthesized cloud assembly (cdk.out): its stacks' templates, environments and file
 * assets, nested assemblies (stages) included. Only the files `cdk synth` writes are read; no
 * CDK library code runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './errors';

type Json = any;

/** A file asset, by the S3 object key its destinations give it. */
export interface AssetFile {
  /** Absolute path in the cloud assembly. */
  readonly path: string;
  /** 'file' (uploaded as is) or 'zip' (a folder, zipped). */
  readonly packaging: string;
}

export interface StackArtifact {
  /** The artifact ID, e.g. "MyStack" or "Stage-MyStack". */
  readonly id: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  /** The construct path shown by `cdk ls`, e.g. "Stage/MyStack". */
  readonly displayName: string;
  readonly template: Json;
  /** The stack's region, when it is not environment-agnostic. */
  readonly region?: string;
  /** The stack's account, when it is not environment-agnostic. */
  readonly account?: string;
  /** File assets of the whole assembly, by object key. */
  readonly assets: ReadonlyMap<string, AssetFile>;
}

function readJson(file: string, what: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${what} ${file} is not valid JSON (${(err as Error).message}); synthesize again with "cdk synth".`);
  }
}

/** Every stack of the cloud assembly in `dir`, nested assemblies included, in manifest order. */
export function readCloudAssembly(dir: string): StackArtifact[] {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new CliError(`no cloud assembly in ${dir} (no manifest.json): run "cdk synth" first, or give the cdk.out directory as the first argument.`);
  }
  const assets = new Map<string, AssetFile>();
  const stacks: Array<Omit<StackArtifact, 'assets'>> = [];
  const visit = (asmDir: string) => {
    const manifest = readJson(path.join(asmDir, 'manifest.json'), 'cloud assembly manifest');
    for (const [id, a] of Object.entries<Json>(manifest.artifacts ?? {})) {
      const props = a.properties ?? {};
      if (a.type === 'cdk:asset-manifest' && props.file) {
        const assetManifest = readJson(path.join(asmDir, props.file), 'asset manifest');
        for (const file of Object.values<Json>(assetManifest.files ?? {})) {
          if (!file?.source?.path) continue;
          for (const dest of Object.values<Json>(file.destinations ?? {})) {
            if (typeof dest?.objectKey === 'string') {
              assets.set(dest.objectKey, { path: path.resolve(asmDir, file.source.path), packaging: file.source.packaging ?? 'file' });
            }
          }
        }
      } else if (a.type === 'aws:cloudformation:stack' && props.templateFile) {
        const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(a.environment ?? '');
        const known = (v: string | undefined) => (v && !v.startsWith('unknown-') ? v : undefined);
        stacks.push({
          id,
          stackName: props.stackName ?? id,
          displayName: a.displayName ?? id,
          template: readJson(path.join(asmDir, props.templateFile), 'template'),
          account: known(env?.[1]),
          region: known(env?.[2]),
        });
      } else if (a.type === 'cdk:cloud-assembly' && props.directoryName) {
        visit(path.join(asmDir, props.directoryName));
      }
    }
  };
  visit(dir);
  return stacks.map((s) => ({ ...s, assets }));
}

/** The stacks the user named (by artifact ID, stack name or display name), or all of them. */
export function selectStacks(all: StackArtifact[], names: string[], dir: string): StackArtifact[] {
  if (names.length === 0) return all;
  const chosen: StackArtifact[] = [];
  for (const name of names) {
    const matches = all.filter((s) => s.id === name || s.stackName === name || s.displayName === name);
    if (matches.length === 0) {
      const known = all.map((s) => s.displayName).join(', ') || 'none';
      throw new CliError(`no stack "${name}" in ${dir} (its stacks: ${known}); pass --stack with one of them.`);
    }
    for (const m of matches) if (!chosen.includes(m)) chosen.push(m);
  }
  return chosen;
}

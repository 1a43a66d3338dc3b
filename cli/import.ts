/**
 * `import`: reads one live API and writes the module that reproduces it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CliError } from './errors';
import { GeneratedModule, Language, generate } from './generate';
import { ApiReader, ApiTarget, describeTarget } from './service';
import { MAX_INLINE_SCHEMA_BYTES } from '../src/handler-contract';

export interface ImportOptions extends ApiTarget {
  readonly language: Language;
  /** Where to write the module; stdout when undefined. */
  readonly out?: string;
  readonly className?: string;
  /** Overwrite existing files. */
  readonly force: boolean;
}

export interface ImportResult {
  readonly module: GeneratedModule;
  /** Files written (the module, and the schema file when there is one). */
  readonly written: string[];
}

function refuseOverwrite(file: string, force: boolean): void {
  if (!force && fs.existsSync(file)) throw new CliError(`${file} exists; pass --force to overwrite it, or choose another --out.`);
}

export async function runImport(options: ImportOptions, reader: ApiReader, progress: (line: string) => void): Promise<ImportResult> {
  if (options.out) refuseOverwrite(options.out, options.force);
  const region = await reader.region();
  progress(`Reading ${describeTarget(options)}${region ? ` in ${region}` : ''} (GetBackendAPI)...`);
  const live = await reader.read(options);
  const module = generate(live, {
    language: options.language,
    className: options.className,
    moduleFileName: options.out ? path.basename(options.out) : undefined,
  });
  const written: string[] = [];
  if (module.schemaFile && !options.out) {
    const bytes = Buffer.byteLength(module.schemaFile.content, 'utf8');
    throw new CliError(`the schema has ${bytes.toLocaleString('en-US')} bytes, too large to inline (over ${MAX_INLINE_SCHEMA_BYTES / 1024} KiB): pass --out FILE so that it can be written to a .graphql file beside the module.`);
  }
  if (options.out) {
    const schemaPath = module.schemaFile && path.join(path.dirname(options.out), module.schemaFile.name);
    if (schemaPath) refuseOverwrite(schemaPath, options.force);
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, module.code, 'utf8');
    written.push(options.out);
    if (schemaPath) {
      fs.writeFileSync(schemaPath, module.schemaFile!.content, 'utf8');
      written.push(schemaPath);
    }
  }
  return { module, written };
}

/**
 * The command line of `cdk-amplify-backend`: `import` and `diff`. Results go to stdout,
 * progress, warnings and errors to stderr. Exit codes: 0 done / no difference, 1 differences
 * (diff), 2 errors (see ./errors.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { formatDiff, runDiff } from './diff';
import { CliError, ExitCode, UsageError, oneLine } from './errors';
import { Language } from './generate';
import { runImport } from './import';
import { ApiReader, ServiceOptions } from './service';
import { APP_ID, ENV_NAME, RESOURCE_NAME } from '../src/validation';

export const COMMAND = 'cdk-amplify-backend';

/** Where output goes (process.stdout / process.stderr by default). */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const AWS_HELP = `AWS:
  Credentials and region come from the AWS SDK's standard chain (AWS_PROFILE, AWS_ACCESS_KEY_ID,
  AWS_REGION, ~/.aws/config, SSO, container and instance roles). AWS_ENDPOINT_URL_AMPLIFYBACKEND
  sets the AmplifyBackend endpoint. Reading needs amplifybackend:GetBackendAPI on the app.
  --region REGION     the region to call (import) / of environment-agnostic stacks (diff)
  --profile NAME      the AWS profile to use (same as AWS_PROFILE)`;

const HELP_MAIN = `${COMMAND}: read live Amplify (Gen 1) backend APIs for cdk-amplify-backend.

Usage:
  ${COMMAND} import --app-id ID --env NAME --resource API [--language typescript|python] [--out FILE]
  ${COMMAND} diff [CDK_OUT] [--stack NAME]...
  ${COMMAND} <command> --help

Commands:
  import   write a construct that reproduces a live API's settings (a BackendApiConfig)
  diff     compare the BackendApiConfig of synthesized stacks with the live APIs

Exit codes:
  0   done; for diff: no declared member differs from the live API
  1   diff only: a declared member differs, or could not be resolved
  2   error: bad arguments, no credentials or region, a service error, an unreadable cdk.out

${AWS_HELP}
`;

const HELP_IMPORT = `Usage: ${COMMAND} import --app-id ID --env NAME --resource API [options]

Reads the API with AmplifyBackend GetBackendAPI and writes a self-contained TypeScript or Python
module that defines a construct class (e.g. BlogapiBackendApi) holding the BackendApiConfig that
reproduces every setting read: auth modes with all their settings, conflict resolution, service,
API name and transform schema. Add it to a stack with one line, e.g. new BlogapiBackendApi(this, 'Blogapi').

A Cognito user pool ID becomes UserPool.fromUserPoolId(). A schema over 32 KiB is written to a
.graphql file beside the module (needs --out). A setting the construct cannot express exactly is
left out of the code (the API then keeps it when the stack deploys) and named on stderr and in
a comment of the module.

Options:
  --app-id ID                    the Amplify app ID, e.g. d1a2b3c4d5e6f7 (required)
  --env NAME                     the backend environment, e.g. staging (required)
  --resource API                 the API resource name, as in amplify/backend/api/<name> (required)
  --language typescript|python   the module's language (default: from --out's extension, else typescript)
  --out FILE                     write the module to FILE (default: stdout)
  --class-name NAME              the construct class (default: <Resource>BackendApi)
  --force                        overwrite FILE and its .graphql file
  -h, --help                     this help

Exit codes: 0 written; 2 error (one line on stderr).

${AWS_HELP}
`;

const HELP_DIFF = `Usage: ${COMMAND} diff [CDK_OUT] [options]

Finds every BackendApiConfig in the synthesized stacks of CDK_OUT (default: cdk.out; run
"cdk synth" first), resolves its properties, reads each live API with GetBackendAPI and prints,
per construct, the declared members that differ from the live ones (member, declared, live).
Members a construct leaves out are kept by a deployment, so they are not compared. Each stack's
API is read in the stack's region.

Values known only to CloudFormation (a Ref to a resource of the stack, Fn::GetAtt,
Fn::ImportValue, SSM parameters, pseudo parameters of environment-agnostic stacks) are reported
as unresolved, with how to supply them.

Options:
  --stack NAME              only this stack (artifact ID, stack name or path); repeatable
  --parameter NAME=VALUE    a stack parameter's value (default: its Default); repeatable
  --value ID=VALUE          the Ref value of resource ID, or with ID.ATTRIBUTE its Fn::GetAtt; repeatable
  --account ACCOUNT         AWS::AccountId of environment-agnostic stacks
  --ignore-unresolved       exit 0 when nothing differs, even if some members were not resolved
  -h, --help                this help

Exit codes:
  0   every declared member was compared and none differs
  1   a declared member differs from the live one, or could not be resolved
      (unless --ignore-unresolved)
  2   error (one line on stderr): bad arguments, no cloud assembly, no BackendApiConfig found,
      no credentials or region, a service error (e.g. the API does not exist)

${AWS_HELP}
`;

const COMMON = {
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse<T extends Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>>(command: string, args: string[], options: T, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: positionals > 0, strict: true });
  } catch (err) {
    throw new UsageError(oneLine((err as Error).message).replace(/\. To specify a positional argument.*$/, ''), command);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`, command);
  }
  return parsed;
}

function pairs(list: string[] | undefined, flag: string, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const i = item.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} takes NAME=VALUE, got "${item}"`, command);
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

function required(value: string | undefined, flag: string, example: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} is required (${example})`, 'import');
  return value;
}

/** The formats src/validation.ts enforces, checked before any call so that a typo fails fast. */
function checkTarget(appId: string, env: string, resource: string): void {
  if (!APP_ID.test(appId)) throw new UsageError(`--app-id "${appId}" is not an Amplify app ID ("d" and 1 to 19 lowercase letters or digits, e.g. d1a2b3c4d5e6f7); use the app ID, not its name or ARN`, 'import');
  if (!ENV_NAME.test(env)) throw new UsageError(`--env "${env}" is not a backend environment name (letters, digits, "-" and "_")`, 'import');
  if (!RESOURCE_NAME.test(resource)) throw new UsageError(`--resource "${resource}" is not an API resource name (letters and digits, as in amplify/backend/api/<name>)`, 'import');
}

function languageOf(explicit: string | undefined, out: string | undefined): Language {
  const fromExt = out === undefined ? undefined : ({ '.py': 'python', '.ts': 'typescript' } as Record<string, Language>)[path.extname(out)];
  if (explicit === undefined) return fromExt ?? 'typescript';
  if (explicit !== 'typescript' && explicit !== 'python') throw new UsageError(`--language must be typescript or python, got "${explicit}"`, 'import');
  if (fromExt && fromExt !== explicit) throw new UsageError(`--out ${out} is a ${fromExt} file name but --language is ${explicit}`, 'import');
  return explicit;
}

/**
 * Runs `fn` with a reader that calls --region (else the SDK's chain) as --profile (else the SDK's
 * chain), and closes its connections after, so that the process can end at once.
 */
async function withReader<T>(values: { region?: string; profile?: string }, service: ServiceOptions, fn: (reader: ApiReader) => Promise<T>): Promise<T> {
  if (values.profile) process.env.AWS_PROFILE = values.profile;
  const reader = new ApiReader({ ...service, region: values.region ?? service.region });
  try {
    return await fn(reader);
  } finally {
    reader.destroy();
  }
}

async function importCommand(args: string[], io: Io, service: ServiceOptions): Promise<number> {
  const { values } = parse('import', args, {
    'app-id': { type: 'string' },
    'env': { type: 'string' },
    'resource': { type: 'string' },
    'language': { type: 'string' },
    'out': { type: 'string' },
    'class-name': { type: 'string' },
    'force': { type: 'boolean' },
  }, 0);
  if (values.help) {
    io.stdout(HELP_IMPORT);
    return ExitCode.OK;
  }
  const appId = required(values['app-id'], '--app-id', 'the Amplify app ID, e.g. d1a2b3c4d5e6f7');
  const env = required(values.env, '--env', 'the backend environment, e.g. staging');
  const resource = required(values.resource, '--resource', 'the API resource name, as in amplify/backend/api/<name>');
  checkTarget(appId, env, resource);
  const className = values['class-name'];
  if (className !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) throw new UsageError(`--class-name "${className}" is not a class name`, 'import');

  const result = await withReader(values, service, (reader) => runImport({
    appId,
    backendEnvironmentName: env,
    resourceName: resource,
    language: languageOf(values.language, values.out),
    out: values.out,
    className,
    force: values.force ?? false,
  }, reader, (line) => io.stderr(`${line}\n`)));
  for (const w of result.module.warnings) io.stderr(`warning: ${w}\n`);
  if (result.written.length) {
    io.stderr(`Wrote ${result.written.join(' and ')} (class ${result.module.className}).\n`);
    io.stdout(result.written.map((f) => `${f}\n`).join(''));
  } else {
    io.stdout(result.module.code);
  }
  return ExitCode.OK;
}

async function diffCommand(args: string[], io: Io, service: ServiceOptions): Promise<number> {
  const { values, positionals } = parse('diff', args, {
    'stack': { type: 'string', multiple: true },
    'parameter': { type: 'string', multiple: true },
    'value': { type: 'string', multiple: true },
    'account': { type: 'string' },
    'ignore-unresolved': { type: 'boolean' },
  }, 1);
  if (values.help) {
    io.stdout(HELP_DIFF);
    return ExitCode.OK;
  }
  if (values.account !== undefined && !/^\d{12}$/.test(values.account)) throw new UsageError(`--account "${values.account}" is not a 12-digit AWS account ID`, 'diff');

  const result = await withReader(values, service, (reader) => runDiff({
    cdkOut: positionals[0] ?? 'cdk.out',
    stacks: values.stack ?? [],
    account: values.account,
    parameters: pairs(values.parameter, '--parameter', 'diff'),
    values: pairs(values.value, '--value', 'diff'),
  }, reader, (line) => io.stderr(`${line}\n`)));
  io.stdout(formatDiff(result));
  if (result.differences > 0) return ExitCode.DIFFERENCES;
  if (result.unresolved > 0 && !values['ignore-unresolved']) {
    io.stderr(`${result.unresolved} declared member(s) could not be resolved and were not compared; supply them (see above), or pass --ignore-unresolved.\n`);
    return ExitCode.DIFFERENCES;
  }
  return ExitCode.OK;
}

/**
 * Runs the command line `argv` (without node and the script) and returns the exit code.
 * @param service client settings for tests (endpoint, credentials); users leave it out
 */
export async function main(argv: string[], io: Io = processIo(), service: ServiceOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'import': return await importCommand(rest, io, service);
      case 'diff': return await diffCommand(rest, io, service);
      case undefined: case '-h': case '--help': case 'help':
        io.stdout(HELP_MAIN);
        return command === undefined ? ExitCode.ERROR : ExitCode.OK;
      case '--version':
        io.stdout(`${version()}\n`);
        return ExitCode.OK;
      default:
        throw new UsageError(`unknown command "${command}"; the commands are import and diff`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${oneLine(err.message)} (see "${COMMAND}${err.command ? ` ${err.command}` : ''} --help")\n`);
    } else if (err instanceof CliError) {
      io.stderr(`error: ${oneLine(err.message)}\n`);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      io.stderr(`error: ${e.name}: ${oneLine(e.message)}\n`);
    }
    return ExitCode.ERROR;
  }
}

/** The version of the installed package: the nearest package.json of cdk-amplify-backend above this file. */
function version(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'cdk-amplify-backend') return String(pkg.version);
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  };
}

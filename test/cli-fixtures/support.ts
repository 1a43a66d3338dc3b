/**
 * Helpers of the CLI tests (test/cli-*.test.ts): live API fixtures, loading a generated
 * TypeScript module into this process, synthesizing it, and running the bundled CLI as a child
 * process the way a user does.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BackendAPIResourceConfig } from '@aws-sdk/client-amplifybackend';
import { App, Stack } from 'aws-cdk-lib';
import * as ts from 'typescript';
import type { Io } from '../../cli/main';
import { LiveApi, wireName } from '../../cli/service';
import { EXAMPLE_APP_ID } from '../../examples/app';
import type { WireResourceConfig } from '../support/emulator';

/** The example app's (examples/app.ts): the round trip deploys that app against the emulator's. */
export const APP_ID = EXAMPLE_APP_ID;

export const REPO = path.resolve(__dirname, '..', '..');
/** The bundled CLI, as package.json `bin` names it. */
export const CLI_BUNDLE = path.join(REPO, 'assets', 'cli', 'index', 'index.js');

export const POOL = 'us-east-1_AbCdEf123';
export const SCHEMA = 'type Post @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {\n  id: ID!\n  title: String!\n}\n';

/** The example app's staging API (examples/app.ts, revision 1), with a schema and service, as GetBackendAPI returns it. */
export const STAGING_API: BackendAPIResourceConfig = {
  ApiName: 'blog',
  Service: 'AppSync',
  TransformSchema: SCHEMA,
  DefaultAuthType: { Mode: 'AMAZON_COGNITO_USER_POOLS', Settings: { CognitoUserPoolId: POOL } },
  AdditionalAuthTypes: [
    { Mode: 'API_KEY', Settings: { Description: 'public read', ExpirationTime: 30 } },
    { Mode: 'AWS_IAM' },
  ],
  ConflictResolution: { ResolutionStrategy: 'AUTOMERGE' },
};

/** Settings with the wire's member names, as the emulator stores them. */
export function toWire(config: BackendAPIResourceConfig): WireResourceConfig {
  const rename = (v: unknown): unknown => (Array.isArray(v) ? v.map(rename)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [wireName(k), rename(x)])) : v);
  return rename(config) as WireResourceConfig;
}

const tmpDirs: string[] = [];

/** A new temporary folder, removed by `removeTmpDirs()`. */
export function tmpDir(prefix = 'cli-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

export function removeTmpDirs(): void {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A live API as the reader returns it. */
export function liveApi(config: BackendAPIResourceConfig, target: Partial<LiveApi> = {}): LiveApi {
  return { appId: APP_ID, backendEnvironmentName: 'staging', resourceName: 'blogapi', unknownMembers: [], config, ...target };
}

/**
 * Loads a generated TypeScript module as a CDK app would, with the package name
 * 'cdk-amplify-backend' pointing at this repository's src/ (what the published package holds).
 * @param file the module's path (its folder is `__dirname` for a schema file beside it)
 */
export function loadGeneratedModule(file: string): Record<string, any> {
  const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: file,
  }).outputText;
  const localRequire = (name: string) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (name === 'cdk-amplify-backend') return require('../../src');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name);
  };
  const module = { exports: {} as Record<string, any> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', 'require', 'module', '__filename', '__dirname', js)(module.exports, localRequire, module, file, path.dirname(file));
  return module.exports;
}

/** Synthesizes one stack holding `build`'s constructs; returns the cdk.out folder. */
export function synthStack(stackName: string, build: (stack: Stack) => void, env = { region: 'us-east-1', account: '123456789012' }): string {
  const outdir = tmpDir('cli-cdkout-');
  // Construct paths in the template's metadata, as `cdk synth` asks for by default.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, stackName, { env });
  build(stack);
  app.synth();
  return outdir;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs the bundled CLI as a child process with only the environment given (plus PATH), a HOME
 * of its own (so no real AWS profile is read) and fake credentials unless `env` says otherwise.
 * Asynchronous: the emulator in this process must keep answering.
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = REPO): Promise<CliRun> {
  const home = tmpDir('cli-home-');
  const fullEnv: Record<string, string> = {};
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
    AWS_SECRET_ACCESS_KEY: 'cli-test-secret',
    AWS_REGION: 'us-east-1',
    ...env,
  };
  for (const [k, v] of Object.entries(base)) if (v !== undefined) fullEnv[k] = v;
  const start = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, ...args], { env: fullEnv, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}

/** Collects what `main()` writes. */
export function captureIo(): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { io: { stdout: (t) => { out += t; }, stderr: (t) => { err += t; } }, out: () => out, err: () => err };
}

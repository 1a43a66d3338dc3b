/**
 * Small helpers for the construct tests: a fresh App/Stack per test, logical IDs, the IAM
 * statements of a template, and the message of an expected error.
 */
import { App, CfnResource, Environment, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';

/** A well-formed Amplify app ID. */
export const APP_ID = 'd1a2b3c4d5e6f7';
/** An account and region for stacks that are not environment-agnostic. */
export const ENV: Environment = { account: '123456789012', region: 'us-east-1' };

/**
 * The custom resources' ServiceTimeout with the default provider: handler timeout (120 s) + total
 * timeout (3,000 s) + 1 s for each of its 200 polls + 60 s for the framework.
 */
export const DEFAULT_SERVICE_TIMEOUT = '3380';

/**
 * The custom resource types, written out rather than imported from src/handler-contract.ts on
 * purpose: renaming one would replace every deployed resource of that type, so the tests that use
 * these pin the names a change must not touch.
 */
export const BACKEND_API_TYPE = 'Custom::AmplifyBackendApiConfig';
export const ADMIN_UI_LOGIN_TYPE = 'Custom::AmplifyAdminUiLoginConfig';

/** A new App with one stack; environment-agnostic unless `env` is given. */
export function newStack(env?: Environment): { app: App; stack: Stack } {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env });
  return { app, stack };
}

/** The logical ID of a construct's CloudFormation resource (the construct itself or its default child). */
export function logicalId(construct: IConstruct): string {
  const cfn = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(cfn instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(cfn).getLogicalId(cfn);
}

/** A value or a list of values, as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** One IAM policy statement of a template, with the logical ID of the resource that holds it. */
export interface FoundStatement {
  readonly holder: string;
  readonly holderType: string;
  readonly statement: { Effect?: string; Action?: string | string[]; Resource?: unknown };
}

/**
 * Every statement of every identity policy in the template: AWS::IAM::Policy,
 * AWS::IAM::ManagedPolicy and the inline policies of AWS::IAM::Role.
 */
export function iamStatements(template: Template): FoundStatement[] {
  const found: FoundStatement[] = [];
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
  for (const [holder, r] of Object.entries(resources)) {
    const documents: any[] = [];
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') documents.push(r.Properties?.PolicyDocument);
    if (r.Type === 'AWS::IAM::Role') documents.push(...asList(r.Properties?.Policies).map((p: any) => p.PolicyDocument));
    for (const doc of documents) {
      for (const statement of asList(doc?.Statement)) found.push({ holder, holderType: r.Type, statement: statement as FoundStatement['statement'] });
    }
  }
  return found;
}

/** The statements that grant at least one `amplifybackend:` action. */
export function amplifyBackendStatements(template: Template): FoundStatement[] {
  return iamStatements(template).filter((s) => asList(s.statement.Action).some((a) => a.startsWith('amplifybackend:')));
}

/**
 * The Fn::Join ARN the provider grants on for one app (`arn:<partition>:amplifybackend:<region>:<account>:/backend/<appId>/*`),
 * as CDK renders it: literal region and account for a stack with an env, pseudo parameters otherwise.
 */
export function appArn(appId: unknown, env?: Environment): unknown {
  const parts: unknown[] = env?.region && env.account
    ? ['arn:', { Ref: 'AWS::Partition' }, `:amplifybackend:${env.region}:${env.account}:/backend/`, appId, '/*']
    : ['arn:', { Ref: 'AWS::Partition' }, ':amplifybackend:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':/backend/', appId, '/*'];
  // CDK merges adjacent literal parts into one string.
  const merged: unknown[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  return { 'Fn::Join': ['', merged] };
}

/**
 * The message of the error `fn` throws; fails the test when it throws nothing.
 */
export function errorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error('expected an error, but none was thrown');
}

/** The resources of one type in the template, by logical ID. */
export function resourcesOfType(template: Template, type: string): Record<string, { Properties?: Record<string, any>; DependsOn?: string[]; Metadata?: Record<string, any> }> {
  return template.findResources(type) as Record<string, { Properties?: Record<string, any>; DependsOn?: string[]; Metadata?: Record<string, any> }>;
}

/**
 * Whether CloudFormation orders `from` after `to`: a path of DependsOn, Ref or Fn::GetAtt edges
 * between them (CloudFormation also deletes `from` before `to`).
 */
export function dependsTransitively(template: Template, from: string, to: string): boolean {
  const resources = template.toJSON().Resources as Record<string, { DependsOn?: string | string[]; Properties?: unknown }>;
  const edges = (id: string): string[] => {
    const out = new Set(asList(resources[id]?.DependsOn));
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (v === null || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if (typeof o.Ref === 'string') out.add(o.Ref);
      if (Array.isArray(o['Fn::GetAtt'])) out.add(o['Fn::GetAtt'][0] as string);
      Object.values(o).forEach(walk);
    };
    walk(resources[id]?.Properties);
    return [...out].filter((d) => d in resources);
  };
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === to && id !== from) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...edges(id));
  }
  return false;
}

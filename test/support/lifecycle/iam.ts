/**
 * Identity-based IAM policy evaluation over a stack's template, for the stand-in services that
 * check who may do what (the S3 endpoint).
 *
 * A role's policies are the template's `AWS::IAM::Policy` and `AWS::IAM::ManagedPolicy`
 * resources that list the role in `Roles`, the managed policies of the template named in the
 * role's `ManagedPolicyArns`, and the role's inline `Policies`. AWS managed policies (outside the
 * template) grant nothing here. An explicit Deny wins; otherwise some Allow must match the action
 * (`*` and `?` wildcards, case-insensitive) and the resource (wildcards, case-sensitive);
 * `NotAction` / `NotResource` are honoured. A statement with a `Condition` is taken at its
 * strictest: an Allow with a condition grants nothing, a Deny with a condition always applies.
 */
import { Json, Resolver } from './template';

export type Decision = 'allowed' | 'explicitDeny' | 'implicitDeny';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: unknown;
}

/** The resolved policy documents that apply to a role of the template. */
export function rolePolicies(template: Json, roleId: string, resolver: Resolver): Json[] {
  const resources = template.Resources ?? {};
  const role = resources[roleId];
  if (!role || role.Type !== 'AWS::IAM::Role') return [];
  const roleName = resolver.ref(template, roleId);
  const names = (roles: Json) => (resolver.resolve(template, roles ?? []) as string[]);
  const docs: Json[] = [];
  const attachedManaged = new Set<string>(names(role.Properties?.ManagedPolicyArns));
  for (const [id, r] of Object.entries<Json>(resources)) {
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      const attached = names(r.Properties?.Roles).includes(roleName)
        || (r.Type === 'AWS::IAM::ManagedPolicy' && attachedManaged.has(resolver.ref(template, id)));
      if (attached) docs.push(resolver.resolve(template, r.Properties.PolicyDocument));
    }
  }
  for (const p of role.Properties?.Policies ?? []) docs.push(resolver.resolve(template, p.PolicyDocument));
  return docs;
}

/** Whether the documents let the principal perform `action` on `resource`. */
export function evaluate(documents: Json[], action: string, resource: string): Decision {
  let allowed = false;
  for (const doc of documents) {
    for (const s of [doc?.Statement ?? []].flat() as Statement[]) {
      if (!statementMatches(s, action, resource)) continue;
      if (s.Effect === 'Deny') return 'explicitDeny';
      if (s.Effect === 'Allow' && s.Condition === undefined) allowed = true;
    }
  }
  return allowed ? 'allowed' : 'implicitDeny';
}

function statementMatches(s: Statement, action: string, resource: string): boolean {
  const actionOk = s.Action !== undefined
    ? list(s.Action).some((p) => wildcard(p, action, true))
    : s.NotAction !== undefined && !list(s.NotAction).some((p) => wildcard(p, action, true));
  const resourceOk = s.Resource !== undefined
    ? list(s.Resource).some((p) => wildcard(p, resource, false))
    : s.NotResource !== undefined && !list(s.NotResource).some((p) => wildcard(p, resource, false));
  return actionOk && resourceOk;
}

function list(v: string | string[]): string[] {
  return [v].flat().map(String);
}

/** IAM's `*` (any run of characters) and `?` (one character) matching. */
export function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, ignoreCase ? 'is' : 's');
  return re.test(value);
}

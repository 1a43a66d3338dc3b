/**
 * cdk-nag findings on the library's own resources, acknowledged with their reasons in both forms
 * cdk-nag reads, so that a user's AwsSolutions checks report nothing the library made:
 *
 * - cdk-nag 2 reads `cdk_nag.rules_to_suppress` resource metadata;
 * - cdk-nag 3 reads aws-cdk-lib's `Validations.of(construct).acknowledge()` (aws-cdk-lib 2.257 and
 *   later) and matches a finding only by its exact ID, e.g. `AwsSolutions-IAM5[Resource::*]`.
 *
 * Rules that report one finding per wildcard or per AWS managed policy (AwsSolutions-IAM4, -IAM5)
 * are acknowledged finding by finding, and only for the statements or policies the reason is
 * about: a wildcard the user adds to one of these policies is still reported. Findings are read
 * from the resource once the app is complete (in an aspect that runs before the user's), in the
 * form cdk-nag gives them (https://github.com/cdklabs/cdk-nag#suppressing-a-rule, `appliesTo`).
 * The library does not depend on cdk-nag.
 */
import * as cdk from 'aws-cdk-lib';
import { AspectPriority, Aspects, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** One cdk-nag rule acknowledged on one resource. */
export interface NagAcknowledgement {
  /** The rule, e.g. `AwsSolutions-L1`. */
  readonly id: string;
  /** Why the rule does not apply to this resource, as cdk-nag reports show it. */
  readonly reason: string;
  /**
   * For a rule that reports several findings per resource: the findings this reason covers,
   * read from the complete resource. Absent for a rule with one finding per resource.
   */
  readonly findings?: (resource: CfnResource) => string[];
  /**
   * Whether cdk-nag 2 gets the rule for the whole resource instead of its findings, for a
   * resource that holds nothing but what the reason covers and whose findings grow with the
   * app: cdk-nag 2 reads template metadata, which every finding would make longer.
   */
  readonly wholeResourceForCdkNag2?: boolean;
}

/** aws-cdk-lib's `Validations`, present from 2.257 on; typed here as the minimum aws-cdk-lib lacks it. */
interface ValidationsApi {
  of(scope: IConstruct): { acknowledge(...rules: Array<{ id: string; reason: string }>): void };
}
const validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;

const STACK_ASPECTS = new WeakMap<Stack, NagAcknowledgements>();

/**
 * Acknowledges `rules` on `resource`, once the app is complete (by an aspect on the resource's
 * stack, which may not be the caller's: a role passed in can live in another stack).
 */
export function acknowledge(resource: CfnResource, rules: NagAcknowledgement[]): void {
  const stack = Stack.of(resource);
  let aspect = STACK_ASPECTS.get(stack);
  if (!aspect) {
    aspect = new NagAcknowledgements();
    Aspects.of(stack).add(aspect, { priority: AspectPriority.MUTATING });
    STACK_ASPECTS.set(stack, aspect);
  }
  aspect.add(resource, rules);
}

/** The acknowledgements of one stack's resources, written when the app is complete. */
class NagAcknowledgements implements IAspect {
  private readonly pending = new Map<CfnResource, NagAcknowledgement[]>();

  public add(resource: CfnResource, rules: NagAcknowledgement[]): void {
    this.pending.set(resource, [...(this.pending.get(resource) ?? []), ...rules]);
  }

  public visit(node: IConstruct): void {
    if (!(node instanceof CfnResource)) return;
    const rules = this.pending.get(node);
    if (!rules) return;
    this.pending.delete(node);
    const cdkNag2: Array<{ id: string; reason: string; applies_to?: string[] }> = [];
    const ids: Array<{ id: string; reason: string }> = [];
    for (const rule of rules) {
      if (!rule.findings) {
        cdkNag2.push({ id: rule.id, reason: rule.reason });
        ids.push({ id: rule.id, reason: rule.reason });
        continue;
      }
      const findings = [...new Set(rule.findings(node))];
      if (findings.length === 0) continue;
      cdkNag2.push(rule.wholeResourceForCdkNag2 ? { id: rule.id, reason: rule.reason } : { id: rule.id, reason: rule.reason, applies_to: findings });
      ids.push(...findings.map((finding) => ({ id: `${rule.id}[${finding}]`, reason: rule.reason })));
    }
    if (cdkNag2.length === 0) return;
    const existing = (node.getMetadata('cdk_nag') as { rules_to_suppress?: object[] } | undefined)?.rules_to_suppress ?? [];
    node.addMetadata('cdk_nag', { rules_to_suppress: [...existing, ...cdkNag2] });
    validations?.of(node).acknowledge(...ids);
  }
}

/**
 * AwsSolutions-IAM5 findings of a policy (`Action::<action>` for each action with a `*`,
 * `Resource::<resource>` for each resource with one), from its Allow statements whose actions
 * are all among `actions`.
 */
export function wildcardFindings(actions: string[]): (resource: CfnResource) => string[] {
  return (resource) => {
    const document = resource instanceof iam.CfnPolicy || resource instanceof iam.CfnManagedPolicy
      ? Stack.of(resource).resolve(resource.policyDocument) as { Statement?: Array<{ Effect?: string; Action?: unknown; Resource?: unknown }> }
      : {};
    return (document.Statement ?? [])
      .filter((s) => s.Effect === 'Allow' && asList(s.Action).every((a) => actions.includes(String(a))))
      .flatMap((s) => [
        ...asList(s.Action).map(String).filter((a) => a.includes('*')).map((a) => `Action::${a}`),
        ...asList(s.Resource).map(flatten).filter((r) => r.includes('*')).map((r) => `Resource::${r}`),
      ]);
  };
}

/** AwsSolutions-IAM4 findings of a role (`Policy::<arn>`) for the AWS managed policies named. */
export function managedPolicyFindings(names: string[]): (resource: CfnResource) => string[] {
  return (resource) => {
    if (!(resource instanceof iam.CfnRole)) return [];
    return asList(Stack.of(resource).resolve(resource.managedPolicyArns))
      .map(flatten)
      .filter((arn) => arn.includes(':iam::aws:') && names.some((name) => arn.endsWith(`:policy/${name}`)))
      .map((arn) => `Policy::${arn}`);
  };
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A resolved CloudFormation value as one string, the way cdk-nag names findings: `<Logical.Attr>`, `<Ref>`. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const v = value as Record<string, any>;
  if (v?.['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0]);
  if (v?.['Fn::Sub']) return flatten(v['Fn::Sub']);
  if (v?.['Fn::GetAtt']) return `<${flatten(v['Fn::GetAtt'][0])}.${flatten(v['Fn::GetAtt'][1])}>`;
  if (v?.['Fn::ImportValue']) return flatten(v['Fn::ImportValue']);
  if (v?.Ref) return `<${flatten(v.Ref)}>`;
  return JSON.stringify(value);
}

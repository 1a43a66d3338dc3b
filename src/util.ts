import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Throws one aws-cdk-lib ValidationError listing every broken rule, so the user fixes them all in
 * one go; it is scoped to the construct, so the CDK CLI shows where in the tree it comes from.
 */
export function throwIfInvalid(errors: string[], scope: IConstruct): void {
  if (errors.length > 0) throw new ValidationError(errors.join('\n'), scope);
}

/** Drops the members that are undefined; returns undefined when none is left. */
export function compact<T extends object>(o: T): T | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
}

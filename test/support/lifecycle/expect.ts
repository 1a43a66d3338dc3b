/**
 * Jest helpers over the stand-in's results, shared by the end-to-end tests. Not re-exported from
 * `../lifecycle.ts`: the demo and the bench load that without Jest.
 */
import type { LocalCloudFormation } from './cloudformation';
import type { DeployResult, SentRequest } from './types';

/** The stack ended in `status` with no failure: on a mismatch Jest shows the status and the first failure's reason. */
export function expectOk(result: DeployResult, status: DeployResult['status']): void {
  expect({ status: result.status, reason: result.reason }).toEqual({ status, reason: undefined });
}

/** The value of the stack output whose logical ID starts with `prefix` (CDK appends a hash). */
export function outputOf(result: DeployResult, prefix: string): string {
  const key = Object.keys(result.outputs).find((k) => k.startsWith(prefix));
  if (!key) throw new Error(`no output ${prefix}* in ${Object.keys(result.outputs).join(', ')}`);
  return result.outputs[key];
}

/** The Create request CloudFormation sent, with its outcome and how long its answer took. */
export function createRequest(cfn: LocalCloudFormation): SentRequest {
  const create = cfn.requests.find((r) => r.requestType === 'Create');
  if (!create) throw new Error('no Create request was sent');
  return create;
}

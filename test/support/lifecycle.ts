/**
 * A local stand-in for CloudFormation and what a Lambda-backed custom resource runs on (Lambda,
 * Step Functions, the S3 assets bucket), for the custom resources of this library: see
 * `./lifecycle/cloudformation.ts`. Responsibilities, one file each under `./lifecycle/`:
 *
 * - `cloudformation.ts`: stack operations (create, update, delete, rollback), requests and
 *   responses, ServiceTimeout, the limits CloudFormation puts on custom resources;
 * - `lambda.ts`: runs the stack's functions from the cloud assembly as Lambda's Node.js runtime does;
 * - `step-functions.ts`: StartExecution and the waiter state machine's Task / Retry / Catch;
 * - `s3.ts` and `iam.ts`: a local S3 endpoint for file assets, with identity-based IAM checks;
 * - `clock.ts`: the virtual clock (waits pass at once, work in real time);
 * - `template.ts`: reading the cloud assembly, resolving intrinsic functions;
 * - `types.ts`: the public result and option types.
 */
export * from './lifecycle/clock';
export * from './lifecycle/types';
export { readAssembly, fakePhysicalId } from './lifecycle/template';
export { evaluate as evaluateIamPolicies, wildcard as iamWildcard } from './lifecycle/iam';
export * from './lifecycle/cloudformation';

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
export { readAssembly, fakePhysicalId, Resolver } from './lifecycle/template';
export type { Assembly, FileAsset } from './lifecycle/template';
export { MAX_FUNCTION_TIMEOUT_SECONDS, toRapidResponse, roleCredentials } from './lifecycle/lambda';
export type { LambdaFunction, InvokeResult } from './lifecycle/lambda';
export { MAX_PAYLOAD_BYTES, MAX_EXECUTION_NAME_LENGTH } from './lifecycle/step-functions';
export type { Execution, ExecutionStatus } from './lifecycle/step-functions';
export type { S3Request } from './lifecycle/s3';
export { evaluate as evaluateIamPolicies, wildcard as iamWildcard } from './lifecycle/iam';
export * from './lifecycle/cloudformation';

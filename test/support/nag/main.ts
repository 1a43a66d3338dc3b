/**
 * Runs every scenario of ./scenarios.ts with the aws-cdk-lib and cdk-nag ./redirect.ts picked,
 * and prints `{ versions, reports }` as JSON (test/cdk-nag.test.ts reads it).
 */
import { check, SCENARIOS, versionOf } from './scenarios';

const versions = { 'aws-cdk-lib': versionOf('aws-cdk-lib'), 'cdk-nag': versionOf('cdk-nag') };
const reports = Object.keys(SCENARIOS).map(check);
process.stdout.write(JSON.stringify({ versions, reports }));

/**
 * Jest's globalSetup (.projenrc.ts): every test run gets a temporary folder of its own as TMPDIR,
 * which the test workers and the processes they start inherit; jest-global-teardown.ts removes it.
 * aws-cdk-lib puts the cloud assembly of each `App` without an `outdir` in a new temporary folder
 * and never removes it: some 200 per run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-amplify-backend-test-'));
  process.env.CDK_AMPLIFY_BACKEND_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}

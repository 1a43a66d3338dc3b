import * as fs from 'fs';

/** Jest's globalTeardown (.projenrc.ts): removes the run's temporary folder (jest-global-setup.ts). */
export default function teardown(): void {
  const dir = process.env.CDK_AMPLIFY_BACKEND_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

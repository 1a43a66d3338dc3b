/**
 * Loaded with `node -r` before anything else: makes every `aws-cdk-lib` and `constructs` import
 * (the library's, the examples', cdk-nag's) load the copies in test/cdk-nag3/ (aws-cdk-lib
 * 2.257 or later), and `cdk-nag` load cdk-nag 3 from there when CDK_NAG_MAJOR is 3 (else the
 * project's cdk-nag 2). One copy of each, as in a user's app.
 */
import * as path from 'path';

const ENV_DIR = path.join(__dirname, '..', '..', 'cdk-nag3');
const redirected = process.env.CDK_NAG_MAJOR === '3' ? /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/ : /^(aws-cdk-lib|constructs)(\/|$)/;

// Node's resolver, not part of its typed API; the hook must patch the real Module object, which
// an import statement would copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('module') as {
  _resolveFilename(request: string, parent: unknown, ...rest: unknown[]): string;
  _nodeModulePaths(from: string): string[];
};
const FROM_ENV_DIR = { id: ENV_DIR, filename: path.join(ENV_DIR, 'index.js'), paths: Module._nodeModulePaths(ENV_DIR) };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  // Resolved as if imported from a file in test/cdk-nag3/.
  if (redirected.test(request)) return resolve.call(this, request, FROM_ENV_DIR);
  return resolve.call(this, request, parent, ...rest);
};

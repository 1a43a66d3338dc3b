import { awscdk, javascript } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-amplify-backend',
  description:
    'Typed, validated, least-privilege CDK constructs for the AWS Amplify (Gen 1) backend API and Admin UI login settings (AmplifyBackend UpdateBackendAPI / UpdateBackendConfig).',
  author: 'cdk-amplify-backend maintainers',
  authorAddress: 'maintainers@cdk-amplify-backend.dev',
  repositoryUrl: 'https://github.com/cdk-amplify-backend/cdk-amplify-backend.git',
  keywords: ['cdk', 'aws-cdk', 'amplify', 'amplifybackend', 'amplify-admin-ui', 'custom-resource'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The minimum aws-cdk-lib users need; its newest Node.js Lambda runtime is NODEJS_22_X.
  cdkVersion: '2.200.0',
  jsiiVersion: '~6.0.0',

  // The development tsconfig sits at the top level and covers every TypeScript folder.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {},
    include: ['.projenrc.ts', 'src/**/*.ts', 'test/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
  },

  // jsii targets (docs/design.md, decision 1).
  publishToPypi: { distName: 'cdk-amplify-backend', module: 'cdk_amplify_backend' },
  publishToMaven: {
    javaPackage: 'io.github.cdkamplifybackend',
    mavenGroupId: 'io.github.cdk-amplify-backend',
    mavenArtifactId: 'cdk-amplify-backend',
  },
  publishToNuget: { dotNetNamespace: 'CdkAmplifyBackend', packageId: 'CdkAmplifyBackend' },
  publishToGo: { moduleName: 'github.com/cdk-amplify-backend/cdk-amplify-backend-go' },

  devDeps: [
    // Bundled into the handler asset at build time (docs/design.md, decision 4): pinned, never resolved at synth time.
    '@aws-sdk/client-amplifybackend@3.1138.0',
    '@aws-sdk/credential-provider-env@3.972.84',
    // The handler signs its S3 read and picks the partition's DNS suffix with the very copies the
    // client above uses (pinned to them), instead of bundling an S3 client.
    '@aws-sdk/core@3.981.0',
    '@smithy/signature-v4@5.7.5',
    '@types/aws-lambda',
    'aws-sdk-client-mock@^4.1.0',
    'cdk-nag@2.37.55',
    // cdk-nag 3 needs aws-cdk-lib >= 2.257, above the minimum this library is built against:
    // test/cdk-nag3/ holds both, and test/cdk-nag.test.ts runs the library against them.
    'cdk-nag3-test-env@file:test/cdk-nag3',
    // Integration tests (test/integ.*.ts): 2.193.0-alpha.0 is the newest alpha on the registry that
    // accepts aws-cdk-lib 2.200; integ-runner checks their snapshots; the CLI deploys them for real.
    '@aws-cdk/integ-tests-alpha@2.193.0-alpha.0',
    '@aws-cdk/integ-runner@2.197.10',
    'aws-cdk@2.1148.1',
    'esbuild',
  ],

  // Lint every TypeScript folder against the development tsconfig (the default, per-folder
  // project service, finds only tsconfig.json, which covers src/ alone).
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'lambda', 'cli', 'examples', 'bench', 'projenrc'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  jestOptions: {
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
      collectCoverageFrom: ['src/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts'],
      // A temporary folder per run, removed at its end (test/support/jest-global-setup.ts).
      globalSetup: '<rootDir>/test/support/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/jest-global-teardown.ts',
    },
  },
  gitignore: ['/cdk.out', '/examples/cdk.out', '/.bench/', '/.jsii.tabl.json'],
  sampleCode: false,
});

project.eslint?.addRules({ '@stylistic/max-len': ['error', { code: 200, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }] });

// The handler is bundled once at build time with the SDK v3 client inside (docs/design.md, decision 4).
// `module` first: the SDK's ES modules tree-shake, which takes the bundle from 467 KB to 326 KB
// and its cold require() from ~63 ms to ~42 ms on the bench machine (BENCHMARKS.md). Those ES
// modules load a few Node built-ins with import(); `dynamic-import=false` makes them require()
// calls, as in the SDK's CommonJS build, so the bundle also loads where import() is unavailable
// (jest's VM sandbox in the e2e tests).
project.bundler.addBundle('./lambda/index.ts', {
  platform: 'node',
  target: 'node22',
  minify: true,
  externals: [],
  mainFields: ['module', 'main'],
  esbuildArgs: {
    '--supported:dynamic-import': 'false',
    // Lambda hands the function its role's credentials in the environment: the SDK's default
    // chain (profiles, SSO, web identity, with their STS and SSO clients) is a third of the bundle
    // and never used there (lambda/credentials.ts).
    '--alias:@aws-sdk/credential-provider-node': './lambda/credentials.ts',
  },
});

// The command-line tool `cdk-amplify-backend` (import / diff) is bundled the same way,
// with the SDK v3 AmplifyBackend client inside, so it adds no runtime dependency to the package.
// It lives in cli/, not src/: src/ is the jsii public API. jsii turns `bin` into a console script
// for Python (it runs the file with node).
const cliBundle = project.bundler.addBundle('./cli/index.ts', {
  platform: 'node',
  target: 'node20',
  minify: true,
  externals: [],
  mainFields: ['module', 'main'],
  banner: '#!/usr/bin/env node',
  executable: true,
  esbuildArgs: { '--supported:dynamic-import': 'false' },
});
project.package.addBin({ 'cdk-amplify-backend': cliBundle.outfile });

// Tests and the demo load the bundle, so they build it first. ts-jest only transpiles
// (isolatedModules), so the tests, the handler, the examples and the bench are type-checked too.
project.testTask.prependSpawn(project.bundler.bundleTask);
project.testTask.exec('tsc -p tsconfig.dev.json --noEmit');

// `npx projen build` must not depend on the CI variable nor on toolchains this machine lacks:
// packaging for Python/Java/.NET/Go is the release workflow's job, not the local build's.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package:js')!);

project.addTask('pacmak:check', {
  description: 'Generate (code only) the Python, Java, .NET and Go bindings into a temporary folder',
  steps: [
    {
      exec:
        'bash -c \'set -e; out=$(mktemp -d); for t in python java dotnet go; do echo "jsii-pacmak --code-only --target $t"; jsii-pacmak --code-only --target $t --outdir "$out/$t"; echo "  $(find "$out/$t" -type f | wc -l) files"; done; rm -rf "$out"\'',
    },
  ],
});

project.addTask('rosetta:check', {
  description: 'Compile every TypeScript example in README.md under jsii-rosetta --strict',
  steps: [{ exec: 'jsii-rosetta extract --strict --fail' }],
});
project.postCompileTask.spawn(project.tasks.tryFind('rosetta:check')!);

const demo = project.addTask('demo', {
  description: 'Synthesize examples/, deploy, update and delete it against the local AmplifyBackend emulator',
});
demo.spawn(project.bundler.bundleTask);
demo.exec('ts-node --project tsconfig.dev.json examples/demo.ts');

const bench = project.addTask('bench', {
  description: 'Benchmark this library against the AwsCustomResource equivalent; writes BENCHMARKS.md',
});
bench.spawn(project.bundler.bundleTask);
bench.exec('ts-node --project tsconfig.dev.json bench/run.ts');

// Publish exactly what users need, whatever else sits in the build folder: the compiled library,
// its jsii assembly, the bundled handler and CLI, the API reference and the docs the README links.
// npm adds package.json, README.md and LICENSE itself. test/package-contents.test.ts checks it.
// (A root .npmignore cannot add to that list, so none of its lines are needed.)
project.package.addField('files', ['lib/**/*.js', 'lib/**/*.d.ts', '.jsii', 'assets/', 'API.md', 'docs/']);

// unrs-resolver 1.13.0 (via eslint-import-resolver-typescript) names platform bindings that the
// registry this project installs from does not serve, so npm leaves them out of the lock file and
// 'npm ci' then refuses the lock file. 1.12.2 has every binding.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// The README's main example in Python, right under the TypeScript one: jsii-rosetta's own translation,
// taken from the tablet that rosetta:check has just written (projenrc/readme-python.ts), never
// written by hand. Run after rosetta:check, it leaves README.md as it is unless the block is stale,
// so CI's `git diff --exit-code` after the build catches a README whose Python drifted.
// --transpile-only: the test task type-checks projenrc/ with the rest (tsc -p tsconfig.dev.json).
const readmePython = project.addTask('readme:python', {
  description: "Write jsii-rosetta's Python translation of the README's main example under it (after rosetta:check)",
  steps: [{ exec: 'ts-node --transpile-only --project tsconfig.dev.json projenrc/readme-python.ts' }],
});
project.postCompileTask.spawn(readmePython);

// Integration tests (test/integ.*.ts; CONTRIBUTING.md, "Integration tests"), run by integ-runner.
// Without --update-on-failed or --force, integ-runner only synthesizes each test and compares its
// templates with the committed snapshot (asset hashes left out): that is what the test task runs,
// with no AWS account. integ:deploy deploys them for real. Not projen's experimentalIntegRunner
// option: it adds integ-runner and integ-tests-alpha at @latest (the versions pinned above are the
// newest that accept aws-cdk-lib 2.200) and runs the tests under tsconfig.json, which covers src/
// only. --transpile-only: the test task type-checks test/ with the rest (tsc -p tsconfig.dev.json).
const integArgs = '--language typescript --app "ts-node --project tsconfig.dev.json --transpile-only {filePath}"';
// The existing Gen 1 app the tests configure when deployed (test/integ.*.ts). The snapshots hold
// the tests' placeholders, so the snapshot tasks ignore any of these set in the shell.
const integRequired = ['AMPLIFY_APP_ID', 'AMPLIFY_BACKEND_ENV', 'AMPLIFY_API_RESOURCE', 'AMPLIFY_ADMIN_USER_POOL_ID', 'AMPLIFY_ADMIN_USER_POOL_CLIENT_ID'];
const integTargets = [...integRequired, 'AMPLIFY_ADMIN_IDENTITY_POOL_ID'];
const withPlaceholders = `env ${integTargets.map((v) => `-u ${v}`).join(' ')}`;
// Any region, so that the CDK toolkit does not ask the EC2 instance metadata for one (about 8 s
// of timeouts off EC2); the test stacks have no env, so their templates do not depend on it.
const snapshotEnv = { AWS_REGION: 'us-east-1' };
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Compare the integration tests (test/integ.*.ts) with their committed snapshots; never deploys',
  env: snapshotEnv,
  exec: `${withPlaceholders} integ-runner ${integArgs}`,
  receiveArgs: true,
});
project.testTask.spawn(integSnapshot);
const integSnapshotUpdate = project.addTask('integ:snapshot:update', {
  description: 'Rewrite the snapshots of the integration tests whose templates changed; never deploys',
  env: snapshotEnv,
  exec: `${withPlaceholders} integ-runner ${integArgs} --update-on-failed --dry-run`,
  receiveArgs: true,
});
project.addTask('integ:deploy', {
  description: 'Deploy the integration tests in a real account (AMPLIFY_* and AWS_REGION set), run their assertions, delete them',
  steps: [
    {
      exec: `bash -c 'for v in ${integRequired.join(' ')} AWS_REGION; do [ -n "\${!v}" ] || { echo "integ:deploy: set $v (CONTRIBUTING.md, Integration tests)" >&2; exit 1; }; done'`,
    },
    {
      // --force: every test (or those named), though its snapshot matches. A test that passes
      // rewrites its snapshot with the real IDs: the dry run after it puts the placeholders back,
      // whatever the outcome. Test names go first: --parallel-regions would take them as regions.
      exec: `integ-runner $@ ${integArgs} --force --parallel-regions "$AWS_REGION"; rc=$?; `
        + 'echo "integ:deploy: putting the placeholders back into the snapshots"; '
        + `npx projen ${integSnapshotUpdate.name} > /dev/null; exit $rc`,
      receiveArgs: true,
    },
  ],
});
// What integ-runner synthesizes into while it runs (left behind if it is stopped).
project.gitignore.exclude('/test/cdk-integ.out.*');
// The snapshots' assets are integ-tests-alpha's minified assertion handler (2 MB): no diff to read.
project.gitattributes.addAttributes('/test/*.snapshot/asset.*/**', '-diff', 'linguist-generated');

project.synth();

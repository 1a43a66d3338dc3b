/**
 * The npm package holds exactly what users need (the `files` allowlist set in .projenrc.ts):
 * nothing else that happens to sit in the build folder is published.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

/** Every path `npm pack` would publish, and where each must come from. */
function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out)[0].files as Array<{ path: string }>).map((f) => f.path).sort();
}

/** What the allowlist should publish, read from the tree: the compiled sources, the bundles, the docs. */
function expectedFiles(): string[] {
  const lib = fs.readdirSync(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [`lib/${f.replace(/\.ts$/, '.js')}`, `lib/${f.replace(/\.ts$/, '.d.ts')}`]);
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`);
  return [
    '.jsii', 'API.md', 'LICENSE', 'README.md', 'package.json',
    'assets/cli/index/index.js', 'assets/lambda/index/index.js',
    ...lib, ...docs,
  ].sort();
}

test('npm pack lists exactly the library, its jsii assembly, the handler and CLI bundles and the docs', () => {
  // A stray file in the build folder must not be published.
  const stray = path.join(ROOT, 'lib', 'stray-notes.txt');
  fs.mkdirSync(path.dirname(stray), { recursive: true });
  fs.writeFileSync(stray, 'not for the package');
  try {
    expect(packedFiles()).toEqual(expectedFiles());
  } finally {
    fs.rmSync(stray);
  }
});

test('every file the README points to by a relative link is in the package', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const links = [...readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
  const packed = new Set(packedFiles());
  expect(links.filter((l) => !packed.has(l.replace(/^\.\//, '')))).toEqual([]);
});

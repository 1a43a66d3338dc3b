/**
 * Synth wall time and peak RSS of both sides, each run in a fresh `node` process
 * (bench/synth-child.ts), the runs of both sides interleaved.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { Side } from './stacks';
import { median } from './stats';
import { SIZES } from './templates';

const ROOT = path.join(__dirname, '..');

interface ChildSynth {
  readonly ms: number;
  readonly maxRssKb: number;
}

export interface SynthTime {
  /** Medians. */
  readonly ms: number;
  readonly rssMb: number;
  readonly runs: ChildSynth[];
}

/** One run, outputs on. */
function childSynth(side: Side, n: number): ChildSynth {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'synth-child.ts'), side, String(n), '1'], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`synth child ${side} ${n} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Per side and N (outputs on): `runs` fresh processes each. */
export function measureSynthTimes(runs: number, progress: (line: string) => void): Record<Side, Record<number, SynthTime>> {
  const all: Record<string, ChildSynth[]> = {};
  // Interleaved, so that drift of the machine affects both sides alike.
  for (let i = 0; i < runs; i++) {
    for (const n of SIZES) {
      for (const side of ['ours', 'peer'] as Side[]) (all[`${side}/${n}`] ??= []).push(childSynth(side, n));
    }
    progress(`synth round ${i + 1}/${runs}`);
  }
  const out = { ours: {}, peer: {} } as Record<Side, Record<number, SynthTime>>;
  for (const side of ['ours', 'peer'] as Side[]) {
    for (const n of SIZES) {
      const rs = all[`${side}/${n}`];
      out[side][n] = { ms: median(rs.map((r) => r.ms)), rssMb: median(rs.map((r) => r.maxRssKb)) / 1024, runs: rs };
    }
  }
  return out;
}

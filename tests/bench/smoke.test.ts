import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configFor } from '../../bench/config.js';
import type { Report } from '../../bench/report.js';
import { runBench } from '../../bench/run.js';

/** Every figure the issue asks for; the bench must keep producing all of them. */
const FIGURES = [
  'append.single',
  'append.batch100',
  'append.build',
  'rebuild.all',
  'rebuild.global',
  'verify.ledger',
  'verify.streams',
  'restart',
  ...['timeline', 'disputes', 'factHistory', 'assertionHistory'].flatMap((v) => [`query.${v}.current`, `query.${v}.asOf`]),
  'query.timeline.afterAppend',
  'http.timeline',
  'http.assertion',
  'memory.serving',
  'peer.single',
  'peer.batched',
  'peer.read',
];

describe('npm run bench -- --smoke', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('produces every figure, each with finite numbers, in BENCHMARKS.md and the JSON report', { timeout: 180_000 }, async () => {
    process.env.BENCH_QUIET = '1';
    const report = await runBench(configFor('smoke', { markdownPath: join(out, 'BENCHMARKS.md'), jsonPath: join(out, 'results.json') }));
    delete process.env.BENCH_QUIET;

    expect(report.figures.map((f) => f.id).sort()).toEqual([...FIGURES].sort());
    for (const f of report.figures) {
      for (const value of [f.ours, f.baseline, f.ratio, f.events]) expect(Number.isFinite(value), `${f.id}: ${value}`).toBe(true);
      expect(f.ours, f.id).toBeGreaterThan(0);
      expect(f.baseline, f.id).toBeGreaterThan(0);
    }
    expect(Object.keys(report.ledger.valueTypes).sort()).toEqual(['boolean', 'date', 'quantity', 'text']);
    for (const type of ['IncidentOpened', 'SourceRegistered', 'AssertionRecorded', 'AssertionCorrected', 'AssertionRetracted', 'FactAssessed']) {
      expect(report.ledger.eventTypes[type], type).toBeGreaterThan(0);
    }

    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Report;
    expect(json.figures).toHaveLength(FIGURES.length);
    const markdown = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8');
    expect(markdown).toContain('| figure | ours | baseline | ratio | events | machine |');
    expect(markdown).toContain('smoke mode');
    for (const f of report.figures) expect(markdown).toContain(`| ${f.figure.replace(/\|/g, '\\|')} |`);
  });
});

import { describe, expect, it } from 'vitest';
import type { FactsView, Timeline } from '../../projections/schemas.js';
import { renderReplay, type ReplayAnswer } from '../../src/cli/table.js';
import { cli, json, seededWorkspace } from './helpers.js';

/** The demo corrects Sky ECC's messages.per-day from 300,000 to 3,000,000 on 2021-03-12 at 10:30 UTC. */
const skyEccPerDay = (answer: ReplayAnswer, assertionId: string) => {
  const fact = answer.facts.facts.find((f) => f.fact === 'messages.per-day');
  const assertion = fact?.assertions.find((a) => a.assertionId === assertionId);
  return assertion && { value: assertion.value, corrected: assertion.corrected };
};

describe('incident-ledger replay --as-of', () => {
  const ws = seededWorkspace();

  const replay = async (asOf: string, ...extra: string[]) => cli(['replay', '--db', ws.ledger, '--incident', ws.demo.incidentId, '--as-of', asOf, ...extra]);

  it('shows the value before the correction, and the corrected one after it', async () => {
    const before = await replay('2021-03-11T00:00:00Z');
    expect(before.code, before.stderr).toBe(0);
    const old = json<ReplayAnswer>(before);
    expect(old.asOf).toBe('2021-03-11T00:00:00.000Z');
    expect(skyEccPerDay(old, ws.demo.assertions['messages-skyecc']!)).toMatchObject({ value: { type: 'quantity', value: 300_000 }, corrected: false });

    const after = await replay('2021-03-12T11:00:00Z', '--json');
    const fixed = json<ReplayAnswer>(after);
    expect(skyEccPerDay(fixed, ws.demo.assertions['messages-skyecc']!)).toMatchObject({ value: { type: 'quantity', value: 3_000_000 }, corrected: true });
    expect(fixed.timeline.revision).toBeGreaterThan(old.timeline.revision);

    // Same instant, same answer, whatever else happened since.
    expect(json<{ timeline: Timeline; facts: FactsView }>(await replay('2021-03-11T00:00:00Z'))).toEqual(old);
  });

  it('prints a table with --table (and on a terminal)', async () => {
    const run = await replay('2021-03-11', '--table');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('TIMELINE');
    expect(run.stdout).toMatch(/messages\.per-day\s+disputed\s+~300,000\s+Sky ECC/);
    const later = await replay('2021-03-16', '--table');
    expect(later.stdout).toMatch(/~3,000,000 \(corrected\)\s+Sky ECC/);
    const lines = renderReplay(json<ReplayAnswer>(await replay('2021-03-16')));
    expect(lines.join('\n')).toContain('DISPUTES');
  });

  it('refuses bad input with exit 2', async () => {
    expect((await replay('yesterday')).code).toBe(2);
    expect((await cli(['replay', '--db', ws.ledger, '--incident', 'nope', '--as-of', '2021-03-11'])).code).toBe(2);
    // Before the incident was opened there is nothing to show.
    const early = await replay('2020-01-01T00:00:00Z');
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('did not exist');
    expect((await cli(['replay', '--db', ws.ledger, '--as-of', '2021-03-11'])).code).toBe(2);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TITLE, seedDemo } from '../../../src/demo/seed.js';
import { SOURCES } from '../../../src/demo/sky-ecc-data.js';
import { expectStatus, type Json } from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

interface Position {
  assertionId: string;
  sourceId: string;
  sourceName: string;
  value: Json;
  quote?: string;
  citation?: { language?: string };
}
interface Dispute {
  fact: string;
  status: string;
  positions: Position[];
  conflicts: Array<[string, string]>;
  assessment?: { preferred: string[]; rationale: string };
}

/** The Sky ECC case ships as the demo: it loads through the ledger's commands and its disputes show over HTTP. */
export function describeDemo(t: ApiSuiteContext): void {
  describe('the Sky ECC demo incident', () => {
    let demo: Awaited<ReturnType<typeof seedDemo>>;
    let disputes: Dispute[];
    beforeAll(async () => {
      demo = await seedDemo(t.api.services.ledger);
      // The seeder appends through the ledger, not HTTP: let the read models see its sources.
      await t.api.services.runner.waitFor(await t.api.store.headPosition());
      disputes = (expectStatus(await t.api.as('reader').get(`/api/incidents/${demo.incidentId}/disputes`), 200).disputes as Dispute[]) ?? [];
    });

    const dispute = (fact: string): Dispute => {
      const found = disputes.find((d) => d.fact === fact);
      expect(found, `a dispute on ${fact}`).toBeDefined();
      return found!;
    };
    const sideOf = (d: Dispute, sourceName: string): Position => {
      const found = d.positions.find((p) => p.sourceName === sourceName);
      expect(found, `${sourceName}'s position on ${d.fact}`).toBeDefined();
      return found!;
    };
    const conflictBetween = (d: Dispute, a: Position, b: Position) =>
      d.conflicts.some(([x, y]) => (x === a.assertionId && y === b.assertionId) || (x === b.assertionId && y === a.assertionId));

    it('loads, with its title, and is listed', async () => {
      const incident = expectStatus(await t.api.as('reader').get(`/api/incidents/${demo.incidentId}`), 200);
      expect(incident).toMatchObject({ id: demo.incidentId, title: DEMO_TITLE });
      expect(incident.disputedFactCount).toBeGreaterThanOrEqual(2);
      const list = expectStatus(await t.api.as('reader').get(`/api/incidents?q=${encodeURIComponent(DEMO_TITLE)}&limit=500`), 200);
      expect((list.incidents as Json[]).map((i) => i.id)).toContain(demo.incidentId);
    });

    it('shows Europol (unlocked) against Sky ECC (no device hacked) on encryption.compromised', () => {
      const d = dispute('encryption.compromised');
      expect(d.status).toBe('disputed');
      const europol = sideOf(d, SOURCES.europol.name);
      const skyEcc = sideOf(d, SOURCES.skyecc.name);
      expect(europol).toMatchObject({ value: { type: 'boolean', value: true }, quote: expect.stringContaining('chiffrement'), citation: { language: 'fr' } });
      expect(skyEcc).toMatchObject({ value: { type: 'boolean', value: false }, quote: expect.stringContaining('no authorized SKY ECC device has been hacked'), citation: { language: 'en' } });
      expect(conflictBetween(d, europol, skyEcc)).toBe(true);
    });

    it('shows hundreds of thousands against hundreds of millions on messages.monitored, with the ruling', () => {
      const d = dispute('messages.monitored');
      expect(d.status).toBe('assessed');
      const iics = sideOf(d, SOURCES.iics.name);
      const europol = sideOf(d, SOURCES.europol.name);
      expect(iics).toMatchObject({ value: { min: 100_000, max: 1_000_000, text: 'hundreds of thousands of messages' }, quote: expect.any(String) });
      expect(europol).toMatchObject({ value: { min: 100_000_000, max: 1_000_000_000 }, quote: expect.stringContaining('centaines de millions') });
      expect(conflictBetween(d, iics, europol)).toBe(true);
      expect(d.assessment).toMatchObject({ preferred: [demo.assertions['monitored-europol']], rationale: expect.any(String) });
    });

    it('shows the corrected figure now, and the mistyped one as of before the correction', async () => {
      const at = async (asOf: string) => {
        const facts = expectStatus(await t.api.as('reader').get(`/api/incidents/${demo.incidentId}/facts?asOf=${asOf}`), 200);
        const perDay = (facts.facts as Array<{ fact: string; assertions: Array<{ assertionId: string; value: Json }> }>).find((f) => f.fact === 'messages.per-day');
        return perDay?.assertions.find((a) => a.assertionId === demo.assertions['messages-skyecc'])?.value;
      };
      expect(await at('2021-03-11T00:00:00Z')).toMatchObject({ value: 300_000 });
      expect(await at('2021-03-12T12:00:00Z')).toMatchObject({ value: 3_000_000 });
    });
  });
}

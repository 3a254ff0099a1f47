import { randomUUID } from 'node:crypto';
import type { Ledger } from '../app/ledger.js';
import { newUlid } from '../app/new-ulid.js';
import { ARTICLE_EN, ASSERTIONS, SOURCES, type SourceName } from './sky-ecc-data.js';

export const DEMO_TITLE = 'Sky ECC: Europol says the encryption was unlocked, Sky ECC denies it';

/**
 * Enters the Sky ECC case through the same commands the API uses, on a clock that replays the
 * days it was reported (10–15 March 2021), so "as of" has a real history to show: the first
 * reports, a correction on the 12th, a retraction on the 13th and a ruling on the 15th.
 */
export async function seedDemo(ledger: Ledger, actor = 'demo-seed'): Promise<{ incidentId: string; assertions: Record<string, string> }> {
  const correlationId = `seed-${randomUUID()}`;
  const ctx = { actor, correlationId };
  const clock = { at: Date.parse('2021-03-10T09:00:00Z') };
  const tick = (minutes = 7) => (clock.at += minutes * 60_000);
  // The seeder reaches the ledger's environment through the Ledger it is given: same decider, same store.
  const seeded = ledger.withEnvironment({ now: () => new Date(clock.at), newId: () => newUlid(clock.at) });

  const sources = {} as Record<SourceName, string>;
  for (const [key, source] of Object.entries(SOURCES) as Array<[SourceName, (typeof SOURCES)[SourceName]]>) {
    tick(1);
    const sourceId = seeded.newId();
    await seeded.registerSource({ type: 'RegisterSource', data: { sourceId, ...source } }, ctx);
    sources[key] = sourceId;
  }

  tick();
  const incidentId = seeded.newId();
  await seeded.handle(incidentId, {
    type: 'OpenIncident',
    data: {
      incidentId,
      title: DEMO_TITLE,
      summary:
        'In March 2021 Europol announced that Belgian, Dutch and French investigators had unlocked the encryption of the Sky ECC messaging platform and monitored its users; Sky ECC denied that any authorized device was hacked.',
    },
  }, ctx);

  const assertions: Record<string, string> = {};
  for (const a of ASSERTIONS) {
    tick();
    const assertionId = seeded.newId();
    await seeded.handle(incidentId, {
      type: 'RecordAssertion',
      data: { assertionId, fact: a.fact, value: a.value, sourceId: sources[a.source], citation: a.citation, quote: a.quote, ...(a.validTime ? { validTime: a.validTime } : {}) },
    }, ctx);
    assertions[a.key] = assertionId;
  }

  clock.at = Date.parse('2021-03-12T10:30:00Z');
  await seeded.handle(incidentId, {
    type: 'CorrectAssertion',
    data: { assertionId: assertions['messages-skyecc']!, reason: 'Figure mistyped on entry: the article says around 3 million messages a day, not 300,000.', value: { type: 'quantity', value: 3_000_000, approximate: true, text: 'around 3 million messages' } },
  }, { ...ctx, actor: 'standards-desk' });

  clock.at = Date.parse('2021-03-13T08:15:00Z');
  await seeded.handle(incidentId, {
    type: 'RetractAssertion',
    data: { assertionId: assertions['arrests-misfiled']!, reason: 'Recorded in error: the "hundreds of suspects" were arrested in the EncroChat case of 2020, not in the Sky ECC operation.' },
  }, { ...ctx, actor: 'standards-desk' });

  clock.at = Date.parse('2021-03-15T16:00:00Z');
  await seeded.handle(incidentId, {
    type: 'AssessFact',
    data: {
      fact: 'messages.monitored',
      preferred: [assertions['monitored-europol']!],
      rationale: `The French article quotes Europol's statement ("des centaines de millions de messages"); the English report (${ARTICLE_EN.title}) paraphrases it. The ledger prefers the quoted figure; both stay visible.`,
    },
  }, { ...ctx, actor: 'standards-desk' });

  return { incidentId, assertions };
}

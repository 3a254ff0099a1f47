import { describe, expect, it } from 'vitest';
import { packPage, rehashPage } from '../../src/audit/rehash-page.js';
import { sealEventsJson } from '../../src/store/hash-chain.js';
import type { StoredEventJson } from '../../src/store/port.js';
import { rehashStoredJson } from '../../src/store/rehash-stored-json.js';
import { newEvent, newStream } from '../store/fixtures.js';

/** Events as a store keeping JSON text holds them. */
function sealed(n: number): StoredEventJson[] {
  const stream = newStream();
  const events = Array.from({ length: n }, (_, i) => newEvent('AssertionRecorded', { assertionId: `a${i}`, quote: `überwacht — ${i} 🔐`, value: i % 2 ? 1.5 : 170_000 }));
  return sealEventsJson(stream, 0, '0'.repeat(64), events).map((e, i) => ({ stream, revision: e.revision, position: i, type: e.type, dataJson: e.dataJson, metadataJson: e.metadataJson }));
}

/** What the main thread reads off the worker's answer for event `i`, or undefined where it rehashes the event itself. */
function answered(events: readonly StoredEventJson[], i: number) {
  const { actuals, offsets } = rehashPage(structuredClone(packPage(7, events)));
  const [at, hashAt] = [offsets[2 * i]!, offsets[2 * i + 1]!];
  if (at < 0) return undefined;
  const m = events[i]!.metadataJson;
  return { prevHash: m.slice(at, at + 64), hash: m.slice(hashAt, hashAt + 64), actual: actuals.slice(64 * i, 64 * i + 64) };
}

describe('a page rehashed by the worker', () => {
  it('answers for each event what rehashStoredJson gives', () => {
    const events = sealed(12);
    events[3] = { ...events[3]!, dataJson: events[3]!.dataJson.replace('überwacht', 'uberwacht') };
    events[5] = { ...events[5]!, metadataJson: events[5]!.metadataJson.replace('"hash":"', '"hash":"f').replace(/("hash":"[0-9a-f]{64})[0-9a-f]/, '$1') };
    expect(rehashPage(packPage(7, events)).id).toBe(7);
    for (let i = 0; i < events.length; i++) {
      const { prevHash, hash, actual } = rehashStoredJson(events[i]!);
      expect(answered(events, i)).toEqual({ prevHash, hash, actual });
    }
  });

  it.each<[string, (e: StoredEventJson) => unknown]>([
    ['text that is not JSON', (e) => ({ ...e, dataJson: e.dataJson.slice(1) })],
    ['a revision read as text', (e) => ({ ...e, revision: String(e.revision) })],
    ['data read as bytes', (e) => ({ ...e, dataJson: Buffer.from(e.dataJson) })],
    ['a hash that is not 64 characters', (e) => ({ ...e, metadataJson: e.metadataJson.replace(/"hash":"[0-9a-f]{64}"/, '"hash":"abc"') })],
    ['a prevHash written with an escape', (e) => ({ ...e, metadataJson: e.metadataJson.replace(/"prevHash":"([0-9a-f]{10})([0-9a-f])/, (_, a: string, c: string) => `"prevHash":"${a}\\u00${c.charCodeAt(0).toString(16)}`) })],
    ['an event read as values', (e) => ({ stream: e.stream, revision: e.revision, position: e.position, type: e.type, data: JSON.parse(e.dataJson), metadata: JSON.parse(e.metadataJson) })],
  ])('leaves %s to the main thread, and answers for the rest', (_, damage) => {
    const events = sealed(4);
    events[1] = damage(events[1]!) as StoredEventJson;
    expect(answered(events, 1)).toBeUndefined();
    for (const i of [0, 2, 3]) expect(answered(events, i)).toMatchObject({ actual: rehashStoredJson(events[i]!).actual });
  });
});

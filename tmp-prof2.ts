import { upcast, type IncidentEvent, type Recorded } from './events/index.js';
import { IncidentReplay } from './projections/incident-replay.js';
import { LedgerFixture } from './tests/support/ledger-fixture.js';
import { id, qty } from './tests/support/incident-fixtures.js';
const ledger = new LedgerFixture();
const sources = Array.from({ length: 10 }, (_, i) => id(`src${i}`));
const SKY = id('sky');
await ledger.open(SKY, 'Sky');
const steps: IncidentEvent[] = [];
const live: string[] = [];
let n = 0;
for (let i = 0; i < 10_000; i++) {
  const r = i % 50;
  const fact = `fact.${i % 200}`;
  if (r < 35 || live.length < 10) {
    const aid = id(`a${n++}`);
    live.push(aid);
    steps.push({ type: 'AssertionRecorded', data: { assertionId: aid, fact, value: i % 7 === 0 ? { type: 'date', value: `2021-0${(i % 9) + 1}-1${i % 10}` } : qty(1000 + (i % 13) * 100, { approximate: i % 2 === 0 }), sourceId: sources[i % 10]!, quote: 'q' } });
  } else if (r < 45) {
    steps.push({ type: 'AssertionCorrected', data: { assertionId: live[(i * 7919) % live.length]!, reason: 'fix', value: qty(i) } });
  } else if (r < 49) {
    const [aid] = live.splice((i * 31) % live.length, 1);
    steps.push({ type: 'AssertionRetracted', data: { assertionId: aid!, reason: 'oops' } });
  } else {
    steps.push({ type: 'FactAssessed', data: { fact, preferred: [live[live.length - 1]!], rationale: 'r' } });
  }
}
await ledger.record(SKY, ...steps);
const events = ledger.store.events.map(upcast) as Recorded<IncidentEvent>[];
for (let k = 0; k < 8; k++) { const t = performance.now(); const r = new IncidentReplay(); for (const e of events) r.offer(e); console.log('replay', (performance.now() - t).toFixed(1)); }

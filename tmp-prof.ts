import { LedgerFixture } from './tests/support/ledger-fixture.js';
import { id, qty } from './tests/support/incident-fixtures.js';
import { upcast, type IncidentEvent, type Recorded } from './events/index.js';
import { foldIncidentModel } from './projections/incident-model.js';
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
    steps.push({ type: 'AssertionRecorded', data: { assertionId: aid, fact, value: qty(1000 + (i % 13) * 100, { approximate: i % 2 === 0 }), sourceId: sources[i % 10]!, quote: 'q' } });
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
console.log('distinct ids', new Set(steps.filter(s=>s.type==='AssertionRecorded').map(s=>(s.data as {assertionId:string}).assertionId)).size);
for (let k = 0; k < 5; k++) { const t = performance.now(); foldIncidentModel(events); console.log('fold', (performance.now() - t).toFixed(1)); }
for (const type of ['AssertionRecorded', 'AssertionCorrected', 'AssertionRetracted', 'FactAssessed']) {
  const base = foldIncidentModel(events);
  const subset = events.filter((e) => e.type === type);
  const t = performance.now();
  for (let k = 0; k < 5; k++) foldIncidentModel(subset, base);
  console.log(type, subset.length, ((performance.now() - t) / 5 / subset.length * 1000).toFixed(2), 'us/event');
}

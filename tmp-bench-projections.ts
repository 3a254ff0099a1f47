import Database from 'better-sqlite3';
import { ProjectionRunner } from './projections/runner.js';
import { ReadModels } from './src/app/read-models.js';
import { SqliteCheckpointStore } from './src/store/checkpoints-sqlite.js';
import { LedgerFixture } from './tests/support/ledger-fixture.js';
import { id, qty } from './tests/support/incident-fixtures.js';
import type { IncidentEvent } from './events/index.js';

const ledger = new LedgerFixture();
const sources = Array.from({ length: 10 }, (_, i) => id(`src${i}`));
for (const s of sources) await ledger.register(s, `Source ${s}`);
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
    steps.push({ type: 'AssertionRecorded', data: { assertionId: aid, fact, value: i % 7 === 0 ? { type: 'date', value: `2021-0${(i % 9) + 1}-1${i % 10}` } : qty(1000 + (i % 13) * 100, { approximate: i % 2 === 0 }), validTime: i % 3 === 0 ? `2021-0${(i % 9) + 1}` : undefined, sourceId: sources[i % 10]!, quote: 'q' } as never });
  } else if (r < 45) {
    steps.push({ type: 'AssertionCorrected', data: { assertionId: live[(i * 7919) % live.length]!, reason: 'fix', value: qty(i) } });
  } else if (r < 49) {
    const [aid] = live.splice((i * 31) % live.length, 1);
    steps.push({ type: 'AssertionRetracted', data: { assertionId: aid!, reason: 'oops' } });
  } else {
    steps.push({ type: 'FactAssessed', data: { fact, preferred: [live[live.length - 1]!], rationale: 'r' } });
  }
}
for (let i = 0; i < steps.length; i += 500) await ledger.record(SKY, ...steps.slice(i, i + 500));
const runner = new ProjectionRunner(ledger.store, { checkpoints: new SqliteCheckpointStore(new Database(':memory:')) });
await runner.start();
const reads = new ReadModels(ledger.store, runner);
let t = performance.now();
await reads.timeline(SKY);
console.log('cold load + timeline', (performance.now() - t).toFixed(1), 'ms');
const first = Date.parse('2024-01-01T00:00:00Z');
const span = 10_011 * 3_600_000;
async function measure(name: string, fn: (asOf?: Date) => Promise<unknown>, asOf: boolean) {
  const times: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const instant = asOf ? new Date(first + Math.random() * span) : undefined;
    const s = performance.now();
    await fn(instant);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log(name, asOf ? 'asOf' : 'current', 'p50', times[1000]!.toFixed(3), 'p99', times[1980]!.toFixed(3), 'max', times[1999]!.toFixed(2));
}
for (const asOf of [false, true]) {
  await measure('timeline', (a) => reads.timeline(SKY, a), asOf);
  await measure('disputes', (a) => reads.disputes(SKY, a), asOf);
  await measure('facts', (a) => reads.facts(SKY, a), asOf);
  await measure('factHistory', (a) => reads.factHistory(SKY, 'fact.7', a), asOf);
  await measure('assertionHistory', (a) => reads.assertionHistory(SKY, id('a5'), a), asOf);
  await measure('incident', (a) => reads.incident(SKY, a), asOf);
}
// Apply path: one new event then read.
{
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const ev = await ledger.record(SKY, { type: 'AssertionRecorded', data: { assertionId: id(`z${i}`), fact: 'fact.1', value: qty(i), sourceId: sources[0]! } });
    const s = performance.now();
    reads.apply(ev);
    await reads.timeline(SKY);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  console.log('append+timeline p50', times[100]!.toFixed(3), 'p99', times[198]!.toFixed(3));
}
await runner.close();
{
  const { IncidentReplay } = await import('./projections/incident-replay.js');
  const { analyseFacts } = await import('./projections/fact-analysis.js');
  const { timelineView } = await import('./projections/timeline.js');
  const { upcast } = await import('./events/index.js');
  const replay = new IncidentReplay(1000);
  for (const e of ledger.store.events.filter((e) => e.stream === `incident-${SKY}`)) replay.offer(upcast(e) as never);
  replay.modelAt();
  const tm: number[] = [], ta: number[] = [], tv: number[] = [];
  for (let i = 0; i < 300; i++) {
    const r = Math.floor(Math.random() * 10_000);
    let s = performance.now();
    const m = replay.modelAt(r);
    tm.push(performance.now() - s);
    s = performance.now();
    analyseFacts(m);
    ta.push(performance.now() - s);
    s = performance.now();
    timelineView(m, { incidentId: SKY, sources: runner.models.sources });
    tv.push(performance.now() - s);
  }
  const p = (xs: number[]) => { xs.sort((a, b) => a - b); return `p50 ${xs[150]!.toFixed(2)} p99 ${xs[297]!.toFixed(2)}`; };
  console.log('modelAt', p(tm), 'analyse', p(ta), 'timeline', p(tv));
}

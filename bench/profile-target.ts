/**
 * One figure alone, to run under the profiler on a ledger a bench run kept (`--keep --dir DIR`):
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-target.ts WHAT DIR/ledger.db
 *   npx tsx bench/profile-summary.ts /tmp/prof/<file>.cpuprofile
 *
 * WHAT: append (batches of 100 into a fresh store beside the ledger), rebuild-all, rebuild-global,
 * verify, as-of (timeline, disputes at random instants of the largest incident), after-append.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { configFor } from './config.js';
import { appendThroughStore, inBatchesOf } from './figures/append.js';
import { queryLatencies } from './figures/queries.js';
import { incidentStreams, rebuildAll, rebuildGlobal, verifyProduct } from './figures/replay.js';
import { LedgerGenerator } from './generator.js';
import { perSecond } from './measure.js';
import { turnOffPretenuring } from '../src/app/heap-tuning.js';

const [what, ledger] = process.argv.slice(2);
turnOffPretenuring();
if (!what || !ledger) throw new Error('usage: profile-target.ts append|rebuild-all|rebuild-global|verify|as-of|after-append LEDGER_DB');

const report = (name: string, pass: { events: number; ms: number }): void =>
  console.log(`${name}: ${pass.events} events in ${pass.ms.toFixed(0)} ms = ${perSecond(pass.events, pass.ms).toFixed(0)} events/s`);

switch (what) {
  case 'append': {
    const target = join(dirname(ledger), 'profile-append.db');
    for (const s of ['', '-wal', '-shm']) rmSync(target + s, { force: true });
    const gen = new LedgerGenerator(configFor('quick').shape);
    report('append batches of 100', await appendThroughStore(target, inBatchesOf(gen, 20_000, 100)));
    break;
  }
  case 'rebuild-all':
    report('rebuild all', await rebuildAll(ledger));
    break;
  case 'rebuild-global':
    report('rebuild global', await rebuildGlobal(ledger));
    break;
  case 'verify':
    report('verify', await verifyProduct(ledger));
    break;
  case 'as-of':
  case 'after-append': {
    const big = incidentStreams(ledger)[0]!;
    const gen = new LedgerGenerator(configFor('quick').shape);
    const q = await queryLatencies(ledger, big.id, what === 'as-of' ? 500 : 20, what === 'as-of' ? 0 : 300, gen.sourceIds[0]!, what === 'as-of' ? 500 : 20);
    console.log(JSON.stringify({ views: q.views, afterAppend: q.afterAppend }, null, 1));
    break;
  }
  default:
    throw new Error(`unknown figure ${what}`);
}

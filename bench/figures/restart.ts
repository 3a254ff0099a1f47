import { openServices } from '../../src/app/services.js';
import { now } from '../measure.js';

export interface Start {
  /** From opening the services to read models and log caught up with the store. */
  ms: number;
  /** Position of the checkpoint the runner resumed after; -1 when it folded from zero. */
  resumedFrom: number;
  /** Events the runner applied after its checkpoint. */
  applied: number;
  logSize: number;
}

/** Opens the product's services on the ledger file, waits until they are ready, and closes them (which saves a checkpoint). */
export async function startServices(path: string): Promise<Start> {
  const start = now();
  const services = await openServices({ store: 'sqlite', dbPath: path });
  try {
    await services.ready;
    const ms = now() - start;
    return { ms, resumedFrom: services.runner.resumedFrom, applied: services.runner.appliedCount, logSize: services.log.size() };
  } finally {
    await services.close();
  }
}

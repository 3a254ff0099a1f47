import type { Command } from 'commander';
import { Ledger } from '../app/ledger.js';
import { DEMO_TITLE, seedDemo } from '../demo/seed.js';
import { emit, EXIT_OK, type CliContext, type CliIO } from './io.js';
import { openLocal } from './local.js';
import { configFor, withLocal, type LocalOptions } from './options.js';

interface SeedOptions extends LocalOptions {
  force?: boolean;
}

export function seedCommand(program: Command, ctx: CliContext): void {
  withLocal(program.command('seed'))
    .summary('load the demo incident into an empty store')
    .description('load the demo incident (the 2021 Sky ECC case) into the configured store if it is empty')
    .option('--force', 'seed even when the store already holds events (adds another copy of the demo)')
    .action(async (options: SeedOptions) => {
      ctx.done(await runSeed(ctx.io, options));
    });
}

export async function runSeed(io: CliIO, options: SeedOptions): Promise<number> {
  const local = await openLocal(configFor(io, options), { mustExist: false });
  try {
    const head = await local.store.headPosition();
    if (head !== -1 && !options.force) {
      const json = { seeded: false, reason: 'the store already holds events (use --force to seed anyway)', store: local.where };
      return emit(io, { code: EXIT_OK, json, human: [`seed: ${local.where} already holds events; nothing done (use --force to seed anyway)`] }, options.json === true);
    }
    // The same commands the API uses, through the same Ledger; the log absorbs what was appended.
    const { incidentId, assertions } = await seedDemo(new Ledger(local.store));
    await local.catchUpLog();
    const events = (await local.store.readStream(`incident-${incidentId}`)).length;
    const json = { seeded: true, incidentId, title: DEMO_TITLE, incidentEvents: events, assertions, logSize: local.log.size(), store: local.where };
    return emit(io, { code: EXIT_OK, json, human: [`seed: loaded the demo incident ${incidentId} (${events} events) into ${local.where}`, `  ${DEMO_TITLE}`] }, options.json === true);
  } finally {
    await local.close();
  }
}

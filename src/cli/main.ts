import { Command } from 'commander';
import { serveCommand } from './serve.js';

/** `incident-ledger`: one command per job; each lives in its own file in this folder. */
const program = new Command()
  .name('incident-ledger')
  .description('An event-sourced, tamper-evident ledger of what was reported about incidents.')
  .version('0.1.0');

serveCommand(program);

await program.parseAsync(process.argv);

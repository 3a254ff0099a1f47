import type { Command } from 'commander';
import type { Checkpoint } from '../log/schemas.js';
import { count, emit, EXIT_OK, EXIT_TAMPERED, type CliContext, type CliIO } from './io.js';
import { checkOutput, ledgerDatabase, writeWhole } from './files.js';
import { openLocal } from './local.js';
import { configFor, withLocal, withRemote, type LocalOptions, type RemoteOptions } from './options.js';
import { clientFor } from './remote.js';
import { resolveKey, serverKey, signatureProblem } from './trust.js';

interface CheckpointOptions extends LocalOptions, RemoteOptions {
  out?: string;
}

export function checkpointCommand(program: Command, ctx: CliContext): void {
  withRemote(withLocal(program.command('checkpoint')))
    .summary("write the ledger log's current (signed) checkpoint")
    .description(
      "write the ledger log's current checkpoint {size, root, at, signature?} (signed when LEDGER_SIGNING_KEY is set).\n" +
        'Keep it outside the system; later `verify --against` it proves nothing recorded up to then was altered.',
    )
    .option('-o, --out <file>', 'write the checkpoint here instead of stdout')
    .action(async (options: CheckpointOptions) => {
      ctx.done(await runCheckpoint(ctx.io, options));
    });
}

export async function runCheckpoint(io: CliIO, options: CheckpointOptions): Promise<number> {
  let checkpoint: Checkpoint;
  let from: string;
  const client = clientFor(options, io.env);
  if (client) {
    checkpoint = await client.checkpoint();
    from = options.url!;
    // An auditor keeps only what verifies: a checkpoint whose signature fails is not written.
    const problem = signatureProblem(checkpoint, "the server's checkpoint", await resolveKey(options, serverKey(client)));
    if (problem) return emit(io, { code: EXIT_TAMPERED, json: { ok: false, error: problem, checkpoint }, human: [`checkpoint: refused: ${problem}`] }, options.json === true);
  } else {
    const config = configFor(io, options);
    checkOutput(options.out, ledgerDatabase(config));
    const local = await openLocal(config, { mustExist: true });
    try {
      await local.catchUpLog();
      checkpoint = local.log.checkpoint(new Date());
      from = local.where;
    } finally {
      await local.close();
    }
  }
  const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
  if (options.out === undefined) {
    io.stdout.write(text);
    return EXIT_OK;
  }
  writeWhole(io, options.out, text);
  const human = [`checkpoint: size ${count(checkpoint.size)}, root ${checkpoint.root}, at ${checkpoint.at}, ${checkpoint.signature ? 'signed' : 'unsigned'} (from ${from}) → ${options.out}`];
  return emit(io, { code: EXIT_OK, json: { ok: true, out: options.out, checkpoint }, human }, options.json === true);
}

import { existsSync, rmSync, statSync, truncateSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { StoredEvent } from '../../events/index.js';
import { count, emit, EXIT_OK, EXIT_TAMPERED, EXIT_USAGE, usageError, type CliContext, type CliIO, type Outcome } from './io.js';
import { openInput, readLines, type Input } from './files.js';
import { detectFormat, LedgerFileVerifier, LineRejected, type ExportFormat, type VerifiedFile } from './ledger-file.js';
import { openLocal, type LocalLedger } from './local.js';
import { configFor, withLocal, type LocalOptions } from './options.js';
import { startProgress } from './progress.js';
import { resolveKey, signatureProblem, type TrustedKey } from './trust.js';

interface ImportOptions extends LocalOptions {
  format: ExportFormat | 'auto';
  publicKey?: string;
}

export function importCommand(program: Command, ctx: CliContext): void {
  withLocal(program.command('import'))
    .summary('verify an export, then load it into an empty SQLite ledger')
    .description(
      'load an export (a file, a pipe, or - for stdin; read once) into an EMPTY SQLite ledger. Every line is verified (chains,\n' +
        'hashes, order, the checkpoint root) inside one transaction: a file that does not verify is refused, naming its first\n' +
        'bad line, and nothing is written. Event ids, metadata,\n' +
        'chain fields and global positions are kept exactly, so exporting again gives the same file.',
    )
    .argument('<file>', 'an export (jsonl or cloudevents); - reads stdin')
    .addOption(new Option('--format <format>', 'the file format').choices(['auto', 'jsonl', 'cloudevents']).default('auto'))
    .option('--public-key <file>', "require the file's checkpoint to be signed by this Ed25519 key (PEM or raw base64)")
    .action(async (file: string, options: ImportOptions) => {
      ctx.done(await runImport(ctx.io, file, options));
    });
}

const refused = (file: string, rejection: LineRejected): Outcome =>
  rejection.notAnExport
    ? {
        code: EXIT_USAGE,
        json: { ok: false, file, line: rejection.line, reason: rejection.reason, notAnExport: true, written: 0 },
        human: [`import: ${file} is not an incident-ledger export: line ${rejection.line}: ${rejection.reason}`, '  nothing was written'],
      }
    : {
        code: EXIT_TAMPERED,
        json: { ok: false, file, line: rejection.line, reason: rejection.reason, written: 0 },
        human: [`import: refused ${file}: line ${rejection.line}: ${rejection.reason}`, '  nothing was written'],
      };

/**
 * Verifies and writes in one pass, so the input is read once and may be a pipe, a named pipe or
 * stdin (`-`). "Nothing was written" still holds: the events go in inside one transaction, which a
 * bad line rolls back, and a target file the import created (or a 0-byte file it made a ledger of)
 * is put back as it was.
 */
export async function runImport(io: CliIO, file: string, options: ImportOptions): Promise<number> {
  const config = configFor(io, options);
  if (config.LEDGER_STORE !== 'sqlite') throw usageError('import writes into a SQLite ledger only (LEDGER_STORE=sqlite or --db)');
  // Before anything is read or opened: an unusable key is a usage error whatever the file holds.
  const trust = await resolveKey(options, () => undefined);
  const input = openInput(file);
  try {
    const restore = restorerOf(config.LEDGER_DB);
    const local = await openLocal(config, { mustExist: false });
    let committed = false;
    try {
      if ((await local.store.headPosition()) !== -1) throw usageError(`${local.where} already holds events: import writes into an empty ledger only`);
      if (local.log.size() !== 0) throw usageError(`${local.where} has no events but its ledger log is not empty: refusing to import over it`);
      const loaded = load(io, local, input, options, trust);
      committed = loaded.committed;
      return emit(io, loaded.committed ? await absorbed(local, file, loaded.verified, trust) : loaded.refusal, options.json === true);
    } finally {
      await local.close();
      if (!committed) restore();
    }
  } finally {
    input.close();
  }
}

type Loaded = { committed: true; verified: VerifiedFile } | { committed: false; refusal: Outcome };

/** Steps 1 and 2: every line checked and written in one transaction, the checkpoint (and its signer) last. */
function load(io: CliIO, local: LocalLedger, input: Input, options: ImportOptions, trust: TrustedKey | undefined): Loaded {
  const sqlite = local.sqlite!;
  let verifier: LedgerFileVerifier | undefined;
  let verified: VerifiedFile | undefined;
  let lines = 0;
  const progress = startProgress(io, 'import', { unit: 'lines', enabled: options.progress !== false });
  const events = function* (): Generator<StoredEvent> {
    for (const { number, text } of readLines(input)) {
      verifier ??= new LedgerFileVerifier(options.format === 'auto' ? detectFormat(text) : options.format);
      const event = verifier.accept(number, text);
      lines = number;
      if (number % 1000 === 0) progress.tick(number);
      if (event) yield event;
    }
    verified = (verifier ?? new LedgerFileVerifier(options.format === 'auto' ? 'jsonl' : options.format)).finish();
    const signature = signatureProblem(verified.checkpoint, 'the checkpoint', trust);
    if (signature) throw new LineRejected(verified.checkpointLine, signature);
  };
  try {
    sqlite.importEvents(events());
  } catch (error) {
    if (error instanceof LineRejected) return { committed: false, refusal: refused(input.name, error) };
    throw error;
  } finally {
    progress.finish(lines);
  }
  return { committed: true, verified: verified! };
}

/** Step 3: the log absorbs the events; its root must be the one the file's checkpoint states. */
async function absorbed(local: LocalLedger, file: string, verified: VerifiedFile, trust: TrustedKey | undefined): Promise<Outcome> {
  await local.catchUpLog();
  const size = local.log.size();
  const root = local.log.root();
  const ok = size === verified.checkpoint.size && root === verified.checkpoint.root;
  const notes: string[] = [];
  if (verified.checkpoint.signature !== undefined && !trust) notes.push('the checkpoint is signed; pass --public-key to check who signed it');
  const { format } = verified;
  const json = { ok, file, format, events: verified.events, streams: verified.streams, root, checkpoint: verified.checkpoint, notes };
  const human = ok
    ? [`import: ${count(verified.events)} events in ${count(verified.streams)} streams from ${file} (${format}) into ${local.where}; log root ${root} matches the file's checkpoint`]
    : [`import: the imported ledger's log (${size}, root ${root}) does not match the file's checkpoint (${verified.checkpoint.size}, root ${verified.checkpoint.root})`];
  return { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: [...human, ...notes.map((n) => `  note: ${n}`)] };
}

/**
 * How to put the target back after a refused import: a file that did not exist is removed, with
 * the -wal and -shm SQLite made beside it; a 0-byte file is emptied again. An existing ledger needs
 * nothing: the transaction was rolled back.
 */
function restorerOf(path: string): () => void {
  const size = (() => {
    try {
      return statSync(path).size;
    } catch {
      return undefined;
    }
  })();
  const companions = ['-wal', '-shm', '-journal'].map((suffix) => path + suffix).filter((companion) => !existsSync(companion));
  return () => {
    if (size === undefined) rmSync(path, { force: true });
    else if (size === 0) truncateSync(path, 0);
    else return;
    for (const companion of companions) rmSync(companion, { force: true });
  };
}

import { Option, type Command } from 'commander';
import type { StoredEvent } from '../../events/index.js';
import { count, emit, EXIT_OK, EXIT_TAMPERED, usageError, type CliContext, type CliIO, type Outcome } from './io.js';
import { readLines } from './files.js';
import { detectFormat, LedgerFileVerifier, LineRejected, type ExportFormat, type VerifiedFile } from './ledger-file.js';
import { openLocal } from './local.js';
import { configFor, withLocal, type LocalOptions } from './options.js';
import { startProgress, type Progress } from './progress.js';
import { resolveKey, signatureProblem } from './trust.js';

interface ImportOptions extends LocalOptions {
  format: ExportFormat | 'auto';
  publicKey?: string;
}

export function importCommand(program: Command, ctx: CliContext): void {
  withLocal(program.command('import'))
    .summary('verify an export, then load it into an empty SQLite ledger')
    .description(
      'load an export into an EMPTY SQLite ledger. Every line is verified first (chains, hashes, order, the checkpoint root);\n' +
        'a file that does not verify is refused, naming its first bad line, and nothing is written. Event ids, metadata,\n' +
        'chain fields and global positions are kept exactly, so exporting again gives the same file.',
    )
    .argument('<file>', 'an export (jsonl or cloudevents)')
    .addOption(new Option('--format <format>', 'the file format').choices(['auto', 'jsonl', 'cloudevents']).default('auto'))
    .option('--public-key <file>', "require the file's checkpoint to be signed by this Ed25519 key (PEM or raw base64)")
    .action(async (file: string, options: ImportOptions) => {
      ctx.done(await runImport(ctx.io, file, options));
    });
}

function formatOf(file: string, requested: ImportOptions['format']): ExportFormat {
  if (requested !== 'auto') return requested;
  for (const line of readLines(file)) return detectFormat(line.text);
  return 'jsonl';
}

/** The file's events, checked line by line; throws LineRejected at the first bad line. */
function* verifiedEvents(file: string, verifier: LedgerFileVerifier, progress: Progress): Generator<StoredEvent> {
  for (const { number, text } of readLines(file)) {
    const event = verifier.accept(number, text);
    if (number % 1000 === 0) progress.tick(number);
    if (event) yield event;
  }
}

function drain(events: Iterable<unknown>): void {
  for (const _ of events) continue;
}

const refused = (file: string, rejection: LineRejected): Outcome => ({
  code: EXIT_TAMPERED,
  json: { ok: false, file, line: rejection.line, reason: rejection.reason, written: 0 },
  human: [`import: refused ${file}: line ${rejection.line}: ${rejection.reason}`, '  nothing was written'],
});

export async function runImport(io: CliIO, file: string, options: ImportOptions): Promise<number> {
  const config = configFor(io, options);
  if (config.LEDGER_STORE !== 'sqlite') throw usageError('import writes into a SQLite ledger only (LEDGER_STORE=sqlite or --db)');
  const format = formatOf(file, options.format);
  const show = options.progress !== false;

  // 1. Verify the whole file before the store is even opened (or created).
  let verified: VerifiedFile;
  {
    const verifier = new LedgerFileVerifier(format);
    const progress = startProgress(io, 'import: verifying', { unit: 'lines', enabled: show });
    try {
      drain(verifiedEvents(file, verifier, progress));
      verified = verifier.finish();
    } catch (error) {
      if (error instanceof LineRejected) return emit(io, refused(file, error), options.json === true);
      throw error;
    } finally {
      progress.finish();
    }
  }
  const trust = await resolveKey(options, () => undefined);
  const signature = signatureProblem(verified.checkpoint, 'the checkpoint', trust);
  if (signature) return emit(io, refused(file, new LineRejected(verified.checkpointLine, signature)), options.json === true);

  // 2. Write, in one transaction, re-checking every line as it goes (the file could change between passes).
  const local = await openLocal(config, { mustExist: false });
  try {
    const sqlite = local.sqlite!;
    if ((await local.store.headPosition()) !== -1) throw usageError(`${local.where} already holds events: import writes into an empty ledger only`);
    if (local.log.size() !== 0) throw usageError(`${local.where} has no events but its ledger log is not empty: refusing to import over it`);
    const verifier = new LedgerFileVerifier(format);
    const progress = startProgress(io, 'import: writing', { total: verified.events, enabled: show });
    let written = 0;
    const events = function* (): Generator<StoredEvent> {
      for (const event of verifiedEvents(file, verifier, { tick: () => undefined, setTotal: () => undefined, finish: () => undefined })) {
        yield event;
        if (++written % 1000 === 0) progress.tick(written);
      }
      const again = verifier.finish();
      if (again.root !== verified.root || again.events !== verified.events) throw new LineRejected(again.checkpointLine, 'the file changed while it was being imported');
    };
    try {
      sqlite.importEvents(events());
    } catch (error) {
      if (error instanceof LineRejected) return emit(io, refused(file, error), options.json === true);
      throw error;
    } finally {
      progress.finish(written);
    }

    // 3. The log absorbs the events; its root must be the one the file's checkpoint states.
    await local.catchUpLog();
    const size = local.log.size();
    const root = local.log.root();
    const ok = size === verified.checkpoint.size && root === verified.checkpoint.root;
    const notes: string[] = [];
    if (verified.checkpoint.signature !== undefined && !trust) notes.push('the checkpoint is signed; pass --public-key to check who signed it');
    const json = { ok, file, format, events: verified.events, streams: verified.streams, root, checkpoint: verified.checkpoint, notes };
    const human = ok
      ? [`import: ${count(verified.events)} events in ${count(verified.streams)} streams from ${file} (${format}) into ${local.where}; log root ${root} matches the file's checkpoint`]
      : [`import: the imported ledger's log (${size}, root ${root}) does not match the file's checkpoint (${verified.checkpoint.size}, root ${verified.checkpoint.root})`];
    return emit(io, { code: ok ? EXIT_OK : EXIT_TAMPERED, json, human: [...human, ...notes.map((n) => `  note: ${n}`)] }, options.json === true);
  } finally {
    await local.close();
  }
}

import { Option, type Command } from 'commander';
import { ZERO_HASH, type StoredEvent } from '../../events/index.js';
import { Frontier } from '../log/frontier.js';
import { toHex } from '../log/hex.js';
import { leafHash } from '../log/merkle.js';
import type { Checkpoint } from '../log/schemas.js';
import { storedEventHash } from '../store/hash-chain.js';
import { count, emit, EXIT_OK, EXIT_TAMPERED, type CliContext, type CliIO } from './io.js';
import { checkOutput, ledgerDatabase, sinkFor } from './files.js';
import { cloudCheckpointLine, cloudEventLine, exportStamp, jsonlCheckpointLine, jsonlEventLine, type ExportFormat } from './ledger-file.js';
import { openLocal } from './local.js';
import { configFor, withLocal, type LocalOptions } from './options.js';
import { startProgress } from './progress.js';

interface ExportOptions extends LocalOptions {
  out?: string;
  format: ExportFormat;
}

export function exportCommand(program: Command, ctx: CliContext): void {
  withLocal(program.command('export'))
    .summary('write every event (jsonl or CloudEvents) and the checkpoint over them')
    .description(
      'write every event in global order, with its chain fields, then the checkpoint of the ledger log over exactly those events.\n' +
        'jsonl: one stored event per line, then a final {"checkpoint":{size,root,at,signature?}} line.\n' +
        'cloudevents: one CloudEvents 1.0 JSON event per line, then a final event of type org.incident-ledger.checkpoint.\n' +
        "The checkpoint is stamped at the last event's recordedAt, so re-exporting the same ledger gives the same bytes.",
    )
    .option('-o, --out <file>', 'write here (atomically) instead of stdout')
    .addOption(new Option('--format <format>', 'jsonl or cloudevents').choices(['jsonl', 'cloudevents']).default('jsonl'))
    .action(async (options: ExportOptions) => {
      ctx.done(await runExport(ctx.io, options));
    });
}

export async function runExport(io: CliIO, options: ExportOptions): Promise<number> {
  const config = configFor(io, options);
  checkOutput(options.out, ledgerDatabase(config));
  const local = await openLocal(config, { mustExist: true });
  try {
    await local.catchUpLog();
    // Export exactly what the log holds now: events appended meanwhile wait for the next export.
    const size = local.log.size();
    const through = local.log.lastPosition();
    const eventLine = options.format === 'cloudevents' ? cloudEventLine : jsonlEventLine;
    const sink = sinkFor(io, options.out);
    const progress = startProgress(io, 'export', { total: size, enabled: options.progress !== false });
    const refuse = (detail: string): number => {
      progress.finish();
      sink.abort();
      if (options.out === undefined) {
        io.stderr.write(`export: refused, the output above is incomplete: ${detail}\n`);
        return EXIT_TAMPERED;
      }
      return emit(io, { code: EXIT_TAMPERED, json: { ok: false, error: detail }, human: [`export: refused: ${detail}`] }, options.json === true);
    };
    const frontier = Frontier.empty();
    const chains = new ChainCheck();
    let last: StoredEvent | undefined;
    let checkpoint: Checkpoint;
    try {
      for await (const event of local.store.readAll()) {
        if (event.position > through) break;
        // An altered event would make a file that import refuses: refuse to write it here.
        const altered = chains.problem(event);
        if (altered) return refuse(`${altered}: the ledger was altered, run verify`);
        sink.write(`${eventLine(event)}\n`);
        frontier.push(leafHash(Buffer.from(event.metadata.hash, 'hex')));
        last = event;
        if (frontier.size % 1000 === 0) progress.tick(frontier.size);
      }
      progress.finish(frontier.size);
      // The events written must be the ones the log's root commits to, or the file would not import.
      const root = toHex(frontier.root());
      if (frontier.size !== size || root !== local.log.root(size)) {
        return refuse(`the store's events (${frontier.size}, root ${root}) are not the ledger log's (${size}, root ${local.log.root(size)}): run verify`);
      }
      const body = { size, root, at: exportStamp(last) };
      checkpoint = local.log.signer ? { ...body, signature: local.log.signer.sign(body) } : body;
      sink.write(`${options.format === 'cloudevents' ? cloudCheckpointLine(checkpoint) : jsonlCheckpointLine(checkpoint)}\n`);
      sink.commit();
    } catch (error) {
      sink.abort();
      throw error;
    }
    const json = { ok: true, out: options.out ?? null, format: options.format, events: size, checkpoint };
    // Without --out the file went to stdout: the summary goes to stderr so it does not mix in.
    const human = [`export: ${count(size)} events (${options.format}) with the checkpoint of size ${size}, root ${checkpoint.root}${checkpoint.signature ? ', signed' : ''}${options.out ? ` → ${options.out}` : ''}`];
    if (options.out === undefined) {
      io.stderr.write(`${human[0]}\n`);
      return EXIT_OK;
    }
    return emit(io, { code: EXIT_OK, json, human }, options.json === true);
  } finally {
    await local.close();
  }
}

/** Each stream's chain, checked event by event as export reads them in global order: what import will check. */
class ChainCheck {
  private readonly tips = new Map<string, { revision: number; hash: string }>();

  /** Why the event breaks its stream's chain, or undefined. */
  problem(event: StoredEvent): string | undefined {
    const tip = this.tips.get(event.stream);
    this.tips.set(event.stream, { revision: event.revision, hash: event.metadata.hash });
    const due = (tip?.revision ?? -1) + 1;
    const where = `the event at position ${event.position} (${event.stream} revision ${event.revision})`;
    if (event.revision !== due) return `${where} is not revision ${due} of its stream`;
    if (event.metadata.prevHash !== (tip?.hash ?? ZERO_HASH)) return `${where} does not link to the event before it`;
    if (storedEventHash(event) !== event.metadata.hash) return `${where} does not match its hash`;
    return undefined;
  }
}

/**
 * The rehash worker's code as one plain CommonJS script, bundled by esbuild from rehash-page.ts
 * (about 15 KB: the canonical check and the chain hash, nothing from npm). A thread started from
 * it is ready in about 60 ms, ledger file opened; loading the TypeScript through tsx inside the
 * thread, the only other way to start it, took about 250 ms, most of it tsx starting its own
 * loader thread.
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

/**
 * better-sqlite3 (a native addon) stays out of the bundle: the main thread names the module's
 * path, since a script run by `eval` resolves packages from the working directory, not from here.
 */
const ENTRY = `const { workerData } = require('node:worker_threads');
const { port, ledger } = workerData;
const Database = ledger && require(ledger.sqlite);
require('./rehash-page.ts').serveRehashPages(port, ledger && new Database(ledger.file, { readonly: true, fileMustExist: true }));`;

/** Undefined until bundled; null when esbuild could not bundle it. */
let script: string | null | undefined;

/**
 * The script, bundled once a process, or undefined when esbuild cannot run here (the worker then
 * starts through tsx). Synchronous, 10–100 ms (the first call starts esbuild's binary): a verify
 * that starts a worker is busy reading and hashing on this thread, and never turns the event loop
 * that an asynchronous build would wait on.
 */
export function rehashWorkerScript(): string | undefined {
  if (script === undefined) {
    try {
      script = bundle() ?? null;
    } catch {
      script = null;
    }
  }
  return script ?? undefined;
}

function bundle(): string | undefined {
  const result = buildSync({
    stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts', sourcefile: 'rehash-worker-entry.ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text;
}

// The rehash worker's entry point when its bundled script (rehash-worker-script.ts) cannot be
// had. Plain JavaScript, so that a thread starts it under any runner (tsx, vitest, node alone):
// it loads the TypeScript through tsx's API, which takes a few hundred milliseconds.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { tsImport } from 'tsx/esm/api';

const { port, ledger } = workerData;
const { serveRehashPages } = await tsImport('./rehash-page.ts', import.meta.url);
serveRehashPages(port, ledger && new Database(ledger.file, { readonly: true, fileMustExist: true }));

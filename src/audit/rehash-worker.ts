/**
 * A second thread that rehashes stored events for verifyLedger (rehash-page.ts), the main
 * thread's side of it: pages of events it is sent, or ranges of positions it reads itself from
 * the ledger file it was started with. The main thread never depends on it: until the worker says
 * it is ready, while it is busy, and after it fails, the main thread rehashes (and reads) the
 * events itself.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { StoredEvent } from '../../events/index.js';
import type { StoredEventJson } from '../store/port.js';
import { packPage, type RangeRequest, type RehashedPage, type RehashedRange } from './rehash-page.js';
import { rehashWorkerScript } from './rehash-worker-script.js';

/**
 * Plain JavaScript that loads rehash-page.ts through tsx, for when the bundled script cannot be
 * had: a thread cannot start from TypeScript under every runner.
 */
const ENTRY = new URL('./rehash-worker-entry.js', import.meta.url);

const require = createRequire(import.meta.url);

type Answer = RehashedPage | RehashedRange;

export class RehashWorker {
  /** Undefined when the thread could not be created. */
  private worker: Worker | undefined;
  private readonly port: MessagePort;
  private readonly answers = new Map<number, Answer>();
  /** Pages taken back before they were answered: their answers are dropped as they come. */
  private readonly forgotten = new Set<number>();
  private nextId = 0;
  private received = 0;
  private isReady = false;
  private failure: unknown;
  /** Called when anything arrives or goes wrong; set by `settled`. */
  private wake: (() => void) | undefined;
  private closed = false;

  /**
   * A worker starting up, or undefined when no thread can be started here. With `ledgerFile` (a
   * SQLite ledger), it opens that file read-only and takes ranges of positions to read itself.
   */
  static start(ledgerFile?: string): RehashWorker | undefined {
    try {
      return new RehashWorker(ledgerFile);
    } catch {
      return undefined;
    }
  }

  private constructor(private readonly ledgerFile?: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.port.on('message', (message: Answer | 'ready') => this.receive(message));
    this.spawn(rehashWorkerScript(), port2);
  }

  private spawn(script: string | undefined, port: MessagePort): void {
    // Not the parent's flags: a loader they name (tsx's) would start a second time, and slowly.
    const ledger = this.ledgerFile === undefined ? undefined : { file: this.ledgerFile, sqlite: require.resolve('better-sqlite3') };
    const options = { workerData: { port, ledger }, transferList: [port], execArgv: [] };
    try {
      this.worker = script === undefined ? new Worker(ENTRY, options) : new Worker(script, { ...options, eval: true });
    } catch (error) {
      return this.fail(error);
    }
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the rehash worker exited (${code})`)));
  }

  /** Pages posted and not yet answered. */
  get inFlight(): number {
    this.poll();
    return this.nextId - this.received;
  }

  /** Whether pages may be posted now: started, not failed, not closed. */
  get ready(): boolean {
    this.poll();
    return this.isReady && this.failure === undefined && !this.closed;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Whether the thread is still alive: false once it has exited or been terminated. */
  get running(): boolean {
    return this.worker !== undefined && this.worker.threadId !== -1;
  }

  /** Sends a page to be rehashed; its answer is claimed with `take(id)`. */
  post(events: ReadonlyArray<StoredEvent | StoredEventJson>): number {
    const page = packPage(this.nextId++, events);
    this.port.postMessage(page, [page.packed.buffer, page.revisions.buffer, page.positions.buffer]);
    return page.id;
  }

  /**
   * Asks for the events with first ≤ position ≤ last to be read and rehashed there (started with
   * a ledger file); with `rows`, read as whole rows and checked against their JSON first.
   */
  postRange(first: number, last: number, rows = false): number {
    if (this.ledgerFile === undefined) throw new Error('this worker has no ledger file to read');
    const request: RangeRequest = { kind: 'range', id: this.nextId++, first, last, rows };
    this.port.postMessage(request);
    return request.id;
  }

  /** The answer for page or range `id`, if it has come. */
  take(id: number): Answer | undefined {
    this.poll();
    const answer = this.answers.get(id);
    if (answer) this.answers.delete(id);
    return answer;
  }

  /** Gives up on page `id`: it is rehashed elsewhere, and its answer will not be taken. */
  forget(id: number): void {
    if (!this.answers.delete(id)) this.forgotten.add(id);
  }

  /** Resolves when a message arrives or the worker fails. */
  settled(): Promise<void> {
    if (this.failure !== undefined) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** Ends the thread; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.port.close();
    await this.worker?.terminate();
  }

  /** Messages already queued, taken now rather than when the event loop next turns. */
  private poll(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) this.receive(m.message as Answer | 'ready');
  }

  private receive(message: Answer | 'ready'): void {
    if (message === 'ready') this.isReady = true;
    else {
      this.received++;
      if (!this.forgotten.delete(message.id)) this.answers.set(message.id, message);
    }
    this.notify();
  }

  private fail(error: unknown): void {
    if (this.failure === undefined && !this.closed) this.failure = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

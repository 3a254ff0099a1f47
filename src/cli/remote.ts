import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StoredEvent } from '../../events/index.js';
import { Checkpoint, ConsistencyProof, InclusionProof } from '../log/schemas.js';
import { CliError, errorMessage, usageError } from './io.js';

/** An answer other than 2xx, kept whole so callers can tell "not in the log" from a broken server. */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path}: HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

const Problem = z.object({ detail: z.string().optional(), title: z.string().optional() }).loose();
const IncidentPage = z.object({ incidents: z.array(z.object({ id: z.string() }).loose()), nextCursor: z.string().nullable() }).loose();
const SourcePage = z.object({ sources: z.array(z.object({ id: z.string() }).loose()), nextCursor: z.string().nullable() }).loose();
const EventsPage = z.object({ stream: z.string(), revision: z.number().int(), events: z.array(z.unknown()) }).loose();
const PublicKey = z.object({ pem: z.string(), raw: z.string() }).loose();

const MAX_ATTEMPTS = 6;
/** A 429 is waited out this long at most each time; a server asking for longer is refused at once. */
const MAX_RETRY_WAIT_S = 10;
const MAX_RETRY_AFTER_S = 60;
/** Seconds a request (its answer read whole) may take, unless LEDGER_HTTP_TIMEOUT says otherwise. */
export const DEFAULT_TIMEOUT_S = 30;

/** A served event that does not even have the stored event shape. */
export interface MalformedEvent {
  index: number;
  problem: string;
}

/**
 * The HTTP side of an outside audit. It parses every answer before use, and nothing here decides
 * whether an answer is true: the callers verify chains and proofs themselves.
 */
export class AuditClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
    /** Per request, the answer's body included: a server that accepts and never answers must not hang an audit. */
    private readonly timeoutMs = DEFAULT_TIMEOUT_S * 1000,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw usageError(`--url ${JSON.stringify(url)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw usageError(`--url must be http(s), got ${parsed.protocol}`);
    this.base = parsed.href.replace(/\/+$/, '');
  }

  /** GET and parse; 429 is waited out (Retry-After), other non-2xx become HttpStatusError. */
  async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(this.base + path, {
          headers: { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
          signal,
        });
        if (response.status === 429 && attempt < MAX_ATTEMPTS) {
          const retryAfter = Number(response.headers.get('retry-after'));
          await response.body?.cancel();
          if (retryAfter > MAX_RETRY_AFTER_S) throw usageError(`${path}: rate limited, and the server asks to wait ${retryAfter} s before retrying`);
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, MAX_RETRY_WAIT_S) * 1000 : 500 * attempt);
          continue;
        }
        text = await response.text();
      } catch (error) {
        if (error instanceof CliError) throw error;
        if (signal.aborted) throw usageError(`${this.base}${path}: no whole answer within ${this.timeoutMs / 1000} s (set LEDGER_HTTP_TIMEOUT, in seconds, to wait longer)`);
        throw usageError(`cannot reach ${this.base}: ${errorMessage(error instanceof Error && error.cause ? error.cause : error)}`);
      }
      if (!response.ok) {
        let detail = text.slice(0, 300);
        try {
          const problem = Problem.safeParse(JSON.parse(text));
          if (problem.success) detail = problem.data.detail ?? problem.data.title ?? detail;
        } catch {
          // not problem+json: keep the text
        }
        throw new HttpStatusError(response.status, path, detail);
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw usageError(`${path}: the server's answer is not JSON`);
      }
      const result = schema.safeParse(value);
      if (!result.success) throw usageError(`${path}: unexpected answer: ${z.prettifyError(result.error)}`);
      return result.data;
    }
  }

  checkpoint(): Promise<Checkpoint> {
    return this.get('/api/audit/checkpoint', Checkpoint);
  }

  /** The key the server says it signs with (PEM), or undefined when it does not sign. */
  async publicKey(): Promise<string | undefined> {
    try {
      return (await this.get('/api/audit/public-key', PublicKey)).pem;
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 404) return undefined;
      throw error;
    }
  }

  inclusionProof(eventId: string, size: number): Promise<InclusionProof> {
    return this.get(`/api/audit/proofs/inclusion?eventId=${encodeURIComponent(eventId)}&size=${size}`, InclusionProof);
  }

  consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    return this.get(`/api/audit/proofs/consistency?from=${from}&to=${to}`, ConsistencyProof);
  }

  /** Every incident id the server lists, page by page. */
  incidentIds(): AsyncIterable<string> {
    return this.listed((cursor) => this.get(`/api/incidents?limit=500${cursor}`, IncidentPage).then((p) => ({ ids: p.incidents.map((i) => i.id), next: p.nextCursor })));
  }

  /** Every source id the server lists, page by page. */
  sourceIds(): AsyncIterable<string> {
    return this.listed((cursor) => this.get(`/api/sources?limit=500${cursor}`, SourcePage).then((p) => ({ ids: p.sources.map((s) => s.id), next: p.nextCursor })));
  }

  /** An incident's raw events with chain fields, all pages; events that do not parse are reported, not dropped silently. */
  incidentEvents(id: string): Promise<{ events: StoredEvent[]; malformed: MalformedEvent[] }> {
    return this.streamEvents(`/api/incidents/${encodeURIComponent(id)}/events`);
  }

  /** A source's raw events, the same way. */
  sourceEvents(id: string): Promise<{ events: StoredEvent[]; malformed: MalformedEvent[] }> {
    return this.streamEvents(`/api/sources/${encodeURIComponent(id)}/events`);
  }

  private async *listed(page: (cursorParam: string) => Promise<{ ids: string[]; next: string | null }>): AsyncIterable<string> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const { ids, next } = await page(cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
      let fresh = 0;
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        fresh++;
        yield id;
      }
      // A server handing out new cursors to pages of nothing new would keep an audit listing forever.
      if (fresh === 0 && next !== null) throw usageError(`the server's list does not end: a page after ${seen.size} ids brought no new one, yet named a next page`);
      // A cursor that does not move would loop forever.
      cursor = next !== null && next !== cursor ? next : undefined;
    } while (cursor !== undefined);
  }

  private async streamEvents(path: string): Promise<{ events: StoredEvent[]; malformed: MalformedEvent[] }> {
    const events: StoredEvent[] = [];
    const malformed: MalformedEvent[] = [];
    const limit = 1000;
    let from = 0;
    let index = 0;
    for (;;) {
      const page = await this.get(`${path}?from=${from}&limit=${limit}`, EventsPage);
      let next = from;
      for (const raw of page.events) {
        const parsed = StoredEvent.safeParse(raw);
        if (parsed.success) {
          events.push(parsed.data);
          next = Math.max(next, parsed.data.revision + 1);
        } else {
          malformed.push({ index, problem: z.prettifyError(parsed.error) });
        }
        index++;
      }
      if (page.events.length < limit || next <= from) return { events, malformed };
      from = next;
    }
  }
}

/** The server to audit when --url is given; undefined means the local store. */
export function clientFor(options: { url?: string | undefined; token?: string | undefined; db?: string | undefined }, env: NodeJS.ProcessEnv): AuditClient | undefined {
  if (options.url !== undefined && options.db !== undefined) throw usageError('give --db (the local store) or --url (a running server), not both');
  if (options.url === undefined) return undefined;
  const timeout = env.LEDGER_HTTP_TIMEOUT === undefined || env.LEDGER_HTTP_TIMEOUT === '' ? DEFAULT_TIMEOUT_S : Number(env.LEDGER_HTTP_TIMEOUT);
  if (!(Number.isFinite(timeout) && timeout > 0)) throw usageError(`LEDGER_HTTP_TIMEOUT must be a positive number of seconds, got ${JSON.stringify(env.LEDGER_HTTP_TIMEOUT)}`);
  return new AuditClient(options.url, options.token ?? (env.LEDGER_TOKEN || undefined), timeout * 1000);
}

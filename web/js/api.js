// The page's only door to the server: JSON reads with `asOf`, writes with `If-Match`, and
// problem+json errors turned into an ApiError the forms can show field by field.
// The shapes below mirror projections/schemas.ts (the public contract in DESIGN.md).

/**
 * @typedef {{ type: 'quantity', value?: number, min?: number, max?: number, approximate?: boolean, unit?: string, text?: string }
 *   | { type: 'boolean', value: boolean }
 *   | { type: 'text', value: string }
 *   | { type: 'date', value: string }} Value
 * @typedef {{ url?: string, title?: string, publishedAt?: string, language?: string }} Citation
 * @typedef {'single-source' | 'corroborated' | 'disputed' | 'assessed'} FactStatus
 * @typedef {{ assertionId: string, fact: string, value: Value, validTime?: string, sourceId: string, sourceName?: string,
 *   citation?: Citation, quote?: string, recordedAt: string, recordedBy: string, corrected: boolean }} Assertion
 * @typedef {{ preferred: string[], rationale: string, actor: string, recordedAt: string, revision: number }} Assessment
 * @typedef {{ fact: string, status: FactStatus, assertions: Assertion[], assessment?: Assessment }} Fact
 * @typedef {{ incidentId: string, revision: number, asOf: string | null, facts: Fact[] }} FactsView
 * @typedef {{ fact: string, validTime: string, status: FactStatus, assertions: Assertion[] }} TimelineEntry
 * @typedef {{ incidentId: string, revision: number, asOf: string | null, entries: TimelineEntry[] }} Timeline
 * @typedef {{ assertionId: string, sourceId: string, sourceName: string, value: Value, quote?: string, citation?: Citation }} Position
 * @typedef {{ fact: string, status: 'disputed' | 'assessed', positions: Position[], conflicts: Array<[string, string]>, assessment?: Assessment }} Dispute
 * @typedef {{ incidentId: string, revision: number, asOf: string | null, disputes: Dispute[] }} DisputesView
 * @typedef {{ fact?: string, value?: Value, validTime?: string | null, sourceId?: string, citation?: Citation | null,
 *   quote?: string | null, preferred?: string[], rationale?: string }} RevisionChange
 * @typedef {{ revision: number, type: 'AssertionRecorded' | 'AssertionCorrected' | 'AssertionRetracted' | 'FactAssessed',
 *   recordedAt: string, actor: string, assertionId?: string, reason?: string, before?: RevisionChange, after?: RevisionChange }} RevisionEntry
 * @typedef {{ incidentId: string, revision: number, asOf: string | null, revisions: RevisionEntry[], fact?: string, assertionId?: string }} History
 * @typedef {{ id: string, title: string, summary?: string, openedAt: string, updatedAt: string, revision: number, assertionCount: number,
 *   asOf?: string | null, factCount?: number, disputedFactCount?: number }} IncidentSummary
 * @typedef {{ asOf: string | null, incidents: IncidentSummary[], nextCursor: string | null }} IncidentPage
 * @typedef {{ id: string, name: string, kind: string, url?: string, language?: string, registeredAt: string }} Source
 * @typedef {{ asOf: string | null, sources: Source[], nextCursor: string | null }} SourcePage
 * @typedef {{ path: string, message: string }} FieldError
 * @typedef {{ type?: string, title?: string, status?: number, detail?: string, errors?: FieldError[], currentRevision?: number, code?: string }} Problem
 */

/** A non-2xx answer, with the problem+json body when the server sent one. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {Problem} problem
   * @param {number | null} [retryAfter] seconds, from a 503's or 429's Retry-After
   */
  constructor(status, problem, retryAfter = null) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** @returns {FieldError[]} */
  get fieldErrors() {
    return Array.isArray(this.problem.errors) ? this.problem.errors : [];
  }
}

const TOKEN_KEY = 'incident-ledger.token';

/** The editor's token lives in sessionStorage only: it is gone when the tab closes. */
export const session = {
  /** @returns {string | null} */
  get token() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  /** @param {string | null} token */
  set token(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage disabled: the token simply does not survive a reload.
    }
  },
};

/**
 * @param {string} path
 * @param {Record<string, string | number | null | undefined>} [query]
 */
export function apiUrl(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `/api${path}${qs ? `?${qs}` : ''}`;
}

/**
 * @param {Response} res
 * @returns {Promise<Problem>}
 */
async function problemOf(res) {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') return /** @type {Problem} */ (body);
  } catch {
    // not JSON: fall through
  }
  return { status: res.status, title: res.statusText, detail: text.slice(0, 300) || `the server answered ${res.status}` };
}

/**
 * @param {string} url
 * @param {RequestInit} init
 * @param {string | null} [token]
 */
async function send(url, init, token = session.token) {
  const headers = new Headers(init.headers);
  headers.set('Accept', 'application/json, application/problem+json');
  if (token) headers.set('Authorization', `Bearer ${token}`);
  let res;
  try {
    res = await fetch(url, { ...init, headers, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check your connection and try again.' });
  }
  if (!res.ok) {
    // The tab's own token refused: revoked, or a server restarted with new ones. Whoever listens
    // signs the tab out, so reads go on without it (where reads are public) and the reader can sign in again.
    if (res.status === 401 && token && token === session.token) tokenRefused();
    throw new ApiError(res.status, await problemOf(res), retryAfterOf(res));
  }
  return res;
}

/** @type {() => void} */
let tokenRefused = () => {};

/**
 * What to do when the server refuses the token this tab signed in with.
 * @param {() => void} handler
 */
export function onTokenRefused(handler) {
  tokenRefused = handler;
}

/**
 * Retry-After in seconds (the server sends seconds), or null.
 * @param {Response} res
 */
function retryAfterOf(res) {
  const value = res.headers.get('Retry-After');
  return value !== null && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * GET a JSON view.
 * @template T
 * @param {string} path
 * @param {Record<string, string | number | null | undefined>} [query]
 * @param {string | null} [token]
 * @returns {Promise<T>}
 */
export async function getJson(path, query, token) {
  const res = await send(apiUrl(path, query), { method: 'GET' }, token);
  return /** @type {T} */ (await res.json());
}

/**
 * POST a command. `revision` goes out as If-Match so a stale page gets a 409 instead of
 * overwriting a change it has not seen; each submission carries its own Idempotency-Key.
 * @template T
 * @param {string} path
 * @param {unknown} body
 * @param {{ revision?: number }} [options]
 * @returns {Promise<T>}
 */
export async function postJson(path, body, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': randomKey() };
  if (options.revision !== undefined) headers['If-Match'] = `"${options.revision}"`;
  const res = await send(apiUrl(path), { method: 'POST', headers, body: JSON.stringify(body) });
  return /** @type {T} */ (await res.json());
}

/** 128 random bits as hex; `crypto.randomUUID` would need a secure context (https or localhost). */
function randomKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Every registered source, following the cursor (the source list is small). */
export async function allSources() {
  /** @type {Source[]} */
  const sources = [];
  /** @type {string | null} */
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    /** @type {SourcePage} */
    const body = await getJson('/sources', { limit: 500, cursor });
    sources.push(...body.sources);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return sources;
}

/**
 * A read failure in words, for a status line.
 * @param {unknown} error
 * @param {string} what
 */
export function describeError(error, what) {
  if (!(error instanceof ApiError)) return `Could not load ${what}.`;
  if (error.status === 401) return `Reading this ledger needs a token: sign in above to see ${what}.`;
  return `Could not load ${what}: ${error.message}`;
}

/** @param {string} s */
export const enc = (s) => encodeURIComponent(s);

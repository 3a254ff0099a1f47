// What the page is showing, and its address: `?incident=ID&asOf=ISO&history=fact:KEY&q=words`.
// The URL is the source of truth, so a view can be shared, bookmarked and reloaded.

/**
 * @typedef {{ kind: 'fact' | 'assertion', key: string }} HistoryRef
 * @typedef {{ incidentId: string | null, asOf: string | null, q: string, history: HistoryRef | null, asOfError: boolean }} Route
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const FACT_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The instant an `asOf` names, as the ISO text the API reads, or null where the address names no
 * instant the API can show: a date (a real day) or a date-time with an offset (seconds optional:
 * the page sends the instant in full), falling in years 0000–9999. `new Date` alone is lenient
 * ("1" is 2001, 2021-02-30 is 2 March).
 * @param {string} raw
 * @returns {string | null}
 */
export function readAsOf(raw) {
  const m = DATE.exec(raw) ?? DATE_TIME.exec(raw);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  const d = new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString();
  // An offset can carry the instant past 9999-12-31 (toISOString then writes "+010000-…").
  return /^\d{4}-/.test(iso) ? iso : null;
}

/**
 * @param {string} search location.search
 * @returns {Route}
 */
export function parseRoute(search) {
  const params = new URLSearchParams(search);
  const rawAsOf = params.get('asOf');
  const asOf = rawAsOf ? readAsOf(rawAsOf) : null;
  const rawHistory = params.get('history');
  const m = rawHistory ? /^(fact|assertion):(.+)$/.exec(rawHistory) : null;
  return {
    incidentId: params.get('incident') || null,
    asOf,
    q: params.get('q') ?? '',
    history: m ? { kind: m[1] === 'fact' ? 'fact' : 'assertion', key: m[2] ?? '' } : null,
    asOfError: Boolean(rawAsOf) && asOf === null,
  };
}

/**
 * Whether a history key from the address could name a fact or an assertion: only such a key is
 * repeated in the page's own sentences (any text could be put in a link someone is sent).
 * @param {HistoryRef} ref
 */
export const plausibleKey = (ref) => (ref.kind === 'fact' ? FACT_KEY : ULID).test(ref.key);

/**
 * @param {Route} route
 * @returns {string} a relative URL for the route
 */
export function routeUrl(route) {
  const params = new URLSearchParams();
  if (route.incidentId) params.set('incident', route.incidentId);
  if (route.asOf) params.set('asOf', route.asOf);
  if (route.history) params.set('history', `${route.history.kind}:${route.history.key}`);
  if (route.q) params.set('q', route.q);
  const qs = params.toString();
  return qs ? `?${qs}` : location.pathname;
}

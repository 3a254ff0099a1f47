// What the page is showing, and its address: `?incident=ID&asOf=ISO&history=fact:KEY&q=words`.
// The URL is the source of truth, so a view can be shared, bookmarked and reloaded.

/**
 * @typedef {{ kind: 'fact' | 'assertion', key: string }} HistoryRef
 * @typedef {{ incidentId: string | null, asOf: string | null, q: string, history: HistoryRef | null, asOfError: boolean }} Route
 */

/**
 * @param {string} search location.search
 * @returns {Route}
 */
export function parseRoute(search) {
  const params = new URLSearchParams(search);
  const rawAsOf = params.get('asOf');
  let asOf = null;
  let asOfError = false;
  if (rawAsOf) {
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(rawAsOf) ? `${rawAsOf}T00:00:00Z` : rawAsOf);
    if (Number.isNaN(d.getTime())) asOfError = true;
    else asOf = d.toISOString();
  }
  const rawHistory = params.get('history');
  const m = rawHistory ? /^(fact|assertion):(.+)$/.exec(rawHistory) : null;
  return {
    incidentId: params.get('incident') || null,
    asOf,
    q: params.get('q') ?? '',
    history: m ? { kind: m[1] === 'fact' ? 'fact' : 'assertion', key: m[2] ?? '' } : null,
    asOfError,
  };
}

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

// Loading one incident's views (summary, timeline, facts, disputes, and the chosen history) at
// the page's as-of, and rendering them. Every view is refetched together so they agree; a history
// opened or closed on its own is fetched alone, and kept only if it shows the same revision.

import { ApiError, allSources, enc, getJson } from './api.js';
import { byId, h, replace } from './dom.js';
import { formatInstant } from './format.js';
import { plausibleKey } from './state.js';
import { assertionLabel, historyNode } from './history-view.js';
import { disputeItem, factItem, timelineItem } from './views.js';

/**
 * @typedef {import('./api.js').IncidentSummary} IncidentSummary
 * @typedef {import('./api.js').Timeline} Timeline
 * @typedef {import('./api.js').FactsView} FactsView
 * @typedef {import('./api.js').DisputesView} DisputesView
 * @typedef {import('./api.js').History} History
 * @typedef {import('./api.js').Source} Source
 * @typedef {import('./state.js').HistoryRef} HistoryRef
 * @typedef {{ summary: IncidentSummary, timeline: Timeline, facts: FactsView, disputes: DisputesView, sources: Source[],
 *   history: History | ApiError | null, revision: number }} Loaded
 */

/**
 * Fetches everything the page shows for one incident. The revision the page offers as If-Match is
 * the lowest any view reflects, so a write can never claim to have seen more than was shown.
 * @param {string} id
 * @param {string | null} asOf
 * @param {HistoryRef | null} history
 * @returns {Promise<Loaded>}
 */
export async function loadIncident(id, asOf, history) {
  const q = { asOf };
  const base = `/incidents/${enc(id)}`;
  const [summary, timeline, facts, disputes, sources, historyView] = await Promise.all([
    getJson(base, q),
    getJson(`${base}/timeline`, q),
    getJson(`${base}/facts`, q),
    getJson(`${base}/disputes`, q),
    allSources().catch(() => /** @type {Source[]} */ ([])),
    loadHistory(id, asOf, history),
  ]);
  const s = /** @type {IncidentSummary} */ (summary);
  const t = /** @type {Timeline} */ (timeline);
  const f = /** @type {FactsView} */ (facts);
  const d = /** @type {DisputesView} */ (disputes);
  return {
    summary: s,
    timeline: t,
    facts: f,
    disputes: d,
    sources,
    history: /** @type {History | ApiError | null} */ (historyView),
    revision: Math.min(s.revision, t.revision, f.revision, d.revision),
  };
}

/**
 * One history of the incident: a 404 (no such fact or assertion) is an answer to show, not a failure.
 * @param {string} id
 * @param {string | null} asOf
 * @param {HistoryRef | null} history
 * @returns {Promise<History | ApiError | null>}
 */
export async function loadHistory(id, asOf, history) {
  if (!history) return null;
  const path = `/incidents/${enc(id)}/${history.kind === 'fact' ? 'facts' : 'assertions'}/${enc(history.key)}/history`;
  try {
    return /** @type {History} */ (await getJson(path, { asOf }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return error;
    throw error;
  }
}

/**
 * Shows another history beside views already rendered from `data` (whose revision it shares).
 * @param {Loaded} data
 * @param {HistoryRef | null} ref
 */
export function renderHistoryOnly(data, ref) {
  keepingFocus(() => renderHistory(data, ref));
}

/**
 * Keeps keyboard focus on "the same" button across a re-render (a live update must not throw the
 * reader back to the top of the page).
 * @param {() => void} render
 */
function keepingFocus(render) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement ? active.dataset.focus : undefined;
  const section = active instanceof HTMLElement ? active.closest('section')?.id : undefined;
  render();
  if (!key) return;
  const again = (section && document.getElementById(section)?.querySelector(`[data-focus="${CSS.escape(key)}"]`)) || document.querySelector(`[data-focus="${CSS.escape(key)}"]`);
  if (again instanceof HTMLElement) again.focus({ preventScroll: true });
}

/**
 * @param {Loaded} data
 * @param {{ editing: boolean, asOf: string | null, history: HistoryRef | null }} options
 */
export function renderIncident(data, options) {
  const { summary, timeline, facts, disputes } = data;
  keepingFocus(() => {
    byId('incident-title', HTMLElement).textContent = summary.title;
    document.title = `${summary.title} — Incident Ledger`;
    const summaryEl = byId('incident-summary', HTMLElement);
    summaryEl.textContent = summary.summary ?? '';
    summaryEl.hidden = !summary.summary;
    replace(
      byId('incident-meta', HTMLElement),
      'Opened ',
      h('time', { datetime: summary.openedAt }, formatInstant(summary.openedAt)),
      ' · last change ',
      h('time', { datetime: summary.updatedAt }, formatInstant(summary.updatedAt)),
      ' · ',
      h('span', { id: 'incident-revision', 'data-revision': data.revision }, `revision ${data.revision}`),
      summary.factCount !== undefined ? ` · ${summary.factCount} facts, ${summary.disputedFactCount ?? 0} disputed` : '',
    );

    const banner = byId('asof-banner', HTMLElement);
    banner.hidden = !options.asOf;
    if (options.asOf) {
      replace(
        banner,
        h('strong', {}, 'As of ', h('time', { datetime: options.asOf }, formatInstant(options.asOf))),
        `: the ledger as it stood then (revision ${data.revision}). Live updates and editing are off. `,
        h('button', { type: 'button', class: 'secondary', 'data-action': 'asof-now' }, 'Back to now'),
      );
    }

    const view = { editing: options.editing };
    if (summary.id !== limitsOf) {
      limits.clear();
      limitsOf = summary.id;
    }
    const dated = new Set(timeline.entries.map((e) => e.fact));
    replace(
      byId('timeline-list', HTMLOListElement),
      timeline.entries.length ? bounded('timeline-list', timeline.entries, (e) => timelineItem(e, view), 'li') : h('li', { class: 'empty muted' }, 'No dated facts yet.'),
    );
    const undated = facts.facts.filter((f) => !dated.has(f.fact));
    replace(byId('undated-list', HTMLUListElement), undated.length ? bounded('undated-list', undated, (f) => factItem(f, view), 'li') : h('li', { class: 'empty muted' }, 'None.'));
    replace(
      byId('disputes-list', HTMLElement),
      disputes.disputes.length
        ? bounded('disputes-list', disputes.disputes, (d) => disputeItem(d, view), 'p')
        : h('p', { class: 'empty muted' }, 'No disputes: where several sources speak to a fact, they agree.'),
    );
    renderHistory(data, options.history);
  });
}

/**
 * Items each long list shows: an incident of thousands of events would otherwise be hundreds of
 * thousands of elements, built again on every live update. "Show more" raises a list's limit for
 * as long as the same incident is shown.
 */
const PAGE = 200;
/** @type {Map<string, number>} */
const limits = new Map();
let limitsOf = '';

/**
 * The first items of a list, and a "Show more" control (in a `wrapper` element that fits the list) when some are left out.
 * @template T
 * @param {string} list the list element's id
 * @param {T[]} items
 * @param {(item: T) => Node} render
 * @param {'li' | 'p'} wrapper
 * @returns {Node[]}
 */
function bounded(list, items, render, wrapper) {
  const limit = limits.get(list) ?? PAGE;
  const shown = items.slice(0, limit).map(render);
  const left = items.length - limit;
  if (left <= 0) return shown;
  const more = h(
    wrapper,
    { class: 'show-more' },
    h('button', { type: 'button', class: 'secondary', 'data-action': 'show-more', 'data-key': list, 'data-focus': `show-more:${list}` }, `Show ${Math.min(left, PAGE)} more`),
    ` (${left} not shown)`,
  );
  return [...shown, more];
}

/**
 * Shows the next page of a list: called with the views already loaded, nothing is fetched.
 * @param {string} list
 */
export function showMore(list) {
  limits.set(list, (limits.get(list) ?? PAGE) + PAGE);
}

/**
 * @param {Loaded} data
 * @param {HistoryRef | null} ref
 */
function renderHistory(data, ref) {
  const hint = byId('history-hint', HTMLElement);
  const target = byId('history-view', HTMLElement);
  hint.hidden = ref !== null;
  if (!ref || !data.history) return target.replaceChildren();
  if (data.history instanceof ApiError) {
    return replace(
      target,
      h(
        'p',
        { class: 'banner' },
        plausibleKey(ref) ? ['No history for ', ref.kind, ' ', h('code', {}, ref.key), ` ${data.facts.asOf ? 'as of then' : 'in this incident'}. `] : 'The address names no fact or assertion. ',
        h('button', { type: 'button', class: 'secondary', 'data-action': 'close-history' }, 'Close'),
      ),
    );
  }
  const sourceNames = new Map(data.sources.map((s) => [s.id, s.name]));
  /** @type {Map<string, string>} */
  const labels = new Map();
  for (const r of data.history.revisions) {
    if (r.type === 'AssertionRecorded' && r.assertionId && r.after?.fact && r.after.sourceId) {
      labels.set(r.assertionId, assertionLabel({ sourceId: r.after.sourceId, sourceName: sourceNames.get(r.after.sourceId), fact: r.after.fact }));
    }
  }
  for (const f of data.facts.facts) for (const a of f.assertions) labels.set(a.assertionId, assertionLabel(a));
  replace(
    target,
    historyNode(data.history, {
      kind: ref.kind,
      key: ref.key,
      showAssertion: ref.kind === 'fact',
      names: { sourceName: (id) => sourceNames.get(id) ?? id, assertionLabel: (id) => labels.get(id) },
    }),
  );
}


// The incident list in the side navigation: newest first, searchable by title, at the page's as-of.

import { describeError, getJson } from './api.js';
import { byId, replace } from './dom.js';
import { routeUrl } from './state.js';
import { incidentListItem } from './views.js';

/**
 * @typedef {import('./state.js').Route} Route
 * @typedef {import('./api.js').IncidentPage} IncidentPage
 * @typedef {{ route: () => Route, generation: () => number, onFirst: (incidentId: string) => Promise<void>, onNothing: (text: string) => void }} ListHooks
 */

/** @param {ListHooks} hooks */
export function mountIncidentList(hooks) {
  const list = byId('incident-list', HTMLUListElement);
  const status = byId('list-status', HTMLElement);
  const more = byId('list-more', HTMLButtonElement);
  /** @type {string | null} */
  let nextCursor = null;

  const markCurrent = () => {
    const { incidentId } = hooks.route();
    for (const a of list.querySelectorAll('a[data-incident]')) {
      const current = a.getAttribute('data-incident') === incidentId;
      if (current) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
      a.closest('li')?.classList.toggle('current', current);
    }
  };

  /**
   * Loads the first page (or the next one). With no incident chosen yet, opens the newest.
   * @param {boolean} [next]
   */
  const load = async (next = false) => {
    const mine = hooks.generation();
    const route = hooks.route();
    status.textContent = next ? 'Loading more…' : 'Loading incidents…';
    try {
      /** @type {IncidentPage} */
      const page = await getJson('/incidents', { q: route.q || null, asOf: route.asOf, limit: 50, cursor: next ? nextCursor : null });
      if (mine !== hooks.generation() && !next) return;
      nextCursor = page.nextCursor;
      const items = page.incidents.map((incident) =>
        incidentListItem(incident, { current: incident.id === route.incidentId, href: routeUrl({ ...route, incidentId: incident.id, history: null }) }),
      );
      if (next) list.append(...items);
      else replace(list, items);
      more.hidden = !nextCursor;
      const count = list.children.length;
      status.textContent =
        count === 0 ? (route.q ? `No incident title matches “${route.q}”.` : 'No incidents yet.') : route.q ? `${count} matching “${route.q}”` : '';
      const first = page.incidents[0];
      if (!route.incidentId && first && !next) await hooks.onFirst(first.id);
      else if (!route.incidentId) hooks.onNothing(count === 0 ? 'Nothing to show yet.' : 'Choose an incident from the list.');
    } catch (error) {
      status.textContent = describeError(error, 'the incident list');
      if (!route.incidentId) hooks.onNothing(describeError(error, 'incidents'));
    }
  };

  more.addEventListener('click', () => void load(true));
  return { load, markCurrent };
}

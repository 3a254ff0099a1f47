// The incident page: wires the header controls (as-of, sign-in), the incident list, the views of
// the chosen incident, live updates and the editing forms. State lives in the URL (state.js).

import { ApiError, apiUrl, describeError, enc, onTokenRefused, session } from './api.js';
import { byId, h, replace } from './dom.js';
import { mountEditor } from './editor.js';
import { fromLocalInput, toLocalInput } from './format.js';
import { mountIncidentList } from './incident-list.js';
import { loadHistory, loadIncident, renderHistoryOnly, renderIncident, showMore } from './incident-page.js';
import { connectLive } from './live.js';
import { parseRoute, routeUrl } from './state.js';
import { mountSignIn } from './signin.js';

/**
 * @typedef {import('./state.js').Route} Route
 * @typedef {import('./incident-page.js').Loaded} Loaded
 */

/** @type {Route} */
let route = parseRoute(location.search);
/** @type {Loaded | undefined} */
let loaded;
/** Bumped on every navigation, so answers for a view the reader has left are dropped. */
let generation = 0;
/** Whether the live-status line shows a refresh that failed. */
let liveStatusFailed = false;
/** @type {(() => void) | undefined} */
let closeLive;

const el = {
  asOfForm: byId('asof-form', HTMLFormElement),
  asOfInput: byId('asof-input', HTMLInputElement),
  asOfNow: byId('asof-now', HTMLButtonElement),
  asOfError: byId('asof-error', HTMLElement),
  searchForm: byId('search-form', HTMLFormElement),
  searchInput: byId('search-input', HTMLInputElement),
  list: byId('incident-list', HTMLUListElement),
  placeholder: byId('incident-placeholder', HTMLElement),
  view: byId('incident-view', HTMLElement),
  liveStatus: byId('live-status', HTMLElement),
  conflict: byId('conflict', HTMLElement),
  editLocked: byId('edit-locked', HTMLElement),
  editForms: byId('edit-forms', HTMLElement),
};

const editing = () => Boolean(session.token) && !route.asOf;

const editor = mountEditor(
  () => (loaded && route.incidentId ? { incidentId: route.incidentId, revision: loaded.revision, facts: loaded.facts.facts, disputes: loaded.disputes.disputes, sources: loaded.sources } : undefined),
  {
    onWritten: () => {
      el.conflict.hidden = true;
      void refresh();
    },
    onConflict: (error, sent) => {
      const now = typeof error.problem.currentRevision === 'number' ? error.problem.currentRevision : undefined;
      replace(
        el.conflict,
        h('strong', {}, 'Someone else changed this incident while you were editing. '),
        `You were looking at revision ${sent}${now !== undefined ? `; it is now at revision ${now}` : ''}. The views now show the latest state, and your form still holds what you typed: check it and submit again.`,
      );
      el.conflict.hidden = false;
      void refresh();
    },
    onUnauthorized: () => signIn.signOut('Your token was not accepted; sign in again.'),
  },
);

const incidents = mountIncidentList({
  route: () => route,
  generation: () => generation,
  onFirst: async (incidentId) => {
    route = { ...route, incidentId };
    commit('replace');
    incidents.markCurrent();
    await showIncident();
  },
  onNothing: (text) => showPlaceholder(text),
});

// Reads may need the token: after signing in or out, reload the list, the views and the live stream.
const signIn = mountSignIn({
  onChange: async () => {
    void incidents.load();
    await showIncident();
  },
});
onTokenRefused(() => signIn.signOut('Your token was not accepted; sign in again.'));

/** Shows the route in the address bar. @param {'push' | 'replace'} how */
function commit(how) {
  const url = routeUrl(route);
  if (how === 'push') history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

/** @param {string} text */
function showPlaceholder(text) {
  replace(el.placeholder, h('p', {}, text));
  el.placeholder.hidden = false;
  el.view.hidden = true;
}

// ——— The chosen incident ———

function stopLive() {
  closeLive?.();
  closeLive = undefined;
}

async function showIncident() {
  stopLive();
  loaded = undefined;
  el.conflict.hidden = true;
  if (!route.incidentId) return;
  await refresh();
  // Two calls may overlap (signing in while the list opens the newest incident): one stream only.
  stopLive();
  if (loaded && !route.asOf) startLive(route.incidentId);
  updateLiveStatus();
}

/** @type {Promise<void> | undefined} */
let refreshing;
let refreshAgain = false;

/** Refetches and re-renders the views; calls that arrive mid-flight coalesce into one more pass. */
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await refreshOnce();
    } while (refreshAgain);
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

async function refreshOnce() {
  const id = route.incidentId;
  if (!id) return;
  const mine = generation;
  try {
    const data = await loadIncident(id, route.asOf, route.history);
    if (mine !== generation) return;
    loaded = data;
    el.placeholder.hidden = true;
    el.view.hidden = false;
    renderIncident(data, { editing: editing(), asOf: route.asOf, history: route.history });
    // A failure the status line reported is over once the views load again.
    if (liveStatusFailed) {
      liveStatusFailed = false;
      updateLiveStatus();
    }
    updateEditing();
    // The forms' choices (an option per assertion) are built only for someone who can use them.
    if (editing()) editor.update();
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof ApiError && error.status === 404) {
      loaded = undefined;
      showPlaceholder(route.asOf ? 'This incident had not been opened yet at that moment. Choose a later time, or go back to now.' : 'There is no such incident. Choose one from the list.');
    } else if (!loaded) {
      showPlaceholder(describeError(error, 'this incident'));
    } else {
      el.liveStatus.textContent = describeError(error, 'the latest changes');
      liveStatusFailed = true;
    }
    // Briefly unavailable (the read models catching up after a start): try again when told to.
    if (error instanceof ApiError && error.status === 503 && error.retryAfter !== null) {
      setTimeout(() => {
        if (mine === generation) void refresh();
      }, Math.min(error.retryAfter, 60) * 1_000);
    }
  }
}

function updateEditing() {
  const on = editing();
  el.editForms.hidden = !on;
  el.editLocked.hidden = on;
  el.editLocked.textContent = route.asOf
    ? 'You are looking at the past. Go back to now to edit.'
    : 'Sign in with an editor token (at the top of the page) to record, correct, retract and assess.';
}

// ——— Live updates ———

/** @type {Record<string, string>} */
const CHANGE = {
  AssertionRecorded: 'an assertion was recorded',
  AssertionCorrected: 'an assertion was corrected',
  AssertionRetracted: 'an assertion was retracted',
  FactAssessed: 'a dispute was assessed',
  IncidentDetailsRevised: 'the title or summary was revised',
};

/** @type {import('./live.js').LiveState | 'off'} */
let liveState = 'off';

/** @param {string} id */
function startLive(id) {
  closeLive = connectLive(apiUrl(`/incidents/${enc(id)}/live`), {
    token: () => session.token,
    onState: (state) => {
      liveState = state;
      updateLiveStatus();
    },
    onReconnected: () => void refresh(),
    onAppended: (message) => {
      void refresh().then(() => {
        if (!message) return;
        el.liveStatus.textContent = `Updated live: ${CHANGE[message.type] ?? 'the incident changed'} by ${message.actor} (revision ${message.revision}).`;
      });
    },
  });
}

// A tab out of sight gives its live stream back: a browser opens at most six connections to one
// server over HTTP/1.1, and each open tab of the page would hold one, so a seventh tab would not
// load. Back in sight, the tab catches up and listens again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    if (!closeLive) return;
    stopLive();
    liveState = 'off';
    return;
  }
  const id = route.incidentId;
  if (closeLive || !loaded || !id || route.asOf) return;
  void refresh().then(() => {
    if (document.visibilityState !== 'hidden' && !closeLive && loaded && route.incidentId === id && !route.asOf) startLive(id);
    updateLiveStatus();
  });
});

function updateLiveStatus() {
  if (route.asOf) el.liveStatus.textContent = 'Showing the past: live updates are off.';
  else if (liveState === 'connected') el.liveStatus.textContent = 'Live: changes appear here as they are recorded.';
  else if (liveState === 'reconnecting') el.liveStatus.textContent = 'Live updates interrupted; reconnecting…';
  else if (liveState === 'unavailable') el.liveStatus.textContent = 'Live updates are unavailable; reload the page to see changes.';
}

// ——— Navigation ———

/** @param {Partial<Route>} change @param {'push' | 'replace'} how */
async function navigate(change, how) {
  const incidentChanged = change.incidentId !== undefined && change.incidentId !== route.incidentId;
  const asOfChanged = change.asOf !== undefined && change.asOf !== route.asOf;
  const listChanged = asOfChanged || (change.q !== undefined && change.q !== route.q);
  route = { ...route, ...change };
  commit(how);
  generation++;
  syncControls();
  if (listChanged) void incidents.load();
  else incidents.markCurrent();
  if (incidentChanged || asOfChanged) await showIncident();
  else if (change.history !== undefined && Object.keys(change).length === 1) await showHistory();
  else await refresh();
}

/**
 * Only the history to show changed: it is fetched alone rather than every view again (on a large
 * incident, megabytes and seconds). Should the incident have moved on meanwhile, everything is
 * refetched instead, so the page never shows two revisions at once.
 */
async function showHistory() {
  const id = route.incidentId;
  const data = loaded;
  const mine = generation;
  if (!id || !data) return refresh();
  let history;
  try {
    history = await loadHistory(id, route.asOf, route.history);
  } catch {
    return refresh();
  }
  if (mine !== generation) return;
  // Views rendered meanwhile (a live update), or a history of another revision: all of it again.
  if (loaded !== data || (history && !(history instanceof ApiError) && history.revision !== data.revision)) return refresh();
  loaded = { ...data, history };
  renderHistoryOnly(loaded, route.history);
}

function syncControls() {
  el.asOfInput.value = route.asOf ? toLocalInput(route.asOf) : '';
  el.asOfNow.disabled = !route.asOf;
  if (document.activeElement !== el.searchInput) el.searchInput.value = route.q;
}

el.asOfForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = el.asOfInput.value;
  const asOf = raw ? fromLocalInput(raw) : null;
  if (raw && !asOf) {
    el.asOfError.textContent = 'Enter a complete date and time, or leave it empty for the present.';
    el.asOfError.hidden = false;
    el.asOfInput.setAttribute('aria-invalid', 'true');
    el.asOfInput.focus();
    return;
  }
  el.asOfError.hidden = true;
  el.asOfInput.removeAttribute('aria-invalid');
  void navigate({ asOf: asOf ?? null }, 'push');
});
el.asOfNow.addEventListener('click', () => void navigate({ asOf: null }, 'push'));

let searchTimer = 0;
el.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  void navigate({ q: el.searchInput.value.trim() }, 'replace');
});
el.searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => void navigate({ q: el.searchInput.value.trim() }, 'replace'), 300);
});

el.list.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-incident]') : null;
  if (!link || !(event instanceof MouseEvent) || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  void navigate({ incidentId: link.getAttribute('data-incident'), history: null }, 'push').then(() => byId('incident', HTMLElement).focus());
});

// Buttons inside the views (history, correct, retract, assess, back to now).
el.view.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
  if (!(button instanceof HTMLButtonElement)) return;
  const action = button.dataset.action;
  const key = button.dataset.key ?? '';
  if (action === 'history') {
    const kind = button.dataset.kind === 'fact' ? 'fact' : 'assertion';
    void navigate({ history: { kind, key } }, 'replace').then(() => {
      const section = byId('history', HTMLElement);
      section.scrollIntoView({ block: 'start' });
      section.focus({ preventScroll: true });
    });
  } else if (action === 'close-history') {
    void navigate({ history: null }, 'replace').then(() => byId('history', HTMLElement).focus({ preventScroll: true }));
  } else if (action === 'show-more') {
    if (!loaded) return;
    showMore(key);
    renderIncident(loaded, { editing: editing(), asOf: route.asOf, history: route.history });
  } else if (action === 'asof-now') {
    void navigate({ asOf: null }, 'push');
  } else if (action === 'correct' || action === 'retract' || action === 'assess') {
    editor.choose(action, key);
  }
});

window.addEventListener('popstate', () => {
  const next = parseRoute(location.search);
  generation++;
  const incidentChanged = next.incidentId !== route.incidentId || next.asOf !== route.asOf;
  const listChanged = next.asOf !== route.asOf || next.q !== route.q;
  route = next;
  syncControls();
  if (listChanged) void incidents.load();
  else incidents.markCurrent();
  void (incidentChanged ? showIncident() : refresh());
});

// ——— Start ———

if (route.asOfError) {
  el.asOfError.textContent = 'The “as of” in the address is not a date; showing the present.';
  el.asOfError.hidden = false;
  commit('replace');
}
syncControls();
updateEditing();
if (route.incidentId) void showIncident();
void incidents.load();

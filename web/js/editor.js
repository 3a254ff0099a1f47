// The four editing forms: record, correct, retract, assess. Each write sends If-Match with the
// revision the page shows. A 409 keeps everything typed, says someone else changed the incident
// and asks the page to refresh; a 400 puts the API's field errors next to the fields.

import { ApiError, enc, postJson } from './api.js';
import { byId, h, one, replace } from './dom.js';
import { clearErrors, showErrors } from './form-errors.js';
import { isolated, valueText } from './format.js';
import { mountValueFields } from './value-fields.js';

/**
 * @typedef {import('./api.js').Assertion} Assertion
 * @typedef {import('./api.js').Fact} Fact
 * @typedef {import('./api.js').Dispute} Dispute
 * @typedef {import('./api.js').Source} Source
 * @typedef {{ incidentId: string, revision: number, facts: Fact[], disputes: Dispute[], sources: Source[] }} EditorState
 * @typedef {{ onWritten: (revision: number) => void, onConflict: (error: ApiError, sentRevision: number) => void, onUnauthorized: () => void }} EditorHooks
 */

/** @param {string} id */
const input = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
const textarea = (id) => byId(id, HTMLTextAreaElement);
/** @param {string} id */
const select = (id) => byId(id, HTMLSelectElement);

/**
 * Key-order-independent equality of JSON values.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && sameJson(/** @type {Record<string, unknown>} */ (a)[k], /** @type {Record<string, unknown>} */ (b)[k]))
  );
}

/** @param {string} prefix */
function readCitation(prefix) {
  /** @type {Record<string, string>} */
  const citation = {};
  for (const field of ['url', 'title', 'publishedAt', 'language']) {
    const v = input(`${prefix}-cite-${field}`).value.trim();
    if (v) citation[field] = v;
  }
  return Object.keys(citation).length ? citation : undefined;
}

/**
 * Rebuilds a select's options, keeping the user's choice when it still exists.
 * @param {HTMLSelectElement} el
 * @param {string} placeholder
 * @param {Array<HTMLOptionElement | HTMLOptGroupElement>} options
 * @returns {boolean} whether the previous choice survived
 */
function refill(el, placeholder, options) {
  const chosen = el.value;
  replace(el, h('option', { value: '' }, placeholder), options);
  el.value = chosen;
  if (el.value !== chosen) el.value = '';
  return el.value === chosen;
}

/**
 * Live assertions grouped by fact, as <optgroup>s.
 * @param {Fact[]} facts
 */
function assertionOptions(facts) {
  return facts.map((f) =>
    h(
      'optgroup',
      { label: f.fact },
      f.assertions.map((a) => h('option', { value: a.assertionId }, `${isolated(a.sourceName || a.sourceId)}: ${isolated(valueText(a.value))}`)),
    ),
  );
}

/**
 * @param {HTMLFormElement} form
 * @param {string} text
 */
function status(form, text) {
  one(form, '.form-status', HTMLElement).textContent = text;
}

/**
 * @param {() => EditorState | undefined} getState
 * @param {EditorHooks} hooks
 */
export function mountEditor(getState, hooks) {
  const recordValue = mountValueFields(one(document, '.value-slot[data-prefix=rec]', HTMLElement), 'rec');
  const correctValue = mountValueFields(one(document, '.value-slot[data-prefix=cor]', HTMLElement), 'cor');
  const forms = {
    record: byId('record-form', HTMLFormElement),
    correct: byId('correct-form', HTMLFormElement),
    retract: byId('retract-form', HTMLFormElement),
    assess: byId('assess-form', HTMLFormElement),
  };

  /** @param {string} id */
  const findAssertion = (id) => getState()?.facts.flatMap((f) => f.assertions).find((a) => a.assertionId === id);

  /**
   * Sends one command and sorts out its answer.
   * @param {HTMLFormElement} form
   * @param {string} path under /api/incidents/:id
   * @param {unknown} body
   * @param {string} done what to say on success
   * @returns {Promise<boolean>}
   */
  async function submit(form, path, body, done) {
    const state = getState();
    if (!state) return false;
    const button = one(form, 'button[type=submit]', HTMLButtonElement);
    clearErrors(form);
    status(form, '');
    button.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const sent = state.revision;
    try {
      /** @type {{ revision: number }} */
      const answer = await postJson(`/incidents/${enc(state.incidentId)}${path}`, body, { revision: sent });
      status(form, `${done} (revision ${answer.revision}).`);
      hooks.onWritten(answer.revision);
      return true;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 409) {
        showErrors(form, [], 'Someone else changed this incident while you were editing. The page now shows the latest state; what you typed is still here. Check it and submit again.');
        hooks.onConflict(error, sent);
      } else if (error.status === 400) {
        showErrors(form, error.fieldErrors, error.fieldErrors.length ? 'The ledger did not accept this. Please fix the fields marked below.' : error.message);
      } else if (error.status === 401) {
        showErrors(form, [], 'Your token was not accepted. Sign in again; what you typed is kept.');
        hooks.onUnauthorized();
      } else if (error.problem.code === 'unknown-source') {
        showErrors(form, [{ path: 'sourceId', message: error.message }], 'The ledger refused this.');
      } else {
        showErrors(form, [], `${error.status === 403 ? 'Not allowed' : 'Refused'}: ${error.message}`);
      }
      return false;
    } finally {
      button.disabled = false;
      form.removeAttribute('aria-busy');
    }
  }

  // Record an assertion.
  const quote = textarea('rec-quote');
  input('rec-cite-language').addEventListener('input', (e) => {
    const lang = /** @type {HTMLInputElement} */ (e.currentTarget).value.trim();
    if (/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(lang)) quote.lang = lang;
    else quote.removeAttribute('lang');
  });
  forms.record.addEventListener('submit', async (event) => {
    event.preventDefault();
    /** @type {Record<string, unknown>} */
    const body = { fact: input('rec-fact').value.trim(), value: recordValue.read(), sourceId: select('rec-source').value };
    const validTime = input('rec-validTime').value.trim();
    if (validTime) body.validTime = validTime;
    const citation = readCitation('rec');
    if (citation) body.citation = citation;
    if (quote.value.trim()) body.quote = quote.value.trim();
    if (await submit(forms.record, '/assertions', body, 'Recorded')) {
      // Keep the source and citation: the next assertion is often from the same document.
      input('rec-fact').value = '';
      input('rec-validTime').value = '';
      quote.value = '';
      recordValue.clear();
    }
  });

  // Correct an assertion: the fields start as recorded; only what the editor changed is sent.
  const corAssertion = select('cor-assertion');
  const fillCorrection = () => {
    const a = findAssertion(corAssertion.value);
    input('cor-fact').value = a?.fact ?? '';
    input('cor-validTime').value = a?.validTime ?? '';
    textarea('cor-quote').value = a?.quote ?? '';
    for (const field of /** @type {const} */ (['url', 'title', 'publishedAt', 'language'])) input(`cor-cite-${field}`).value = a?.citation?.[field] ?? '';
    if (a) correctValue.write(a.value);
    else correctValue.clear();
  };
  corAssertion.addEventListener('change', fillCorrection);
  forms.correct.addEventListener('submit', async (event) => {
    event.preventDefault();
    const current = findAssertion(corAssertion.value);
    /** @type {Record<string, unknown>} */
    const body = { reason: textarea('cor-reason').value.trim() };
    if (!corAssertion.value) {
      showErrors(forms.correct, [{ path: 'assertionId', message: 'Choose the assertion to correct.' }]);
      return;
    }
    const fact = input('cor-fact').value.trim();
    if (fact && fact !== current?.fact) body.fact = fact;
    const value = correctValue.read();
    if (!sameJson(value, current?.value)) body.value = value;
    const validTime = input('cor-validTime').value.trim();
    if (validTime && validTime !== current?.validTime) body.validTime = validTime;
    const newQuote = textarea('cor-quote').value.trim();
    if (newQuote && newQuote !== current?.quote) body.quote = newQuote;
    const citation = readCitation('cor');
    if (citation && !sameJson(citation, current?.citation ?? {})) body.citation = citation;
    if (await submit(forms.correct, `/assertions/${enc(corAssertion.value)}/corrections`, body, 'Correction recorded')) {
      textarea('cor-reason').value = '';
      corAssertion.value = '';
      fillCorrection();
    }
  });

  // Retract an assertion.
  const retAssertion = select('ret-assertion');
  forms.retract.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!retAssertion.value) {
      showErrors(forms.retract, [{ path: 'assertionId', message: 'Choose the assertion to retract.' }]);
      return;
    }
    if (await submit(forms.retract, `/assertions/${enc(retAssertion.value)}/retractions`, { reason: textarea('ret-reason').value.trim() }, 'Retracted')) {
      textarea('ret-reason').value = '';
      retAssertion.value = '';
    }
  });

  // Assess a dispute.
  const assFact = select('ass-fact');
  const positionsBox = byId('ass-positions', HTMLElement);
  const renderPositions = () => {
    const checked = new Set([...positionsBox.querySelectorAll('input:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value));
    const dispute = getState()?.disputes.find((d) => d.fact === assFact.value);
    if (!dispute) return replace(positionsBox, h('p', { class: 'muted' }, 'Choose a disputed fact first.'));
    if (checked.size === 0) for (const id of dispute.assessment?.preferred ?? []) checked.add(id);
    replace(
      positionsBox,
      dispute.positions.map((p, i) =>
        h(
          'div',
          { class: 'field check' },
          h('input', { type: 'checkbox', id: `ass-pos-${i}`, name: 'preferred', value: p.assertionId, checked: checked.has(p.assertionId) }),
          h('label', { for: `ass-pos-${i}` }, `${isolated(p.sourceName)}: ${isolated(valueText(p.value))}`),
        ),
      ),
    );
  };
  assFact.addEventListener('change', () => {
    for (const el of positionsBox.querySelectorAll('input')) el.checked = false;
    renderPositions();
  });
  forms.assess.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!assFact.value) {
      showErrors(forms.assess, [{ path: 'fact', message: 'Choose the disputed fact to assess.' }]);
      return;
    }
    const preferred = [...positionsBox.querySelectorAll('input:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value);
    const body = { preferred, rationale: textarea('ass-rationale').value.trim() };
    if (await submit(forms.assess, `/facts/${enc(assFact.value)}/assessments`, body, 'Assessment recorded')) {
      textarea('ass-rationale').value = '';
    }
  });

  return {
    /** New views arrived: refresh the choices, never what the editor typed. */
    update() {
      const state = getState();
      if (!state) return;
      byId('edit-revision', HTMLElement).textContent = String(state.revision);
      refill(
        select('rec-source'),
        'Choose a source…',
        state.sources.map((s) => h('option', { value: s.id }, `${isolated(s.name)} (${s.kind})`)),
      );
      replace(byId('fact-options', HTMLDataListElement), state.facts.map((f) => h('option', { value: f.fact })));
      refill(corAssertion, 'Choose an assertion…', assertionOptions(state.facts));
      refill(retAssertion, 'Choose an assertion…', assertionOptions(state.facts));
      refill(assFact, 'Choose a disputed fact…', state.disputes.map((d) => h('option', { value: d.fact }, `${d.fact} (${d.status})`)));
      renderPositions();
    },
    /**
     * Opens a form on an assertion or fact chosen from the views.
     * @param {'correct' | 'retract' | 'assess'} action
     * @param {string} key
     */
    choose(action, key) {
      /** @type {HTMLTextAreaElement} */
      let first;
      if (action === 'correct') {
        corAssertion.value = key;
        fillCorrection();
        first = textarea('cor-reason');
      } else if (action === 'retract') {
        retAssertion.value = key;
        first = textarea('ret-reason');
      } else {
        assFact.value = key;
        for (const el of positionsBox.querySelectorAll('input')) el.checked = false;
        renderPositions();
        first = textarea('ass-rationale');
      }
      forms[action].scrollIntoView({ block: 'start' });
      first.focus({ preventScroll: true });
    },
  };
}

// Showing the API's problem+json `errors[{path, message}]` next to the fields they name.
// Each control carries `data-path` (e.g. `citation.url`); an error goes to the control with the
// longest matching path, and anything unplaced goes to the form's summary at the top.

import { h, one, replace } from './dom.js';

/** @typedef {import('./api.js').FieldError} FieldError */

/**
 * The control (or fieldset) an error path belongs to: exact match first, then the nearest parent
 * path (`value.min` → `value`), skipping hidden controls.
 * @param {HTMLFormElement} form
 * @param {string} path
 * @returns {HTMLElement | undefined}
 */
function targetFor(form, path) {
  const candidates = [...form.querySelectorAll('[data-path]')].filter(
    /** @returns {el is HTMLElement} */ (el) => el instanceof HTMLElement && el.closest('[hidden]') === null,
  );
  for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const match = candidates.find((el) => el.dataset.path === p);
    if (match) return match;
  }
  return undefined;
}

/** @param {HTMLFormElement} form */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error[data-generated]')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (described.length) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
  }
  const summary = one(form, '.form-errors', HTMLElement);
  summary.hidden = true;
  summary.replaceChildren();
}

let counter = 0;

/**
 * Puts each message next to its field, marks the field invalid, and lists anything that has no
 * field (or a problem with no field errors at all) in the summary. Focus goes to the first bad field.
 * @param {HTMLFormElement} form
 * @param {FieldError[]} errors
 * @param {string} [summaryText] shown at the top, e.g. the problem's detail
 */
export function showErrors(form, errors, summaryText) {
  clearErrors(form);
  /** @type {FieldError[]} */
  const unplaced = [];
  /** @type {HTMLElement | undefined} */
  let first;
  for (const error of errors) {
    const target = targetFor(form, error.path);
    if (!target) {
      unplaced.push(error);
      continue;
    }
    const id = `${target.id || `field-${++counter}`}-error`;
    let message = form.querySelector(`#${CSS.escape(id)}`);
    if (!message) {
      message = h('p', { class: 'field-error', id, 'data-generated': true });
      if (target instanceof HTMLFieldSetElement) target.querySelector('legend')?.after(message);
      else target.after(message);
      target.setAttribute('aria-invalid', 'true');
      target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    }
    message.append(message.textContent ? ` ${error.message}` : error.message);
    first ??= target;
  }
  const summary = one(form, '.form-errors', HTMLElement);
  if (summaryText || unplaced.length || errors.length) {
    replace(
      summary,
      h('p', {}, summaryText ?? 'Please fix the fields marked below.'),
      unplaced.length ? h('ul', {}, unplaced.map((e) => h('li', {}, e.path ? [h('code', {}, e.path), ': '] : null, e.message))) : null,
    );
    summary.hidden = false;
  }
  const focusable = first instanceof HTMLFieldSetElement ? first.querySelector('input, select, textarea') : first;
  if (focusable instanceof HTMLElement) focusable.focus();
  else if (!first) summary.focus();
}

// The typed-value fields (quantity, yes/no, text, EDTF date), shared by the record and correct
// forms. Built from the <template id="value-fields"> in index.html, with ids made unique per form.

import { byId, one } from './dom.js';

/** @typedef {import('./api.js').Value} Value */

/**
 * @typedef {object} ValueFields
 * @property {() => Record<string, unknown>} read   what the fields say, as the API's value object
 * @property {(value: Value) => void} write         fill the fields from a value
 * @property {() => void} clear
 */

/**
 * "170,000" and "170 000" are numbers too; anything else is sent as typed so the API's
 * validation names the field.
 * @param {string} raw
 * @returns {number | string | undefined}
 */
function numberOrText(raw) {
  const s = raw.trim();
  if (s === '') return undefined;
  const n = Number(s.replace(/[\s,_\u00a0\u202f]/g, ''));
  return Number.isFinite(n) ? n : s;
}

/**
 * Fills `slot` with the value fields; ids are `${prefix}-value-${name}`.
 * @param {HTMLElement} slot
 * @param {string} prefix
 * @returns {ValueFields}
 */
export function mountValueFields(slot, prefix) {
  const template = byId('value-fields', HTMLTemplateElement);
  const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true));
  for (const el of fragment.querySelectorAll('[data-id]')) el.id = `${prefix}-value-${el.getAttribute('data-id')}`;
  for (const label of fragment.querySelectorAll('label[data-for]')) label.setAttribute('for', `${prefix}-value-${label.getAttribute('data-for')}`);
  for (const radio of fragment.querySelectorAll('input[type=radio]')) radio.setAttribute('name', `${prefix}-value-boolean`);
  slot.replaceChildren(fragment);

  /** @param {string} name */
  const input = (name) => one(slot, `#${prefix}-value-${name}`, HTMLInputElement);
  const type = one(slot, `#${prefix}-value-type`, HTMLSelectElement);
  const text = one(slot, `#${prefix}-value-text`, HTMLTextAreaElement);

  const showKind = () => {
    for (const kind of slot.querySelectorAll('.value-kind')) {
      if (kind instanceof HTMLElement) kind.hidden = kind.dataset.kind !== type.value;
    }
  };
  type.addEventListener('change', showKind);
  showKind();

  return {
    read() {
      switch (type.value) {
        case 'quantity': {
          /** @type {Record<string, unknown>} */
          const q = { type: 'quantity' };
          const figures = /** @type {const} */ ([['value', 'number'], ['min', 'min'], ['max', 'max']]);
          for (const [field, name] of figures) {
            const n = numberOrText(input(name).value);
            if (n !== undefined) q[field] = n;
          }
          if (input('approximate').checked) q.approximate = true;
          if (input('unit').value.trim()) q.unit = input('unit').value.trim();
          if (input('words').value.trim()) q.text = input('words').value.trim();
          return q;
        }
        case 'boolean': {
          const yes = input('yes').checked;
          const no = input('no').checked;
          return yes || no ? { type: 'boolean', value: yes } : { type: 'boolean' };
        }
        case 'text':
          return text.value.trim() ? { type: 'text', value: text.value.trim() } : { type: 'text' };
        default:
          return input('date').value.trim() ? { type: 'date', value: input('date').value.trim() } : { type: 'date' };
      }
    },
    write(value) {
      this.clear();
      type.value = value.type;
      switch (value.type) {
        case 'quantity':
          input('number').value = value.value !== undefined ? String(value.value) : '';
          input('min').value = value.min !== undefined ? String(value.min) : '';
          input('max').value = value.max !== undefined ? String(value.max) : '';
          input('approximate').checked = value.approximate === true;
          input('unit').value = value.unit ?? '';
          input('words').value = value.text ?? '';
          break;
        case 'boolean':
          input(value.value ? 'yes' : 'no').checked = true;
          break;
        case 'text':
          text.value = value.value;
          break;
        case 'date':
          input('date').value = value.value;
          break;
      }
      showKind();
    },
    clear() {
      for (const el of slot.querySelectorAll('input')) {
        if (el.type === 'checkbox' || el.type === 'radio') el.checked = false;
        else el.value = '';
      }
      text.value = '';
      type.value = 'quantity';
      showKind();
    },
  };
}

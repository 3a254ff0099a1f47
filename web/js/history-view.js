// The history of a fact or an assertion: every revision, who made it, when, why, and for
// corrections what it was before and after.

import { h } from './dom.js';
import { describeEdtf, formatInstant } from './format.js';
import { actionButton, edtfTime, siteOf, valueNode, vh } from './views.js';

/**
 * @typedef {import('./api.js').History} History
 * @typedef {import('./api.js').RevisionEntry} RevisionEntry
 * @typedef {import('./api.js').RevisionChange} RevisionChange
 * @typedef {{ sourceName: (id: string) => string, assertionLabel: (id: string) => string | undefined }} Names
 */

/** @type {Record<RevisionEntry['type'], string>} */
const WHAT = {
  AssertionRecorded: 'Recorded',
  AssertionCorrected: 'Corrected',
  AssertionRetracted: 'Retracted',
  FactAssessed: 'Assessed',
};

/** @type {Array<[keyof RevisionChange, string]>} */
const FIELDS = [
  ['fact', 'Fact'],
  ['value', 'Value'],
  ['validTime', 'When it held'],
  ['sourceId', 'Source'],
  ['citation', 'Citation'],
  ['quote', 'Quote'],
  ['preferred', 'Preferred'],
  ['rationale', 'Rationale'],
];

/**
 * One field of a revision, readably; `null` means the field was absent.
 * @param {keyof RevisionChange} field
 * @param {RevisionChange} change
 * @param {Names} names
 * @param {string | undefined} lang
 */
function fieldNode(field, change, names, lang) {
  const none = h('span', { class: 'muted' }, '(none)');
  switch (field) {
    case 'fact':
      return change.fact ? h('code', {}, change.fact) : none;
    case 'value':
      return change.value ? valueNode(change.value, lang) : none;
    case 'validTime':
      return change.validTime ? edtfTime(change.validTime) : none;
    case 'sourceId':
      return change.sourceId ? names.sourceName(change.sourceId) : none;
    case 'citation': {
      const c = change.citation;
      if (!c) return none;
      const title = c.title || c.url || '(untitled)';
      return h(
        'span',
        {},
        h('cite', {}, c.url ? h('a', { href: c.url, rel: 'noopener noreferrer external' }, title) : title),
        c.url && c.title ? [' ', h('span', { class: 'site' }, `(${siteOf(c.url)})`)] : null,
        c.publishedAt ? `, ${describeEdtf(c.publishedAt).text}` : '',
        c.language ? ` [${c.language}]` : '',
      );
    }
    case 'quote':
      return change.quote ? h('q', { lang: lang || false }, change.quote) : none;
    case 'preferred':
      return change.preferred ? change.preferred.map((id) => names.assertionLabel(id) ?? id).join('; ') : none;
    case 'rationale':
      return change.rationale ?? none;
  }
}

/**
 * Before → after as a small table of the fields the revision touched.
 * @param {RevisionEntry} r
 * @param {Names} names
 */
function changeTable(r, names) {
  const fields = FIELDS.filter(([f]) => (r.before && f in r.before) || (r.after && f in r.after));
  if (fields.length === 0) return null;
  const hasBefore = r.before !== undefined;
  const lang = r.after?.citation?.language ?? r.before?.citation?.language ?? undefined;
  return h(
    'table',
    { class: 'changes' },
    h('caption', { class: 'vh' }, hasBefore ? 'Fields before and after this revision' : 'Fields recorded'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), hasBefore ? h('th', { scope: 'col' }, 'Before') : null, h('th', { scope: 'col' }, hasBefore ? 'After' : 'Value'))),
    h(
      'tbody',
      {},
      fields.map(([field, label]) =>
        h(
          'tr',
          { 'data-field': field },
          h('th', { scope: 'row' }, label),
          hasBefore ? h('td', { class: 'before' }, r.before && field in r.before ? fieldNode(field, r.before, names, lang) : h('span', { class: 'muted' }, 'unchanged')) : null,
          h('td', { class: 'after' }, r.after && field in r.after ? fieldNode(field, r.after, names, lang) : h('span', { class: 'muted' }, 'unchanged')),
        ),
      ),
    ),
  );
}

/**
 * @param {History} history
 * @param {{ kind: 'fact' | 'assertion', key: string, names: Names, showAssertion: boolean }} options
 */
export function historyNode(history, options) {
  const { names } = options;
  const title =
    options.kind === 'fact'
      ? h('h3', { id: 'history-title' }, 'Fact ', h('code', {}, options.key))
      : h('h3', { id: 'history-title' }, 'Assertion: ', names.assertionLabel(options.key) ?? h('code', {}, options.key));
  return h(
    'div',
    { class: 'history', 'data-kind': options.kind, 'data-key': options.key },
    h('div', { class: 'history-head' }, title, h('button', { type: 'button', class: 'secondary', 'data-action': 'close-history' }, 'Close history')),
    h('p', { class: 'muted' }, `${history.revisions.length} revision${history.revisions.length === 1 ? '' : 's'}, oldest first.`),
    h(
      'ol',
      { class: 'revisions', 'aria-labelledby': 'history-title' },
      history.revisions.map((r) =>
        h(
          'li',
          { class: `revision revision-${WHAT[r.type].toLowerCase()}`, 'data-revision': r.revision },
          h(
            'p',
            { class: 'revision-head' },
            h('span', { class: `tag tag-${WHAT[r.type].toLowerCase()}` }, WHAT[r.type]),
            ' ',
            h('time', { datetime: r.recordedAt }, formatInstant(r.recordedAt)),
            ' by ',
            h('span', { class: 'actor' }, r.actor),
            h('span', { class: 'muted' }, ` · revision ${r.revision}`),
          ),
          options.showAssertion && r.assertionId
            ? h(
                'p',
                { class: 'muted' },
                vh('Assertion: '),
                names.assertionLabel(r.assertionId) ?? r.assertionId,
                ' ',
                // The way to a retracted assertion's own history: the views no longer list it.
                actionButton('history', r.assertionId, 'Its history', `of ${names.assertionLabel(r.assertionId) ?? 'this assertion'}`, 'assertion'),
              )
            : null,
          r.reason ? h('p', { class: 'reason' }, h('strong', {}, 'Why: '), r.reason) : null,
          changeTable(r, names),
        ),
      ),
    ),
  );
}

/**
 * Names an assertion by who said it about what ("Sky ECC on messages.per-day"), not by its value,
 * which may have been corrected since the revision being shown.
 * @param {{ sourceName?: string, sourceId: string, fact: string }} a
 */
export const assertionLabel = (a) => `${a.sourceName || a.sourceId} on ${a.fact}`;

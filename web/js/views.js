// Rendering the read views: incident list, timeline, undated facts, disputes. Pure functions from
// JSON to DOM; the buttons carry `data-action` and are handled in one place (main.js).

import { h } from './dom.js';
import { describeEdtf, describeQuantity, formatInstant, STATUS_HELP, STATUS_LABEL } from './format.js';

/**
 * @typedef {import('./api.js').Value} Value
 * @typedef {import('./api.js').Assertion} Assertion
 * @typedef {import('./api.js').Citation} Citation
 * @typedef {import('./api.js').FactStatus} FactStatus
 * @typedef {import('./api.js').Dispute} Dispute
 * @typedef {import('./api.js').IncidentSummary} IncidentSummary
 * @typedef {{ editing: boolean }} RenderOptions
 */

/** Visually hidden text: read by screen readers, not shown. @param {string} text */
export const vh = (text) => h('span', { class: 'vh' }, text);

/**
 * A status as a labelled badge; the colour only repeats what the words say.
 * @param {FactStatus} status
 */
export function badge(status) {
  return h('span', { class: `badge badge-${status}`, 'data-status': status, title: STATUS_HELP[status] }, vh('Status: '), STATUS_LABEL[status]);
}

/**
 * An EDTF string in words, dates wrapped in <time>; the raw EDTF stays available as a tooltip.
 * @param {string} edtf
 */
export function edtfTime(edtf) {
  const d = describeEdtf(edtf);
  return h(
    'span',
    { class: 'edtf', title: `EDTF: ${edtf}`, 'data-edtf': edtf },
    d.parts.map((p) => (typeof p === 'string' ? p : h('time', p.datetime ? { datetime: p.datetime } : {}, p.text))),
  );
}

/**
 * A value, readably. The words the source used are quoted in the citation's language.
 * @param {Value} value
 * @param {string} [lang]
 */
export function valueNode(value, lang) {
  switch (value.type) {
    case 'quantity':
      return h(
        'span',
        { class: 'value value-quantity' },
        h('strong', {}, describeQuantity(value)),
        value.text ? [' ', h('q', { class: 'words', lang: lang || false }, value.text)] : null,
      );
    case 'boolean':
      return h('span', { class: `value value-boolean value-${value.value ? 'yes' : 'no'}` }, h('strong', {}, value.value ? 'Yes' : 'No'));
    case 'text':
      return h('span', { class: 'value value-text' }, h('q', { lang: lang || false }, value.value));
    case 'date':
      return h('span', { class: 'value value-date' }, h('strong', {}, edtfTime(value.value)));
  }
}

/**
 * The host a link goes to, shown beside a title the reporter chose.
 * @param {string} url
 */
export function siteOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The source's words, marked with their language, and where they were published.
 * @param {string | undefined} quote
 * @param {Citation | undefined} citation
 */
export function quoteAndCitation(quote, citation) {
  const lang = citation?.language;
  const title = citation?.title || citation?.url;
  const cite = title
    ? h(
        'p',
        { class: 'citation' },
        vh('Cited from '),
        h('cite', {}, citation?.url ? h('a', { href: citation.url, rel: 'noopener noreferrer external', hreflang: lang || false }, title) : title),
        // The title is the reporter's words: the site the link really goes to is shown beside it.
        citation?.url && citation.title ? [' ', h('span', { class: 'site' }, `(${siteOf(citation.url)})`)] : null,
        citation?.publishedAt ? [', ', edtfTime(citation.publishedAt)] : null,
        lang ? [' ', h('span', { class: 'lang-tag', title: 'Language of the document' }, `[${lang}]`)] : null,
      )
    : null;
  return [quote ? h('blockquote', { lang: lang || false, cite: citation?.url || false }, h('p', {}, quote)) : null, cite];
}

/**
 * A button that main.js acts on. The hidden text makes "History" say which history.
 * @param {string} action
 * @param {string} key
 * @param {string} label
 * @param {string} context
 * @param {string} [kind]
 */
export function actionButton(action, key, label, context, kind) {
  return h(
    'button',
    { type: 'button', class: `action action-${action}`, 'data-action': action, 'data-key': key, 'data-kind': kind || false, 'data-focus': `${action}:${kind ?? ''}:${key}` },
    label,
    vh(` ${context}`),
  );
}

/**
 * One assertion: source, value, quote, citation, and what can be done with it.
 * @param {Assertion} a
 * @param {RenderOptions} options
 * @param {string} [entryTime] the entry's valid time, to say when this assertion's differs
 */
export function assertionItem(a, options, entryTime) {
  const source = a.sourceName || a.sourceId;
  const context = `of ${source}’s assertion on ${a.fact}`;
  return h(
    'li',
    { class: 'assertion', 'data-assertion': a.assertionId },
    h(
      'p',
      { class: 'claim' },
      h('span', { class: 'source' }, source),
      ': ',
      valueNode(a.value, a.citation?.language),
      a.validTime && a.validTime !== entryTime ? [' ', h('span', { class: 'muted' }, '(', edtfTime(a.validTime), ')')] : null,
      a.corrected ? [' ', h('span', { class: 'tag tag-corrected' }, 'corrected')] : null,
    ),
    quoteAndCitation(a.quote, a.citation),
    h(
      'div',
      { class: 'assertion-foot' },
      h('p', { class: 'recorded muted' }, 'Recorded ', h('time', { datetime: a.recordedAt }, formatInstant(a.recordedAt)), ` by ${a.recordedBy}`),
      h(
        'div',
        { class: 'actions' },
        actionButton('history', a.assertionId, 'History', context, 'assertion'),
        options.editing ? [actionButton('correct', a.assertionId, 'Correct', context), actionButton('retract', a.assertionId, 'Retract', context)] : null,
      ),
    ),
  );
}

/**
 * A fact's heading line: key, status badge, and its history button.
 * @param {string} fact
 * @param {FactStatus} status
 * @param {'h3' | 'h4'} level
 */
function factHeading(fact, status, level) {
  return h('div', { class: 'fact-heading' }, h(level, { class: 'fact-key' }, h('code', {}, fact)), badge(status), actionButton('history', fact, 'Fact history', `of ${fact}`, 'fact'));
}

/**
 * @param {import('./api.js').TimelineEntry} entry
 * @param {RenderOptions} options
 */
export function timelineItem(entry, options) {
  return h(
    'li',
    { class: `entry entry-${entry.status}`, 'data-fact': entry.fact, 'data-status': entry.status },
    h('p', { class: 'entry-when' }, edtfTime(entry.validTime)),
    h('div', { class: 'entry-body' }, factHeading(entry.fact, entry.status, 'h3'), h('ul', { class: 'assertions' }, entry.assertions.map((a) => assertionItem(a, options, entry.validTime)))),
  );
}

/**
 * A fact with no date, for the list under the timeline.
 * @param {import('./api.js').Fact} fact
 * @param {RenderOptions} options
 */
export function factItem(fact, options) {
  return h(
    'li',
    { class: `entry entry-${fact.status}`, 'data-fact': fact.fact, 'data-status': fact.status },
    h('div', { class: 'entry-body' }, factHeading(fact.fact, fact.status, 'h3'), h('ul', { class: 'assertions' }, fact.assertions.map((a) => assertionItem(a, options)))),
  );
}

/**
 * A dispute: every position side by side, then the ruling (or the lack of one).
 * @param {Dispute} d
 * @param {RenderOptions} options
 */
export function disputeItem(d, options) {
  const preferred = new Set(d.assessment?.preferred ?? []);
  const names = new Map(d.positions.map((p) => [p.assertionId, p.sourceName]));
  // Fact keys hold no white space, so the key itself keeps ids apart ("users.total" and "users-total").
  const headingId = `dispute-${d.fact}`;
  return h(
    'article',
    { class: 'dispute', 'data-fact': d.fact, 'aria-labelledby': headingId },
    h('div', { class: 'fact-heading' }, h('h3', { class: 'fact-key', id: headingId }, h('code', {}, d.fact)), badge(d.status), actionButton('history', d.fact, 'Fact history', `of ${d.fact}`, 'fact')),
    h(
      'ul',
      { class: 'positions', 'aria-label': `Positions on ${d.fact}` },
      d.positions.map((p) =>
        h(
          'li',
          { class: `position${preferred.has(p.assertionId) ? ' preferred' : ''}`, 'data-assertion': p.assertionId },
          h('h4', { class: 'source' }, p.sourceName),
          h('p', { class: 'claim' }, valueNode(p.value, p.citation?.language)),
          quoteAndCitation(p.quote, p.citation),
          preferred.has(p.assertionId) ? h('p', { class: 'tag tag-preferred' }, 'Preferred by the editor') : null,
          h('div', { class: 'actions' }, actionButton('history', p.assertionId, 'History', `of ${p.sourceName}’s assertion on ${d.fact}`, 'assertion')),
        ),
      ),
    ),
    d.conflicts.length
      ? h('p', { class: 'conflicts muted' }, 'Incompatible: ', d.conflicts.map(([a, b]) => `${names.get(a) ?? a} vs ${names.get(b) ?? b}`).join('; '), '.')
      : null,
    d.assessment
      ? h(
          'aside',
          { class: 'assessment', 'aria-label': `Editor’s assessment of ${d.fact}` },
          h('h4', {}, 'Editor’s assessment'),
          h('p', {}, 'Prefers ', [...preferred].map((id) => names.get(id) ?? id).join(', ') || 'no position', '.'),
          h('p', { class: 'rationale' }, d.assessment.rationale),
          h('p', { class: 'muted' }, `— ${d.assessment.actor}, `, h('time', { datetime: d.assessment.recordedAt }, formatInstant(d.assessment.recordedAt))),
          options.editing ? h('div', { class: 'actions' }, actionButton('assess', d.fact, 'Assess again', `the dispute on ${d.fact}`)) : null,
        )
      : h(
          'div',
          { class: 'assessment assessment-none' },
          h('p', {}, 'No editor has ruled on this dispute yet.'),
          options.editing ? h('div', { class: 'actions' }, actionButton('assess', d.fact, 'Assess', `the dispute on ${d.fact}`)) : null,
        ),
  );
}

/**
 * @param {IncidentSummary} incident
 * @param {{ current: boolean, href: string }} options
 */
export function incidentListItem(incident, options) {
  return h(
    'li',
    { class: options.current ? 'current' : false },
    h('a', { href: options.href, 'aria-current': options.current ? 'page' : false, 'data-incident': incident.id }, incident.title),
    h(
      'p',
      { class: 'muted' },
      `${incident.assertionCount} assertion${incident.assertionCount === 1 ? '' : 's'} · updated `,
      h('time', { datetime: incident.updatedAt }, formatInstant(incident.updatedAt)),
    ),
  );
}

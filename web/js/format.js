// Turning ledger values into words a reader expects: fuzzy EDTF dates ("about Feb 2021",
// "since 20 Jul 2019"), quantities ("about 170,000", "at least 70,000"), instants.
//
// The server parses EDTF with the `edtf` package and orders the timeline by it; the page only
// *displays* dates, and covers the EDTF level 0/1 forms the ledger uses. Anything else (level 2
// sets, per-component qualifiers) is shown as the raw EDTF string rather than guessed at.

/** @typedef {import('./api.js').Value} Value */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SEASONS = /** @type {Record<string, string>} */ ({ 21: 'spring', 22: 'summer', 23: 'autumn', 24: 'winter' });

/**
 * One EDTF date (not an interval) in words, plus an HTML `datetime` value when it is a plain date.
 * @param {string} s
 * @returns {{ text: string, datetime?: string } | undefined}
 */
function edtfDate(s) {
  const m = /^(-?\d{4}|\d{2}XX|\d{3}X)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?([?~%])?$/.exec(s);
  if (!m) {
    const long = /^Y(-?\d{5,})$/.exec(s);
    return long ? { text: `year ${Number(long[1]).toLocaleString('en')}` } : undefined;
  }
  const [, year = '', month, day, qualifier] = m;
  let text;
  let datetime;
  if (year.includes('X')) {
    text = `the ${year.replace(/X/g, '0')}s`;
  } else if (month && SEASONS[month]) {
    text = `${SEASONS[month]} ${year}`;
  } else if (month && month !== 'XX') {
    const name = MONTHS[Number(month) - 1];
    if (!name) return undefined;
    if (day && day !== 'XX') {
      text = `${Number(day)} ${name} ${year}`;
      datetime = `${year}-${month}-${day}`;
    } else {
      text = `${name} ${year}`;
      datetime = `${year}-${month}`;
    }
  } else {
    // ISO 8601 counts a year 0: "0000" is 1 BCE, "-0500" is 501 BCE.
    const n = Number(year);
    text = n <= 0 ? `${1 - n} BCE` : String(n);
    datetime = n > 0 ? year : undefined;
  }
  if (qualifier === '~') text = `about ${text}`;
  else if (qualifier === '?') text = `possibly ${text}`;
  else if (qualifier === '%') text = `possibly about ${text}`;
  return { text, datetime };
}

/**
 * An EDTF date or interval in words. `open` is "..", `unknown` is an empty end.
 * @param {string} edtf
 * @returns {{ text: string, parts: Array<{ text: string, datetime?: string } | string>, exact: boolean }}
 *   `parts` alternate dates and joining words so the caller can wrap dates in <time>; `exact`
 *   is false when the string fell outside what the page knows how to say.
 */
export function describeEdtf(edtf) {
  const raw = { text: edtf, parts: [edtf], exact: false };
  const pieces = edtf.split('/');
  if (pieces.length === 1) {
    const d = edtfDate(edtf);
    return d ? { text: d.text, parts: [d], exact: true } : raw;
  }
  if (pieces.length !== 2) return raw;
  const [from = '', to = ''] = pieces;
  const start = from === '..' || from === '' ? undefined : edtfDate(from);
  const end = to === '..' || to === '' ? undefined : edtfDate(to);
  if ((from !== '..' && from !== '' && !start) || (to !== '..' && to !== '' && !end)) return raw;
  /** @type {Array<{ text: string, datetime?: string } | string>} */
  let parts;
  if (start && end) parts = ['from ', start, ' to ', end];
  else if (start) parts = to === '..' ? ['since ', start] : ['from ', start, ' (end unknown)'];
  else if (end) parts = from === '..' ? ['until ', end] : ['until ', end, ' (start unknown)'];
  else return raw;
  return { text: parts.map((p) => (typeof p === 'string' ? p : p.text)).join(''), parts, exact: true };
}

const grouped = new Intl.NumberFormat('en', { maximumFractionDigits: 6 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', compactDisplay: 'long', maximumFractionDigits: 2 });

/**
 * 170000 → "170,000"; 3000000 → "3 million"; with a unit, "2,000 EUR" or "20%".
 * @param {number} n
 * @param {string} [unit]
 */
export function formatNumber(n, unit) {
  const digits = Math.abs(n) >= 1e6 ? compact.format(n) : grouped.format(n);
  if (!unit) return digits;
  return unit === 'percent' || unit === '%' ? `${digits}%` : `${digits} ${unit}`;
}

/**
 * A quantity's figure in words (not the words the source used; see `value.text`).
 * @param {{ value?: number, min?: number, max?: number, approximate?: boolean, unit?: string }} q
 */
export function describeQuantity(q) {
  const about = q.approximate ? 'about ' : '';
  if (q.value !== undefined) {
    const range =
      q.min !== undefined || q.max !== undefined
        ? ` (${q.min !== undefined ? formatNumber(q.min, q.unit) : '…'} to ${q.max !== undefined ? formatNumber(q.max, q.unit) : '…'})`
        : '';
    return `${about}${formatNumber(q.value, q.unit)}${range}`;
  }
  if (q.min !== undefined && q.max !== undefined) return `${about}between ${formatNumber(q.min, q.unit)} and ${formatNumber(q.max, q.unit)}`;
  if (q.min !== undefined) return `${about}at least ${formatNumber(q.min, q.unit)}`;
  if (q.max !== undefined) return `${about}at most ${formatNumber(q.max, q.unit)}`;
  return 'no figure';
}

/**
 * Text from the ledger set apart for a label built as one string (an option, a check box's label):
 * between the Unicode isolate marks, a right-to-left name or a stray direction override cannot
 * reorder the words and figures around it. Elements get the same from `unicode-bidi: isolate`.
 * @param {string} text
 */
export const isolated = (text) => `\u2068${text}\u2069`;

/**
 * A value as one line of plain text (for option labels and history tables).
 * @param {Value} value
 */
export function valueText(value) {
  switch (value.type) {
    case 'quantity':
      return value.text ? `${describeQuantity(value)} (“${value.text}”)` : describeQuantity(value);
    case 'boolean':
      return value.value ? 'yes' : 'no';
    case 'text':
      return `“${value.value}”`;
    case 'date':
      return describeEdtf(value.value).text;
  }
}

const instantFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});

/**
 * An ISO instant in the reader's time zone: "15 Mar 2021, 16:00 UTC".
 * @param {string} iso
 */
export function formatInstant(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : instantFormat.format(d);
}

/** @param {number} n */
const pad = (n) => String(n).padStart(2, '0');

/**
 * ISO instant → the value a `datetime-local` input shows (local time, to the second).
 * @param {string} iso
 */
export function toLocalInput(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A `datetime-local` value (local time, no offset) → ISO instant; undefined when empty or invalid.
 * @param {string} local
 */
export function fromLocalInput(local) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local)) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** @type {Record<import('./api.js').FactStatus, string>} */
export const STATUS_LABEL = {
  corroborated: 'Corroborated',
  'single-source': 'Single source',
  disputed: 'Disputed',
  assessed: 'Assessed',
};

/** @type {Record<import('./api.js').FactStatus, string>} */
export const STATUS_HELP = {
  corroborated: 'Two or more sources agree',
  'single-source': 'Only one source says so',
  disputed: 'Sources disagree',
  assessed: 'Sources disagree; an editor has ruled',
};

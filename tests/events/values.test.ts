import { describe, expect, it } from 'vitest';
import { EdtfString, parseEdtfInterval } from '../../events/index.js';

describe('EDTF values', () => {
  it('refuses a string over the length limit by its length alone, without parsing it', () => {
    // Parsed, this text would also be "not a valid EDTF date". (A long valid one, such as a set of
    // a thousand dates, costs the parser about a second.)
    const text = `${'2021-03-09,'.repeat(20)}and so on`;
    const issues = EdtfString.safeParse(text).error?.issues ?? [];
    expect(issues.map((i) => i.code)).toEqual(['too_big']);
  });

  it('refuses 29 February of a year that has none, wherever it appears', () => {
    for (const text of ['2021-02-29', '1900-02-29', '-0001-02-29', '2021-02-29?', '2021-02-29/2021-03-05', '[2021-02-28,2021-02-29]']) {
      expect(parseEdtfInterval(text), text).toBeUndefined();
      expect(EdtfString.safeParse(text).success, text).toBe(false);
    }
  });

  it('takes 29 February of a leap year, or of a year not fully known', () => {
    for (const text of ['2020-02-29', '2000-02-29', '-0004-02-29', '20XX-02-29', '2021-02-2X']) {
      expect(parseEdtfInterval(text), text).toBeDefined();
    }
    expect(parseEdtfInterval('2020-02-29')).toEqual({ min: Date.UTC(2020, 1, 29), max: Date.UTC(2020, 2, 1) - 1 });
  });

  it('refuses a year beyond what a date can hold, rather than read it as an open end', () => {
    for (const text of ['Y170000002', 'Y17E7', 'Y-170000002']) expect(parseEdtfInterval(text), text).toBeUndefined();
    // A real open end is still one.
    expect(parseEdtfInterval('../2021')).toEqual({ min: -Infinity, max: Date.UTC(2022, 0, 1) - 1 });
  });
});

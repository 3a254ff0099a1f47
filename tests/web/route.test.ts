import { describe, expect, it } from 'vitest';
import { parseRoute, readAsOf } from '../../web/js/state.js';

describe("the page's reading of asOf in its address", () => {
  it.each([
    ['2021-03-11', '2021-03-11T00:00:00.000Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z'],
    ['2021-03-11T00:00Z', '2021-03-11T00:00:00.000Z'],
    ['2021-03-11T00:00:00.123456+01:00', '2021-03-10T23:00:00.123Z'],
    ['0000-01-01', '0000-01-01T00:00:00.000Z'],
  ])('reads %s as the instant %s', (raw, iso) => {
    expect(readAsOf(raw)).toBe(iso);
  });

  it.each([
    ['1', 'a bare number (new Date reads it as 2001)'],
    ['2021-02-30', 'a day the month does not have (new Date rolls it into March)'],
    ['2021-02-29', '29 February of a year that has none'],
    ['10000-01-01', 'a year past 9999'],
    ['9999-12-31T23:00:00-05:00', 'an offset that carries the instant past 9999'],
    ['2021-03-11T24:00:00Z', 'hour 24'],
    ['2021-03-11T10:00:00', 'a time with no offset (whose clock?)'],
    ['2021-03-11t10:00:00z', 'lower-case T and Z, which the API refuses'],
  ])('refuses %s: %s', (raw) => {
    expect(readAsOf(raw)).toBeNull();
  });

  it('says the address held an asOf it could not read, rather than showing the present', () => {
    expect(parseRoute('?incident=X&asOf=1')).toMatchObject({ asOf: null, asOfError: true });
    expect(parseRoute('?incident=X')).toMatchObject({ asOf: null, asOfError: false });
  });
});

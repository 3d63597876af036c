// FORMAT.md "Times": every accepted form, and what is a bad row.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseTime } from '../../src/time/parse-time.js';
import { Zone } from '../../src/time/zone.js';

const shanghai = new Zone('Asia/Shanghai');
const utc = Date.UTC(2026, 10, 2, 1, 5, 0); // 2026-11-02 09:05:00 in Shanghai (UTC+8)

describe('FORMAT.md Times', () => {
  it.each([
    '2026-11-02 09:05:00',
    '2026/11/02 09:05:00',
    '2026/11/2 9:05:00',
    '2026-11-2 9:05',
    '2026-11-02T09:05:00',
    '2026-11-02 09:05:00.000',
    '2026-11-02T01:05:00Z',
    '2026-11-02T09:05:00+08:00',
    '2026-11-02T09:05:00+0800',
    '2026-11-01T20:05:00-05:00',
    '20261102T010500Z',
    '20261102T090500+0800',
    '20261102T0905',
    String(utc / 1000),
    String(utc),
    ' 2026-11-02 09:05:00 ',
  ])('reads %s as 2026-11-02 09:05 Shanghai time', (text) => {
    expect(parseTime(text, shanghai)).toBe(utc);
  });

  it('reads Excel serial dates (days since 1899-12-30, local time)', () => {
    // 2026-11-02 is serial 46328; 09:05 is 0.378472… of a day.
    expect(parseTime('46328.378472222220', shanghai)).toBe(utc);
    expect(parseTime('46328', shanghai)).toBe(utc - (9 * 60 + 5) * 60_000);
  });

  it('keeps milliseconds of a fraction, truncating finer digits', () => {
    expect(parseTime('2026-11-02 09:05:00.5', shanghai)).toBe(utc + 500);
    expect(parseTime('2026-11-02 09:05:00.123456', shanghai)).toBe(utc + 123);
    expect(parseTime('2026-11-02T01:05:00,25Z', shanghai)).toBe(utc + 250);
  });

  it('reads local times in the zone it is given (--tz)', () => {
    expect(parseTime('2026-11-02 01:05:00', new Zone('UTC'))).toBe(utc);
    // New York is on EST (UTC-5) on 2026-11-02.
    expect(parseTime('2026-11-01 20:05:00', new Zone('America/New_York'))).toBe(utc);
  });

  it.each([
    ['2026-13-02 09:05:00', 'unreadable time'],
    ['2026-02-30 09:05:00', 'no such date'],
    ['2026-11-02 24:00:00', 'unreadable time'],
    ['2026-11-02', 'unreadable time'],
    ['02/11/2026 09:05', 'unreadable time'],
    ['2026-11/02 09:05', 'unreadable time'],
    ['0026-11-02 10:00:00', 'year before 1970'],
    ['1969-12-31 23:59:59', 'year before 1970'],
    ['12345', 'unreadable time'],
    ['yesterday', 'unreadable time'],
    ['', 'empty time'],
  ])('%s is a bad row (%s)', (text, reason) => {
    const result = parseTime(text, shanghai);
    expect(typeof result).toBe('string');
    expect(result).toContain(reason);
  });
});

describe('Zone', () => {
  it('local day and time of day follow the zone, across a DST change', () => {
    const ny = new Zone('America/New_York');
    // 2026-03-08 03:30 EDT (after the spring-forward gap) is 07:30 UTC.
    const t = Date.UTC(2026, 2, 8, 7, 30);
    expect(ny.timeOfDayMs(t)).toBe((3 * 60 + 30) * 60_000);
    expect(ny.dayOf(t)).toBe(Date.UTC(2026, 2, 8) / 86_400_000);
    expect(parseTime('2026-03-08 03:30:00', ny)).toBe(t);
  });
});

describe('FORMAT.md Times: the fast path for "YYYY-MM-DD HH:mm:ss" (issue 8)', () => {
  // A leading space takes the general parser: both must agree on every 19-character text.
  const general = (s: string, zone: Zone) => parseTime(` ${s}`, zone).toString().replace(`" ${s}"`, `"${s}"`);
  it('reads and rejects exactly what the general parser does', () => {
    const ny = new Zone('America/New_York');
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const two = fc.tuple(digit, digit).map((d) => d.join(''));
    const text = fc
      .tuple(fc.constantFrom('1969', '1970', '2000', '2024', '2026', '2100', '9999'), two, two, fc.constantFrom(' ', 'T', '_'), two, two, two, fc.constantFrom('-', '/'))
      .map(([y, mo, d, sep, h, mi, s, dash]) => `${y}${dash}${mo}${dash}${d}${sep}${h}:${mi}:${s}`);
    fc.assert(
      fc.property(text, (s) => {
        for (const zone of [shanghai, ny]) expect(String(parseTime(s, zone))).toBe(general(s, zone));
      }),
      { numRuns: 20_000 },
    );
    for (const s of ['2024-02-29 23:59:59', '2026-02-29 00:00:00', '2026-03-08 02:30:00', '2026-11-01 01:30:00', '1970-01-01 00:00:00']) {
      for (const zone of [shanghai, ny]) expect(String(parseTime(s, zone))).toBe(general(s, zone));
    }
  });
});

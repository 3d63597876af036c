// RULES.md §4 Taojiji (seed 000): online hours, reply rate, 5-minute effective reply rate, and
// their ladders. Numbers worked by hand.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { amountMetric, auditFiles, counts, day } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-tjj-'));
let n = 0;
function file(text: string): string {
  const p = path.join(dir, `${n++}.csv`);
  writeFileSync(p, text);
  return p;
}
const withPresence = (presence: string, chat?: string) =>
  auditFiles(chat === undefined ? [] : [file(chat)], { platform: 'taojiji', presence: [file(presence)] });
const withChat = (chat: string) => auditFiles([file(chat)], { platform: 'taojiji' });

const pad = (x: number) => String(x).padStart(2, '0');
/** Presence rows putting agent `a` online from `from` to `to` (hours) on each day. */
function onlineDays(dates: string[], from: number, to: number): string {
  return dates.flatMap((d) => [`${d} ${pad(from)}:00:00,a,online`, `${d} ${pad(to)}:00:00,a,offline`]).join('\n');
}
function datesOf(month: string, first: number, last: number): string[] {
  const out = [];
  for (let d = first; d <= last; d++) out.push(`${month}-${pad(d)}`);
  return out;
}

describe('RULES.md §4 online_hours: the union of accounts over the whole day, ≥ 12 h', () => {
  it('two accounts overlapping count once; away is not online; 12 h passes, 11 h 59 m fails with a warning', async () => {
    // 11-02: a 08:00-21:00, b 20:00-22:00 → union 08:00-22:00 = 14 h.
    // 11-03: a 08:00-14:00 online, away 14:00-15:00, online 15:00-20:59 → 6 h + 5 h 59 m = 11 h 59 m.
    // 11-04: a 09:00-21:00 = 12 h.
    const r = await withPresence(
      [
        'time,agent,status',
        '2026-11-02 08:00:00,a,online',
        '2026-11-02 20:00:00,b,online',
        '2026-11-02 21:00:00,a,offline',
        '2026-11-02 22:00:00,b,offline',
        '2026-11-03 08:00:00,a,online',
        '2026-11-03 14:00:00,a,away',
        '2026-11-03 15:00:00,a,online',
        '2026-11-03 20:59:00,a,offline',
        '2026-11-04 09:00:00,a,online',
        '2026-11-04 21:00:00,a,offline',
      ].join('\n'),
    );
    const m = amountMetric(r, 'online_hours');
    expect(m.days.map((d) => [d.date, d.value, d.status])).toEqual([
      ['2026-11-02', 14, 'pass'],
      ['2026-11-03', 11.9833, 'fail'],
      ['2026-11-04', 12, 'pass'],
    ]);
    expect(r.penalties).toMatchObject([{ date: '2026-11-03', metric: 'online_hours', kind: 'warning' }]);
    // The period fails: a day of it failed (the total's status follows the days' assessments).
    expect(m.total).toEqual({ value: 12.6611, status: 'fail' });
  });

  it('an account online across midnight counts on both days; one still online at the end stays online to the end of the last day', async () => {
    // 11-02 20:00 online → 11-03 10:00 offline: 4 h on 11-02, 10 h on 11-03. 11-04 12:00 online, no
    // further row: 12 h on 11-04 (to 24:00 of the last day).
    const r = await withPresence(
      'time,agent,status\n2026-11-02 20:00:00,a,online\n2026-11-03 10:00:00,a,offline\n2026-11-04 12:00:00,a,online\n',
    );
    expect(amountMetric(r, 'online_hours').days.map((d) => d.value)).toEqual([4, 10, 12]);
  });

  it('the third day under 12 h in a month costs 1000 CNY once; further days only warnings', async () => {
    const dates = datesOf('2026-11', 1, 5);
    const r = await withPresence(`time,agent,status\n${onlineDays(dates, 9, 19)}`);
    expect(r.penalties.filter((p) => p.kind === 'fine')).toMatchObject([{ date: '2026-11-03', amount_cny: 1000 }]);
    expect(r.penalties.filter((p) => p.kind === 'warning')).toHaveLength(5);
  });

  it('3 consecutive days with no online time: 2000 CNY and withdrawals banned 7 days; 6 such days are two occurrences', async () => {
    // Online 11-01 and 11-08 only: 11-02 … 11-07 are six zero days → fines on 11-04 and 11-07.
    const r = await withPresence(`time,agent,status\n${onlineDays(['2026-11-01', '2026-11-08'], 8, 22)}`);
    const zero = r.penalties.filter((p) => p.reason.includes('no online time'));
    expect(zero.map((p) => [p.date, p.kind, p.amount_cny, p.days ?? null])).toEqual([
      ['2026-11-04', 'fine', 2000, null],
      ['2026-11-04', 'restriction', 0, 7],
      ['2026-11-07', 'fine', 2000, null],
      ['2026-11-07', 'restriction', 0, 7],
    ]);
  });

  it('two consecutive months averaging under 12 h a day: 2000 CNY on the last day of the second month', async () => {
    // October: 11 h every day; November 1-30: 11 h every day → both months fail.
    const dates = [...datesOf('2026-10', 1, 31), ...datesOf('2026-11', 1, 30)];
    const r = await withPresence(`time,agent,status\n${onlineDays(dates, 9, 20)}`);
    const months = r.penalties.filter((p) => p.reason.includes('consecutive months'));
    expect(months).toMatchObject([{ date: '2026-11-30', kind: 'fine', amount_cny: 2000 }]);
  });
});

describe('RULES.md §4 reply_rate: a valid reply after the first message of the day, that day; ≥ 85 %', () => {
  it('a reply on the next day or before the question does not count', async () => {
    // b1 replied the same day → replied. b2 asks 23:50, answered 00:10 → not replied on 11-02.
    // b3: the shop wrote at 09:00, the buyer asked at 10:00, nothing after → not replied.
    const r = await withChat(
      [
        'time,buyer,sender,agent',
        '2026-11-02 10:00:00,b1,buyer,',
        '2026-11-02 10:30:00,b1,agent,s:a',
        '2026-11-02 23:50:00,b2,buyer,',
        '2026-11-03 00:10:00,b2,agent,s:a',
        '2026-11-02 09:00:00,b3,agent,s:a',
        '2026-11-02 10:00:00,b3,buyer,',
      ].join('\n'),
    );
    expect(counts(r, 'reply_rate', '2026-11-02')).toEqual({ eligible: 3, passed: 1, pending: 0 });
    expect(day(r, 'reply_rate', '2026-11-02').status).toBe('fail');
    expect(r.penalties.filter((p) => p.metric === 'reply_rate').map((p) => p.kind)).toEqual(['warning']);
  });
});

describe('RULES.md §4 reply_rate ladders', () => {
  /** One buyer a day on each date, unanswered on `failing` dates (rate 0 %), answered otherwise. */
  function chat(dates: string[], failing: Set<string>): string {
    const rows = ['time,buyer,sender,agent'];
    dates.forEach((d, i) => {
      rows.push(`${d} 10:00:00,b${i},buyer,`);
      if (!failing.has(d)) rows.push(`${d} 10:01:00,b${i},agent,s:a`);
    });
    return rows.join('\n');
  }

  it('the third day under 85 % in a month costs 1000 CNY once, on that day', async () => {
    const dates = datesOf('2026-11', 1, 6);
    // The data runs to 11-07 so that 11-06's unanswered buyer is decided, not pending.
    const log = `${chat(dates, new Set(['2026-11-02', '2026-11-04', '2026-11-05', '2026-11-06']))}\n2026-11-07 09:00:00,zz,agent,s:a`;
    const r = await withChat(log);
    const reply = r.penalties.filter((p) => p.metric === 'reply_rate');
    expect(reply.filter((p) => p.kind === 'warning').map((p) => p.date)).toEqual(['2026-11-02', '2026-11-04', '2026-11-05', '2026-11-06']);
    expect(reply.filter((p) => p.kind === 'fine').map((p) => [p.date, p.amount_cny])).toEqual([['2026-11-05', 1000]]);
  });

  it('two consecutive months with a monthly rate under 85 % cost 2000 CNY on the last day of the second', async () => {
    // October: 31 days, 5 failing → 26/31 = 83.87 %; November 1-10: 2 failing → 8/10 = 80 %.
    const oct = datesOf('2026-10', 1, 31);
    const nov = datesOf('2026-11', 1, 10);
    const failing = new Set(['2026-10-03', '2026-10-09', '2026-10-15', '2026-10-21', '2026-10-27', '2026-11-02', '2026-11-07']);
    const r = await withChat(chat([...oct, ...nov], failing));
    const months = r.penalties.filter((p) => p.metric === 'reply_rate' && p.reason.includes('consecutive months'));
    expect(months.map((p) => [p.date, p.amount_cny])).toEqual([['2026-11-10', 2000]]);
    expect(months[0]!.reason).toContain('2026-10 26/31 = 83.87%; 2026-11 8/10 = 80.00%');
  });
});

describe('RULES.md §4 effective_reply_5min: monthly tiers by consultation volume', () => {
  /** `buyers` buyers on 11-02, one round each, the first `passed` answered in 300 s, the others in 301 s. */
  function month(buyers: number, passed: number): string {
    const rows = ['time,buyer,sender,agent'];
    for (let i = 0; i < buyers; i++) {
      const t = Date.UTC(2026, 10, 2, 1, 0, 0) + i * 60_000; // from 09:00 Shanghai, a minute apart
      const at = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${at(t)},b${i},buyer,`);
      rows.push(`${at(t + (i < passed ? 300_000 : 301_000))},b${i},agent,s:a`);
    }
    return rows.join('\n');
  }
  const fines = async (buyers: number, passed: number) =>
    (await withChat(month(buyers, passed))).penalties.filter((p) => p.metric === 'effective_reply_5min').map((p) => p.amount_cny);

  it('300 < n ≤ 600 and rate < 85 % → 500 CNY; at exactly 85 % no fine', async () => {
    expect(await fines(400, 339)).toEqual([500]); // 84.75 %
    expect(await fines(400, 340)).toEqual([]); // 85 %
    expect(await fines(300, 0)).toEqual([]); // n = 300 is not above 300
  });

  it('n > 600: 70 % < rate ≤ 85 % → 1000 CNY (also at exactly 85 %); rate ≤ 70 % → 2000 CNY (the harsher tier at exactly 70 %)', async () => {
    expect(await fines(620, 527)).toEqual([1000]); // exactly 85 %
    expect(await fines(620, 435)).toEqual([1000]); // 70.16 %
    expect(await fines(620, 434)).toEqual([2000]); // exactly 70 %
    expect(await fines(620, 620)).toEqual([]); // 100 %
  });

  it('the fine is dated on the last day of the month the input covers, and says so', async () => {
    const r = await withChat(month(400, 0));
    const fine = r.penalties.find((p) => p.metric === 'effective_reply_5min')!;
    expect(fine.date).toBe('2026-11-02');
    expect(fine.reason).toContain('2026-11 (month to date: the input ends 2026-11-02): volume n = 400 (reply_rate), rate 0/400');
  });
});

describe('online time is never guessed: days no presence log covers are unknown, not zero', () => {
  it('without a presence log, online_hours is not assessed and costs nothing', async () => {
    const r = await withChat('time,buyer,sender,agent\n2026-11-01 10:00:00,b1,buyer,\n2026-11-01 10:01:00,b1,agent,s:a\n2026-11-04 10:00:00,b2,buyer,\n2026-11-04 10:01:00,b2,agent,s:a\n');
    const m = amountMetric(r, 'online_hours');
    expect(m.days.map((d) => [d.value, d.status])).toEqual([
      [null, 'n/a'],
      [null, 'n/a'],
      [null, 'n/a'],
      [null, 'n/a'],
    ]);
    expect(m.total).toEqual({ value: null, status: 'n/a' });
    expect(r.penalties.filter((p) => p.metric === 'online_hours')).toEqual([]);
  });

  it('days before the presence log starts and after the data ends (--to) are unknown', async () => {
    // Chat from 11-01; presence from 11-03 (13 h a day to 11-05); the data ends 11-05; --to 11-09.
    const chat = 'time,buyer,sender,agent\n2026-11-01 10:00:00,b1,buyer,\n2026-11-01 10:00:30,b1,agent,s:a\n';
    const presence = `time,agent,status\n${onlineDays(datesOf('2026-11', 3, 5), 8, 21)}`;
    const r = await auditFiles([file(chat)], { platform: 'taojiji', presence: [file(presence)], to: '2026-11-09' });
    const m = amountMetric(r, 'online_hours');
    expect(m.days.map((d) => d.value)).toEqual([null, null, 13, 13, 13, null, null, null, null]);
    expect(m.days.filter((d) => d.status === 'fail')).toEqual([]);
    expect(r.penalties.filter((p) => p.metric === 'online_hours')).toEqual([]);
  });
});

// RULES.md §5 Xiaohongshu (seed 002): 3-minute reply rate by session over T-7..T-1, penalty
// cycles, monthly dissatisfaction. Numbers worked by hand.
import { describe, expect, it } from 'vitest';
import { auditCsv, counts, day, metric } from '../helpers/audit.js';

const M = 'response_3min';
const D = 'dissatisfaction';
const xhs = { platform: 'xiaohongshu' };

let buyer = 0;
/** One session on `date` at 10:00, answered after `delay` seconds. */
function session(date: string, delay: number): string {
  const b = `u${buyer++}`;
  const s = String(delay % 60).padStart(2, '0');
  const m = String(Math.floor(delay / 60)).padStart(2, '0');
  return `${date} 10:00:00,${b},buyer,\n${date} 10:${m}:${s},${b},agent,s:a`;
}
function days(from: number, to: number, month: string, delay: number): string[] {
  const out = [];
  for (let d = from; d <= to; d++) out.push(session(`${month}-${String(d).padStart(2, '0')}`, delay));
  return out;
}

describe('RULES.md §5 response_3min by session, 09:00-23:00 by the session start', () => {
  it('sessions opened 08:59:59 or 23:00:00 do not count; 180 s passes, 181 s fails; automatic replies are no replies', async () => {
    // s1 08:59:59 (outside). s2 09:00:00 → 180 s passed. s3 12:00 → bot at 12:00:05, human at
    // 12:03:01 → 181 s failed. s4 23:00:00 (outside).
    const r = await auditCsv(
      `
      time,buyer,sender,agent
      2026-11-02 08:59:59,s1,buyer,
      2026-11-02 09:00:00,s2,buyer,
      2026-11-02 09:03:00,s2,agent,s:a
      2026-11-02 09:05:00,s1,agent,s:a
      2026-11-02 12:00:00,s3,buyer,
      2026-11-02 12:00:05,s3,bot,s:bot
      2026-11-02 12:03:01,s3,agent,s:a
      2026-11-02 23:00:00,s4,buyer,
      2026-11-02 23:01:00,s4,agent,s:a
    `,
      xhs,
    );
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ outside_window: 2 });
  });

  it('a new session opens after 30 idle minutes; a session’s first reply may come after the next one opened', async () => {
    // 10:00 question (session 1); 10:10 question joins it; reply 10:12 → 720 s from 10:00 → failed.
    // 11:00 question (idle 48 min: session 2), reply 11:02 → passed.
    const r = await auditCsv(
      `
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:10:00,b1,buyer,
      2026-11-02 10:12:00,b1,agent,s:a
      2026-11-02 11:00:00,b1,buyer,
      2026-11-02 11:02:00,b1,agent,s:a
    `,
      xhs,
    );
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
  });
});

describe('RULES.md §1 Session first response across a date change', () => {
  it('a session waits for the first valid reply after it, across midnight, and fails when it comes too late', async () => {
    // 22:59:50 is inside the window; the buyer writes again at 23:00:05 (same session) and at
    // 00:00:05 (new date: a new session); the reply at 00:00:20 is the first reply after both.
    // Session 1: 22:59:50 → no reply until 00:00:20 (3630 s) → failed. Here the 180 s limit passes
    // long before the next session opens, so the session is decided without waiting.
    const r = await auditCsv(
      `
      time,buyer,sender,agent
      2026-11-02 22:58:00,b1,buyer,
      2026-11-02 22:59:50,b2,buyer,
      2026-11-02 23:01:00,b2,agent,s:a
      2026-11-03 00:00:05,b1,buyer,
      2026-11-03 00:00:20,b1,agent,s:a
    `,
      xhs,
    );
    // b1 22:58 → first reply 00:00:20 → failed; b2 22:59:50 → 70 s → passed.
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
  });
});

describe('RULES.md §5 assessed daily on T-7..T-1, with penalty cycles', () => {
  it('fail → 3-day restriction, no assessment while it runs, the next cycle needs 7 days, one penalty a month', async () => {
    // 11-01..11-07 pass (1 session a day, 60 s); 11-08..11-20 fail (300 s).
    // 11-08: window 11-01..11-07 = 7/7 → pass. 11-09: 11-02..11-08 = 6/7 = 85.71 % → pass.
    // 11-10: 11-03..11-09 = 5/7 = 71.43 % → fail → restriction 11-10..11-12; next cycle 11-13.
    // 11-11..11-19: not assessed (penalty, then no full window in the new cycle).
    // 11-20: 11-13..11-19 = 0/7 → fail, but November is already penalized → no penalty.
    const r = await auditCsv(`time,buyer,sender,agent\n${[...days(1, 7, '2026-11', 60), ...days(8, 20, '2026-11', 300)].join('\n')}`, xhs);
    const statuses = metric(r, M).days.map((d) => `${d.date.slice(8)}:${d.status}`);
    expect(statuses).toEqual([
      '01:n/a', '02:n/a', '03:n/a', '04:n/a', '05:n/a', '06:n/a', '07:n/a',
      '08:pass', '09:pass', '10:fail',
      '11:n/a', '12:n/a', '13:n/a', '14:n/a', '15:n/a', '16:n/a', '17:n/a', '18:n/a', '19:n/a',
      '20:fail',
    ]);
    expect(day(r, M, '2026-11-10').window).toMatchObject({ from: '2026-11-03', to: '2026-11-09', eligible: 7, passed: 5 });
    expect(day(r, M, '2026-11-11').note).toBe('not assessed: a penalty is running');
    expect(day(r, M, '2026-11-20').note).toContain('already penalized');
    expect(r.penalties).toMatchObject([{ date: '2026-11-10', metric: M, kind: 'restriction', days: 3 }]);
  });

  it('a penalty running into the next month counts for the month it started; the next month can be penalized again', async () => {
    // 10-22..10-28 pass; 10-29 on fail. 10-29: window 10-22..10-28 = 7/7 pass.
    // 10-30: 10-23..10-29 = 6/7 pass. 10-31: 10-24..10-30 = 5/7 fail → restriction 10-31..11-02,
    // counted for October; next cycle 11-03; 11-10: window 11-03..11-09 = 0/7 → fail → a new
    // penalty (November not yet penalized).
    const rows = [...days(22, 28, '2026-10', 60), ...days(29, 31, '2026-10', 300), ...days(1, 10, '2026-11', 300)];
    const r = await auditCsv(`time,buyer,sender,agent\n${rows.join('\n')}`, xhs);
    expect(r.penalties.map((p) => p.date)).toEqual(['2026-10-31', '2026-11-10']);
    expect(day(r, M, '2026-11-02').status).toBe('n/a');
  });
});

describe('RULES.md §5 dissatisfaction: per calendar month, target ≤ 10 % (assumed), no penalty', () => {
  it('is judged on the month to date; the rate is the share not dissatisfied', async () => {
    // 11-01: 9 不满意-free of 10 (1 不满意) → 9/10 = 90 % → pass. 11-02: 1 很不满意 →
    // month 9/11 = 81.82 % → fail. No penalty for this metric.
    const rows = ['time,buyer,sender,agent,type,content,card'];
    for (let i = 0; i < 10; i++) rows.push(`2026-11-01 10:00:00,e${i},buyer,s:a,evaluation,${i === 0 ? '不满意' : i % 2 ? '一般' : '满意'},c${i}`);
    rows.push('2026-11-02 10:00:00,e10,buyer,s:a,evaluation,很不满意,c10');
    const r = await auditCsv(rows.join('\n'), xhs);
    expect(day(r, D, '2026-11-01')).toMatchObject({ eligible: 10, passed: 9, status: 'pass' });
    expect(day(r, D, '2026-11-02').window).toMatchObject({ from: '2026-11-01', eligible: 11, passed: 9, rate: 0.8182 });
    expect(day(r, D, '2026-11-02').status).toBe('fail');
    expect(r.penalties).toEqual([]);
    expect(metric(r, D).target).toEqual({ op: '>=', value: 0.9, assumed: true });
  });
});

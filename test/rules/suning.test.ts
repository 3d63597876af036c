// RULES.md §6 Suning (seed 003, in force 2022-06-21; public rule of 2023-12-21). Hand-worked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { amountMetric, auditFiles, counts, day, metric } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-sn-'));
let n = 0;
function file(text: string): string {
  const p = path.join(dir, `${n++}.csv`);
  writeFileSync(p, text);
  return p;
}
const run = (chat: string | null, presence: string | null) =>
  auditFiles(chat === null ? [] : [file(chat)], { platform: 'suning', presence: presence === null ? [] : [file(presence)] });
const pad = (x: number) => String(x).padStart(2, '0');
function dates(from: string, count: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
/** Agent a online `from`-`to` (hours) on each date. */
function online(ds: string[], from: number, to: number): string {
  return ['time,agent,status', ...ds.flatMap((d) => [`${d} ${pad(from)}:00:00,a,online`, `${d} ${pad(to)}:00:00,a,offline`])].join('\n');
}

describe('RULES.md §6 online_hours: 09:00-24:00, calendar-month average ≥ 9 h, no penalty since 2022-06-21', () => {
  it('only 09:00-24:00 counts; the month to date is judged each day', async () => {
    // 11-01: 08:00-19:00 → 10 h inside the window. 11-02: 23:00-01:00 → 1 h on 11-02, 0 on 11-03
    // (00:00-01:00 is outside) … plus 09:00-16:00 = 7 h → 8 h. Month to date 11-02: 18/2 = 9 → pass.
    // 11-03: 8 h → 26/3 = 8.6667 → fail, without penalty.
    const presence = [
      'time,agent,status',
      '2026-11-01 08:00:00,a,online',
      '2026-11-01 19:00:00,a,offline',
      '2026-11-02 09:00:00,a,online',
      '2026-11-02 16:00:00,a,offline',
      '2026-11-02 23:00:00,a,online',
      '2026-11-03 01:00:00,a,offline',
      '2026-11-03 09:00:00,a,online',
      '2026-11-03 17:00:00,a,offline',
    ].join('\n');
    const r = await run(null, presence);
    const m = amountMetric(r, 'online_hours');
    expect(m.days.map((d) => [d.value, d.window?.value, d.status])).toEqual([
      [10, 10, 'pass'],
      [8, 9, 'pass'],
      [8, 8.6667, 'fail'],
    ]);
    expect(r.penalties).toEqual([]);
  });
});

describe('RULES.md §6 first_response_45s: sessions opened 09:00-24:00, ≥ 90 % over the month', () => {
  it('45 s passes, 46 s fails; 23:59 is inside the window, 08:59 is not', async () => {
    const r = await run(
      [
        'time,buyer,sender,agent',
        '2026-11-02 09:00:00,b1,buyer,',
        '2026-11-02 09:00:45,b1,agent,s:a',
        '2026-11-02 10:00:00,b2,buyer,',
        '2026-11-02 10:00:46,b2,agent,s:a',
        '2026-11-02 23:59:00,b3,buyer,',
        '2026-11-02 23:59:30,b3,agent,s:a',
        '2026-11-02 08:59:00,b4,buyer,',
        '2026-11-02 08:59:10,b4,agent,s:a',
      ].join('\n'),
      null,
    );
    expect(counts(r, 'first_response_45s', '2026-11-02')).toEqual({ eligible: 3, passed: 2, pending: 0 });
    expect(day(r, 'first_response_45s', '2026-11-02').status).toBe('fail');
  });
});

describe('RULES.md §6 robot take-over: buyers wrote on D and each of the 3 days before had under 8 h online', () => {
  it('one restriction on the first day of each run; days before the input are never low', async () => {
    // Online (whole day) 7 h on 11-01..11-05, 10 h on 11-06, 7 h on 11-07..11-09 and 0 on 11-10.
    // Buyers write every day. 11-02, 11-03: fewer than 3 days before them in the input → no.
    // 11-04: 11-01..11-03 low → take-over (new run). 11-05, 11-06: still low before → same run.
    // 11-07: 11-04..11-06 includes 10 h → condition ends. 11-08, 11-09: windows include 11-06 → no.
    // 11-10: 11-07..11-09 low → a new run → second restriction.
    const ds = dates('2026-11-01', 10);
    const presenceRows = ['time,agent,status'];
    ds.forEach((d, i) => {
      const hours = i === 5 ? 10 : i === 9 ? 0 : 7;
      if (hours > 0) presenceRows.push(`${d} 08:00:00,a,online`, `${d} ${pad(8 + hours)}:00:00,a,offline`);
    });
    const chat = ['time,buyer,sender,agent', ...ds.map((d, i) => `${d} 20:00:00,b${i},buyer,`)].join('\n');
    const r = await run(chat, presenceRows.join('\n'));
    const takeovers = r.penalties.filter((p) => p.metric === 'online_hours');
    expect(takeovers.map((p) => [p.date, p.kind])).toEqual([
      ['2026-11-04', 'restriction'],
      ['2026-11-10', 'restriction'],
    ]);
    expect(takeovers[0]!.reason).toContain('2026-11-01 7 h, 2026-11-02 7 h, 2026-11-03 7 h');
  });

  it('the robot stays on while the days before stay low, also on a day no buyer writes', async () => {
    // 7 h online 11-01 … 11-08; buyers write on 11-04 and 11-06 only: one take-over, on 11-04.
    const ds = dates('2026-11-01', 8);
    const chat = ['time,buyer,sender,agent', '2026-11-04 20:00:00,b1,buyer,', '2026-11-06 20:00:00,b2,buyer,'].join('\n');
    const r = await run(chat, online(ds, 8, 15));
    expect(r.penalties.filter((p) => p.metric === 'online_hours').map((p) => p.date)).toEqual(['2026-11-04']);
  });

  it('without a presence log there is no take-over and online time is not assessed', async () => {
    const r = await run(['time,buyer,sender,agent', ...dates('2026-11-01', 5).map((d, i) => `${d} 20:00:00,b${i},buyer,`)].join('\n'), null);
    expect(r.penalties).toEqual([]);
    expect(amountMetric(r, 'online_hours').total).toEqual({ value: null, status: 'n/a' });
  });

  it('exactly 8 h is not under 8 h; no buyer message on D, no take-over', async () => {
    const ds = dates('2026-11-01', 5);
    const r1 = await run(
      ['time,buyer,sender,agent', `${ds[3]} 20:00:00,b1,buyer,`].join('\n'),
      online(ds.slice(0, 3), 8, 16),
    );
    expect(r1.penalties.filter((p) => p.metric === 'online_hours')).toEqual([]);
    const r2 = await run(['time,buyer,sender,agent', `${ds[4]} 20:00:00,b1,buyer,`].join('\n'), online(ds.slice(0, 3), 8, 15));
    // 11-04: 11-01..11-03 at 7 h, but nobody wrote on 11-04 → no. 11-05: 11-02..11-04 (11-04 has 0 h) → yes.
    expect(r2.penalties.filter((p) => p.metric === 'online_hours').map((p) => p.date)).toEqual(['2026-11-05']);
  });
});

describe('RULES.md §6 version 2023-12-21: manual 3-minute rate and failing months together', () => {
  it('response_3min is in force from 2023-12-21; each day is judged by its version and the report names both', async () => {
    const chat = [
      'time,buyer,sender,agent',
      '2023-12-20 10:00:00,b1,buyer,',
      '2023-12-20 10:01:00,b1,agent,s:a',
      '2023-12-21 10:00:00,b2,buyer,',
      '2023-12-21 10:05:00,b2,agent,s:a',
    ].join('\n');
    const r = await run(chat, null);
    expect(day(r, 'response_3min', '2023-12-20')).toMatchObject({ status: 'n/a', window: null, version: '2022-06-21' });
    expect(day(r, 'response_3min', '2023-12-20').excluded).toEqual({ not_in_force: 1 });
    expect(counts(r, 'response_3min', '2023-12-21')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(r.rules.versions).toEqual([
      { version: '2022-06-21', effective: '2022-06-21', days: 1 },
      { version: '2023-12-21', effective: '2023-12-21', days: 1 },
    ]);
    expect(metric(r, 'first_response_45s').days.map((d) => d.version)).toEqual(['2022-06-21', '2023-12-21']);
  });

  it('2 consecutive failing months → warning, 3 → restriction, on the last day of each month the input covers', async () => {
    // Online 8 h a day (09:00-17:00) every day from 2023-12-21 to 2024-02-10: every month averages
    // under 9 h → December, January and February fail (replies in 60 s, so the 3-minute rate passes).
    const ds = dates('2023-12-21', 52);
    const chat = ['time,buyer,sender,agent', ...ds.flatMap((d, i) => [`${d} 10:00:00,b${i},buyer,`, `${d} 10:01:00,b${i},agent,s:a`])].join('\n');
    const r = await run(chat, online(ds, 9, 17));
    const together = r.penalties.filter((p) => p.metric === 'response_3min');
    expect(together.map((p) => [p.date, p.kind])).toEqual([
      ['2024-01-31', 'warning'],
      ['2024-02-10', 'restriction'],
    ]);
    expect(together[0]!.reason).toContain('2023-12: online time 8 h a day on average over 11 days');
  });

  it('new shops: with exempt_first_months 3 in a user pack, the first three months of the input are not assessed', async () => {
    const { builtInPack } = await import('../helpers/audit.js');
    const pack = builtInPack('suning');
    const rule = pack.versions[1]!.metrics[0]!.penalties[0]!;
    if (rule.when !== 'failing_months_together') throw new Error('pack layout changed');
    rule.exempt_first_months = 3;
    const ds = dates('2023-12-21', 100); // to 2024-03-29: Dec, Jan, Feb exempt; March is the first assessed
    const r = await auditFiles([], { platform: null, rulesPack: pack, presence: [file(online(ds, 9, 17))] });
    expect(r.penalties.filter((p) => p.metric === 'response_3min')).toEqual([]);
  });

  it('a month that meets both targets breaks the run', async () => {
    // December online 8 h (fails), January 10 h (passes), February 8 h (fails): no two in a row.
    const dec = dates('2023-12-21', 11);
    const jan = dates('2024-01-01', 31);
    const feb = dates('2024-02-01', 5);
    const presence = [online(dec, 9, 17), online(jan, 9, 19).split('\n').slice(1).join('\n'), online(feb, 9, 17).split('\n').slice(1).join('\n')].join('\n');
    const r = await run(null, presence);
    expect(r.penalties.filter((p) => p.metric === 'response_3min')).toEqual([]);
  });
});

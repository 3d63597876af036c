// Issue 5 §2: projections, worked by hand on month-to-date and rolling cases.
import { describe, expect, it } from 'vitest';
import { auditCsv, metric } from '../helpers/audit.js';

/** `perDay` sessions a day from `first` to `last` (November), `passed` answered in 20 s, the rest in 60 s. */
function sessions(first: number, last: number, perDay: number, passed: number): string {
  const rows = ['time,buyer,sender,agent'];
  for (let d = first; d <= last; d++) {
    for (let i = 0; i < perDay; i++) {
      const date = `2026-11-${String(d).padStart(2, '0')}`;
      const min = String(i).padStart(2, '0');
      rows.push(`${date} 10:${min}:00,d${d}b${i},buyer,`, `${date} 10:${min}:${i < passed ? '20' : '59'},d${d}b${i},agent,s:a`);
    }
  }
  return rows.join('\n');
}

describe('projections', () => {
  it('monthly target still reachable: how many of the rest of the month must pass, at today\'s volume', async () => {
    // Suning 45-second rate (≥ 90 %, month): 11-01..11-10, 10 sessions a day, 8 within 45 s →
    // 80/100. 20 days left × 10 = 200 sessions; 0.9 × 300 − 80 = 190 must pass.
    const r = await auditCsv(sessions(1, 10, 10, 8), { platform: 'suning' });
    const p = metric(r, 'first_response_45s').projection!;
    expect(p).toMatchObject({ as_of: '2026-11-10', achievable: true });
    expect(p.statements[0]).toBe('To end the month at 90%: 190 of the next 200 sessions (20 days at 10 a day) must pass (95%).');
  });

  it('says plainly when the monthly target can no longer be met', async () => {
    // 11-01..11-25 at 5/10 → 125/250; 5 days × 10 = 50 left; 0.9 × 300 − 125 = 145 > 50.
    const r = await auditCsv(sessions(1, 25, 10, 5), { platform: 'suning' });
    const p = metric(r, 'first_response_45s').projection!;
    expect(p.achievable).toBe(false);
    expect(p.statements[0]).toContain('The target can no longer be met this month: even with all of the next 50 sessions');
  });

  it('rolling window: how many on-time items in a row reach the target', async () => {
    // Tmall: 11-02 with 10 rounds, 6 on time → 6/10; (0.8 × 10 − 6) / 0.2 = 10 more on-time rounds.
    const rows = ['time,buyer,sender,agent'];
    for (let i = 0; i < 10; i++) {
      const mm = i * 5;
      const at = (m: number, ss: string) => `2026-11-02 10:${String(m).padStart(2, '0')}:${ss}`;
      // The first 6 answered in 30 s; the other 4 five minutes later.
      rows.push(`${at(mm, '00')},b${i},buyer,`, `${i < 6 ? at(mm, '30') : at(mm + 4, '00')},b${i},agent,s:a`);
    }
    const late = rows;
    const r = await auditCsv(late.join('\n'));
    const m = metric(r, 'response_3min');
    expect(m.days[0]).toMatchObject({ eligible: 10, passed: 6 });
    // The 30-day window keeps 11-02; with 11-03 at 10 rounds all on time: 16/20 = 80 %.
    expect(m.projection!.statements[0]).toBe('To reach 80% over the window: all of the next 10 rounds on time (1 day at 10 a day); the window of 2026-11-03 would then be 16/20 = 80%.');
  });

  it('a full 7-day window moves: its oldest days drop out (Xiaohongshu T-7..T-1)', async () => {
    // 11-01..11-07: 20 sessions a day, 8 within 180 s (40 %); 11-08: 20, all in time. As of 11-08
    // the window 11-01..11-07 holds 56/140. With 20 on-time sessions a day from 11-09 the window of
    // day D+k keeps the known days still inside it: 11-14's window (11-07..11-13) = 8 + 20 (11-08)
    // + 5 × 20 = 128/140 = 91.43 % — but 11-13's (11-06..11-12) = 8 + 8 + 20 + 80 = 116/140 =
    // 82.86 % already reaches 80 %; 11-12's (11-05..11-11) = 8+8+8+20+60 = 104/140 = 74.29 %.
    // So: all of the next 80 sessions (11-09..11-12) on time; the window of 11-13 would be 116/140.
    const rows = ['time,buyer,sender,agent'];
    for (let d = 1; d <= 8; d++) {
      for (let i = 0; i < 20; i++) {
        const date = `2026-11-0${d}`;
        const mm = String(i * 2).padStart(2, '0');
        const fast = d === 8 || i < 8;
        rows.push(`${date} 10:${mm}:00,d${d}b${i},buyer,`, `${date} 10:${mm}:${fast ? '30' : '00'},d${d}b${i},agent,s:a`.replace(`10:${mm}:00,d${d}b${i},agent`, `10:${String(i * 2 + 4).padStart(2, '0')}:00,d${d}b${i},agent`));
      }
    }
    const r = await auditCsv(rows.join('\n'), { platform: 'xiaohongshu' });
    const m = metric(r, 'response_3min');
    expect(m.days.at(-1)!.window).toMatchObject({ eligible: 140, passed: 56 });
    expect(m.projection!.statements[0]).toBe('To reach 80% over the window: all of the next 80 sessions on time (4 days at 20 a day); the window of 2026-11-13 would then be 116/140 = 82.86%.');
  });

  it('with no volume on the last day the projection uses the window average, never "cannot be met"', async () => {
    // 11-01..11-10 at 8/10; one message at 08:00 on 11-11 (outside the window: no session).
    const r = await auditCsv(`${sessions(1, 10, 10, 8)}\n2026-11-11 08:00:00,late,buyer,`, { platform: 'suning' });
    const p = metric(r, 'first_response_45s').projection!;
    expect(p.achievable).toBe(true);
    expect(p.assumption).toContain("window's average daily volume");
  });

  it('monthly ladders: "2 of 3 low days used this month: one more costs 1000 CNY"', async () => {
    // Taojiji reply rate: unanswered buyers on 11-02 and 11-04 (failing days), answered on 11-03 and 11-05.
    const rows = ['time,buyer,sender,agent'];
    for (const d of ['02', '03', '04', '05']) {
      rows.push(`2026-11-${d} 10:00:00,b${d},buyer,`);
      if (d === '03' || d === '05') rows.push(`2026-11-${d} 10:01:00,b${d},agent,s:a`);
    }
    rows.push('2026-11-06 09:00:00,zz,agent,s:a');
    const r = await auditCsv(rows.join('\n'), { platform: 'taojiji', to: '2026-11-05' });
    expect(metric(r, 'reply_rate').projection!.statements).toContain('2 of 3 failing days used in 2026-11: one more costs 1000 CNY.');
  });
});

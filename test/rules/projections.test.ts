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
    expect(p.statements[0]).toBe("To end the month at 90%: 190 of the next 200 sessions (20 days at today's 10) must pass (95%).");
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
    expect(m.projection!.statements[0]).toBe("To reach 80% over the window: 10 more on-time rounds with no miss (about 1 day at today's 10); days leaving the window change this.");
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

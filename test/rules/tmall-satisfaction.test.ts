// RULES.md §2 Tmall satisfaction (旺旺满意度), seed 004 satisfaction Q1-Q6. Numbers worked by hand.
import { describe, expect, it } from 'vitest';
import { auditCsv, counts, day, metric } from '../helpers/audit.js';

const S = 'satisfaction';

describe('RULES.md §2 satisfaction: one evaluation per card, the latest level wins', () => {
  it('a level changed on the same card counts once, with the latest level (seed Q5)', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card
      2026-11-02 10:00:00,b1,buyer,shop:alice,evaluation,不满意,c1
      2026-11-02 10:05:00,b1,buyer,shop:alice,evaluation,很满意,c1
    `);
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });

  it('a change on A\'s card stays A\'s evaluation; a new card for B is a second evaluation (seed Q6)', async () => {
    // c1 evaluates alice: dissatisfied, then changed to satisfied on the same card while bob
    // serves → one passed evaluation for alice. c2, a new card for bob: dissatisfied.
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card
      2026-11-02 10:00:00,b1,buyer,shop:alice,evaluation,dissatisfied,c1
      2026-11-02 11:00:00,b1,buyer,shop:bob,evaluation,satisfied,c1
      2026-11-02 11:05:00,b1,buyer,shop:bob,evaluation,very_dissatisfied,c2
    `);
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(metric(r, S).agents).toEqual([
      { agent: 'shop:alice', eligible: 1, passed: 1, pending: 0, rate: 1, meets_target: true },
      { agent: 'shop:bob', eligible: 1, passed: 0, pending: 0, rate: 0, meets_target: false },
    ]);
  });

  it('many cards, changed the next day: each counts once, on its first day, for the first account named (seed Q5, Q6)', async () => {
    // 200 cards on 11-02, all 不满意; cards 0, 4, 8, ... name no account. On 11-03 every even
    // card is changed to 很满意 by a row naming shop:b. By hand: 11-02 has 200 evaluations, the
    // 100 even ones passed. The 50 cards without an account take shop:b from their later row
    // (all passed); shop:a keeps the other 150, of which the 50 even ones passed. 11-03 has none.
    const pad = (n: number) => String(n).padStart(2, '0');
    const at = (d: string, i: number) => `2026-11-${d} 10:${pad(Math.floor(i / 60))}:${pad(i % 60)}`;
    const rows = [
      ...Array.from({ length: 200 }, (_, i) => `${at('02', i)},b${i},buyer,${i % 4 === 0 ? '' : 'shop:a'},evaluation,不满意,c${i}`),
      ...Array.from({ length: 100 }, (_, k) => `${at('03', 2 * k)},b${2 * k},buyer,shop:b,evaluation,很满意,c${2 * k}`),
    ];
    const r = await auditCsv(['time,buyer,sender,agent,type,content,card', ...rows].join('\n'));
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 200, passed: 100, pending: 0 });
    expect(counts(r, S, '2026-11-03')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(metric(r, S).agents!.map((a) => [a.agent, a.eligible, a.passed])).toEqual([
      ['shop:a', 150, 50],
      ['shop:b', 50, 50],
    ]);
  });

  it('a conversation without evaluation counts nothing (seed Q3: no default good rating)', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:01:00,b1,agent,shop:alice
    `);
    expect(day(r, S, '2026-11-02')).toMatchObject({ eligible: 0, passed: 0, rate: null, status: 'n/a' });
  });

  it('passed = very satisfied or satisfied; neutral and below are not', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card
      2026-11-02 10:00:00,b1,buyer,shop:a,evaluation,很满意,c1
      2026-11-02 10:00:00,b2,buyer,shop:a,evaluation,满意,c2
      2026-11-02 10:00:00,b3,buyer,shop:a,evaluation,一般,c3
      2026-11-02 10:00:00,b4,buyer,shop:a,evaluation,不满意,c4
      2026-11-02 10:00:00,b5,buyer,shop:a,evaluation,很不满意,c5
    `);
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 5, passed: 2, pending: 0 });
  });

  it('a card counts on the day of its first evaluation, even when changed later', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card
      2026-11-02 23:50:00,b1,buyer,shop:a,evaluation,不满意,c1
      2026-11-03 08:00:00,b1,buyer,shop:a,evaluation,满意,c1
    `);
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(counts(r, S, '2026-11-03')).toEqual({ eligible: 0, passed: 0, pending: 0 });
  });

  it('a recalled or cheating-flagged evaluation does not count', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card,recalled,flags
      2026-11-02 10:00:00,b1,buyer,shop:a,evaluation,不满意,c1,1,
      2026-11-02 10:00:00,b2,buyer,shop:a,evaluation,不满意,c2,,cheating
      2026-11-02 10:00:00,b3,buyer,shop:a,evaluation,满意,c3,,
    `);
    expect(counts(r, S, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('RULES.md §2 satisfaction target ≥ 70 % over 30 days, not assessed below 30 evaluations', () => {
  function evaluations(satisfied: number, total: number): string {
    const rows = ['time,buyer,sender,agent,type,content,card'];
    for (let i = 0; i < total; i++) {
      rows.push(`2026-11-02 10:00:00,b${i},buyer,shop:a,evaluation,${i < satisfied ? '满意' : '不满意'},c${i}`);
    }
    return rows.join('\n');
  }

  it('30 evaluations, 21 satisfied (exactly 70 %) → pass', async () => {
    const r = await auditCsv(evaluations(21, 30));
    expect(day(r, S, '2026-11-02')).toMatchObject({ eligible: 30, passed: 21, rate: 0.7, status: 'pass' });
    expect(r.penalties).toEqual([]);
  });

  it('30 evaluations, 20 satisfied (66.67 %) → fail with a warning', async () => {
    const r = await auditCsv(evaluations(20, 30));
    expect(day(r, S, '2026-11-02')).toMatchObject({ rate: 0.6667, status: 'fail' });
    expect(r.penalties).toMatchObject([{ date: '2026-11-02', metric: S, kind: 'warning' }]);
  });

  it('29 evaluations → not assessed', async () => {
    const r = await auditCsv(evaluations(0, 29));
    expect(day(r, S, '2026-11-02').status).toBe('n/a');
  });
});

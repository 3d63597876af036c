// RULES.md §2 Tmall response_3min, clause by clause. Every expected number below was worked
// out by hand from the rule text (seed 004) and is explained beside the log.
import { describe, expect, it } from 'vitest';
import { auditCsv, counts, day, metric } from '../helpers/audit.js';

const M = 'response_3min';

describe('RULES.md §2 Tmall 3分钟人工响应率: public worked examples (seed 004 Q1)', () => {
  it('questions at 10:10:15 and 10:15:20, answer at 10:18:10 → 0 of 1 rounds within 3 minutes', async () => {
    // One round (the second question joins it) from 10:10:15; delay 475 s > 180 s.
    const r = await auditCsv(`
      time,buyer,sender,agent,content
      2026-11-02 10:10:15,b1,buyer,,在吗
      2026-11-02 10:15:20,b1,buyer,,还在吗
      2026-11-02 10:18:10,b1,agent,shop:alice,在的
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
  });

  it('a further question at 10:18:30 answered at 10:19:00 → 1 of 2', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,content
      2026-11-02 10:10:15,b1,buyer,,在吗
      2026-11-02 10:15:20,b1,buyer,,还在吗
      2026-11-02 10:18:10,b1,agent,shop:alice,在的
      2026-11-02 10:18:30,b1,buyer,,什么时候发货
      2026-11-02 10:19:00,b1,agent,shop:alice,今天发
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(day(r, M, '2026-11-02').rate).toBe(0.5);
  });

  it('ten questions within three minutes and no answer by 24:00 → 0 of 1', async () => {
    // Ten questions 10:00:00 … 10:02:42 form one round; nothing answers it on 11-02. The buyer's
    // next-day question opens a new round (answered in 60 s), and the data runs past the deadline.
    const questions = Array.from({ length: 10 }, (_, i) => {
      const s = i * 18;
      return `2026-11-02 10:0${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')},b1,buyer,,问题${i + 1}`;
    });
    const r = await auditCsv(`
      time,buyer,sender,agent,content
      ${questions.join('\n      ')}
      2026-11-03 09:30:00,b1,buyer,,还在吗
      2026-11-03 09:31:00,b1,agent,shop:alice,在的
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('RULES.md §2 threshold 180 s, inclusive; delay in whole seconds (floor)', () => {
  it('180 s passes, 181 s fails, 180.999 s is 180 whole seconds and passes', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:03:00,b1,agent,shop:alice
      2026-11-02 11:00:00,b2,buyer,
      2026-11-02 11:03:01,b2,agent,shop:alice
      2026-11-02 12:00:00.000,b3,buyer,
      2026-11-02 12:03:00.999,b3,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 3, passed: 2, pending: 0 });
  });
});

describe('RULES.md §2 window 09:00-23:00 by the round start (seed 004 Q7, Q9①)', () => {
  it('08:59:59 and 23:00:00 are outside; 09:00:00 and 22:59:59 are inside; the reply may come after 23:00', async () => {
    // b1 08:59:59 → not counted. b2 09:00:00 → passed (60 s). b3 22:59:59 answered 23:01:00
    // → 61 s, passed. b4 23:00:00 → not counted. b5 opens at 08:59:00; its 09:01 message joins
    // the round, which still starts outside the window → not counted.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 08:59:00,b5,buyer,
      2026-11-02 08:59:59,b1,buyer,
      2026-11-02 09:00:00,b2,buyer,
      2026-11-02 09:01:00,b2,agent,shop:alice
      2026-11-02 09:01:00,b5,buyer,
      2026-11-02 09:02:00,b1,agent,shop:alice
      2026-11-02 09:05:00,b5,agent,shop:alice
      2026-11-02 22:59:59,b3,buyer,
      2026-11-02 23:00:00,b4,buyer,
      2026-11-02 23:01:00,b3,agent,shop:alice
      2026-11-02 23:30:00,b4,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 2, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ outside_window: 3 });
  });
});

describe('RULES.md §2 additional exclusions', () => {
  it('rounds whose delay is exactly 0 s (0秒回) are not counted (seed 004 Q9④)', async () => {
    // b1: reply 0.8 s later → 0 whole seconds → not counted. b2: reply at the same second → not
    // counted. b3: 1 s → counted, passed.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00.000,b1,buyer,
      2026-11-02 10:00:00.800,b1,agent,shop:alice
      2026-11-02 10:10:00,b2,buyer,
      2026-11-02 10:10:00,b2,agent,shop:alice
      2026-11-02 10:20:00,b3,buyer,
      2026-11-02 10:20:01,b3,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ zero_second: 2 });
  });

  it('a buyer who blacklisted the shop: the open round and every later message are not counted (seed 004 Q3, Q9②l)', async () => {
    // b1 asks at 10:00 and blocks the shop at 10:01: that open round is not counted (its 11:00
    // message joins it). On 11-03 b1 writes again: a new round, not counted either. b2 is
    // unaffected: one failed round on 11-02 (no reply; the data runs past 12:03).
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,,text
      2026-11-02 10:01:00,b1,system,,blacklist
      2026-11-02 11:00:00,b1,buyer,,text
      2026-11-02 12:00:00,b2,buyer,,text
      2026-11-02 13:00:00,b3,agent,shop:alice,text
      2026-11-03 10:00:00,b1,buyer,,text
      2026-11-03 10:01:00,b1,agent,shop:alice,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ blacklisted: 1 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(day(r, M, '2026-11-03').excluded).toEqual({ blacklisted: 1 });
  });

  it('a round holding a buyer message flagged abusive is not counted (seed 004 Q9⑤)', async () => {
    // b1's round is joined by an abusive message → not counted; b2's round counts (failed, 300 s).
    const r = await auditCsv(`
      time,buyer,sender,agent,flags
      2026-11-02 10:00:00,b1,buyer,,
      2026-11-02 10:00:30,b1,buyer,,abusive
      2026-11-02 10:05:00,b1,agent,shop:alice,
      2026-11-02 11:00:00,b2,buyer,,
      2026-11-02 11:05:00,b2,agent,shop:alice,
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ abusive: 1 });
  });

  it('auto_greeting is not a reply and does not close the round (seed 004 Q2)', async () => {
    // The welcome message at 10:00:05 (agent or bot) neither answers nor starts a bot hold;
    // the human answer at 10:05:00 decides: 300 s → failed.
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,,text
      2026-11-02 10:00:05,b1,agent,shop:alice,auto_greeting
      2026-11-02 10:00:06,b1,bot,shop:bot,auto_greeting
      2026-11-02 10:05:00,b1,agent,shop:alice,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
  });
});

describe('RULES.md §2 bots (seed 004 Q4, Q6)', () => {
  it('a bot_mode=assist reply (smart-assist mode) is a valid reply', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,bot_mode
      2026-11-02 10:00:00,b1,buyer,,
      2026-11-02 10:01:00,b1,bot,shop:alice,assist
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(metric(r, M).agents).toMatchObject([{ agent: 'shop:alice', eligible: 1, passed: 1 }]);
  });

  it('an automatic bot answer holds the round; a human reply without assign ends the hold but that round stays uncounted', async () => {
    // b1 10:00 question, bot answers automatically → round not counted; the human reply at
    // 10:10 closes it (uncounted) and ends the hold; the 10:20 round counts (60 s, passed).
    const r = await auditCsv(`
      time,buyer,sender,agent,bot_mode
      2026-11-02 10:00:00,b1,buyer,,
      2026-11-02 10:00:02,b1,bot,shop:xiaomi,auto
      2026-11-02 10:10:00,b1,agent,shop:alice,
      2026-11-02 10:20:00,b1,buyer,,
      2026-11-02 10:21:00,b1,agent,shop:alice,
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ bot: 1 });
  });

  it('a bot row without bot_mode is automatic (FORMAT.md) and holds the round', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:00:02,b1,bot,shop:xiaomi
      2026-11-02 10:01:00,b1,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
  });

  it('every round that opens while the conversation is with the bot is not counted, also on a later day', async () => {
    // 11-02 10:00 question, bot answers; no human. 11-03 10:00 the buyer writes again: the old
    // round ends (uncounted) and the new one opens while still with the bot → uncounted too.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:00:01,b1,bot,shop:xiaomi
      2026-11-03 10:00:00,b1,buyer,
      2026-11-03 10:02:00,b1,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(metric(r, M).total.excluded).toEqual({ bot: 2 });
  });

  it('an assign hands the conversation to a human: the waiting round counts again from the assign time', async () => {
    // Question 10:00:00, bot 10:00:02, buyer again 10:00:30 (same round), assigned to bob at
    // 10:05:00, bob answers 10:07:00 → 120 s from the assign → passed, attributed to bob.
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,,text
      2026-11-02 10:00:02,b1,bot,shop:xiaomi,text
      2026-11-02 10:00:30,b1,buyer,,text
      2026-11-02 10:05:00,b1,system,shop:bob,assign
      2026-11-02 10:07:00,b1,agent,shop:bob,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(metric(r, M).agents).toMatchObject([{ agent: 'shop:bob', eligible: 1, passed: 1 }]);
  });
});

describe('RULES.md §2 offline pool and hand-over (seed 004 Q8, Q19, Q21)', () => {
  it('a message left at 22:30 and assigned at 09:10 the next morning is a round of the next day starting 09:10', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 22:30:00,b1,buyer,,text
      2026-11-03 09:10:00,b1,system,shop:bob,assign
      2026-11-03 09:12:00,b1,agent,shop:bob,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });

  it('a round assigned outside the window is not counted, even if it was left inside it (Q21)', async () => {
    // Left at 22:40 (in the window), released from the pool at 23:30 (outside) → not counted.
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 22:40:00,b1,buyer,,text
      2026-11-02 23:30:00,b1,system,shop:bob,assign
      2026-11-02 23:45:00,b1,agent,shop:bob,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ outside_window: 1 });
  });

  it('a waiting round is re-started at the assign time and attributed to the assigned account when unanswered', async () => {
    // Question 10:00 received by alice; assigned to bob at 10:30 → start 10:30, deadline 10:33.
    // No reply; the data runs to 12:00 → failed, attributed to bob.
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,shop:alice,text
      2026-11-02 10:30:00,b1,system,shop:bob,assign
      2026-11-02 12:00:00,b2,agent,shop:alice,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(metric(r, M).agents).toMatchObject([{ agent: 'shop:bob', eligible: 1, passed: 0 }]);
  });

  it('an assign with no round waiting records who serves the buyer; rounds after it count normally', async () => {
    // Assigned to carol at 10:00; the buyer asks at 10:05 (no receiving account on the row), no
    // reply by the end of the data (12:00) → failed, attributed to carol (last shop account).
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,system,shop:carol,assign
      2026-11-02 10:05:00,b1,buyer,,text
      2026-11-02 12:00:00,b2,agent,shop:alice,text
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(metric(r, M).agents).toMatchObject([{ agent: 'shop:carol', eligible: 1, passed: 0 }]);
  });
});

describe('RULES.md §2 a lone link or a ticket needs a reply (seed 004 Q13, Q16)', () => {
  it('a buyer message that is only a link, and a 催发货 ticket, each open a round', async () => {
    // b1 link 10:00, answered 10:02 → passed. b2 ticket 10:00, answered 10:10 → failed.
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content
      2026-11-02 10:00:00,b1,buyer,,link,https://detail.tmall.com/item.htm?id=1
      2026-11-02 10:00:00,b2,buyer,,ticket,催发货
      2026-11-02 10:02:00,b1,agent,shop:alice,text,需要什么帮助?
      2026-11-02 10:10:00,b2,agent,shop:alice,text,今天发
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
  });
});

describe('RULES.md §2 target ≥ 80 % over the last 30 days, not assessed below 100 rounds; failing → warning', () => {
  function day100(date: string, passed: number, count = 100): string {
    // `count` buyers, one round each, 10:00:00 + i minutes; the first `passed` answered after 60 s,
    // the others after 300 s.
    const lines: string[] = [];
    const base = Date.UTC(2000, 0, 1, 10, 0, 0);
    const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    for (let i = 0; i < count; i++) {
      const start = base + i * 60_000;
      lines.push(`${date} ${clock(start)},${date}-b${i},buyer,`);
      lines.push(`${date} ${clock(start + (i < passed ? 60_000 : 300_000))},${date}-b${i},agent,shop:alice`);
    }
    return lines.join('\n');
  }

  it('exactly 100 rounds at exactly 80 % passes; 79 % fails with a warning dated that day', async () => {
    const pass = await auditCsv(`time,buyer,sender,agent\n${day100('2026-11-02', 80)}`);
    expect(day(pass, M, '2026-11-02')).toMatchObject({ eligible: 100, passed: 80, rate: 0.8, status: 'pass' });
    expect(pass.penalties).toEqual([]);

    const fail = await auditCsv(`time,buyer,sender,agent\n${day100('2026-11-02', 79)}`);
    expect(day(fail, M, '2026-11-02')).toMatchObject({ eligible: 100, passed: 79, status: 'fail' });
    expect(fail.penalties).toHaveLength(1);
    expect(fail.penalties[0]).toMatchObject({ date: '2026-11-02', metric: M, kind: 'warning', amount_cny: 0, points: 0 });
    expect(fail.penalties[0]!.reason).toContain('79/100 = 79.00%');
    expect(fail.totals).toMatchObject({ fines_cny: 0, points: 0, warnings: 1 });
  });

  it('99 rounds in the window are not assessed (n/a), whatever the rate', async () => {
    const r = await auditCsv(`time,buyer,sender,agent\n${day100('2026-11-02', 0, 99)}`);
    expect(day(r, M, '2026-11-02')).toMatchObject({ eligible: 99, passed: 0, status: 'n/a' });
    expect(r.penalties).toEqual([]);
  });

  it("each day is judged on that day and the 29 before it; day 31's window no longer holds day 1", async () => {
    // 10-01: 100 rounds, 0 passed. 10-02 … 10-31: 10 rounds a day, all passed (300 rounds).
    // Window of 10-30 = 10-01..10-30: 290 passed / 390 = 74.36 % → fail.
    // Window of 10-31 = 10-02..10-31: 300 / 300 → pass.
    const days = [day100('2026-10-01', 0)];
    for (let d = 2; d <= 31; d++) days.push(day100(`2026-10-${String(d).padStart(2, '0')}`, 10, 10));
    const r = await auditCsv(`time,buyer,sender,agent\n${days.join('\n')}`);
    expect(day(r, M, '2026-10-30')).toMatchObject({ status: 'fail' });
    expect(day(r, M, '2026-10-30').window).toMatchObject({
      from: '2026-10-01',
      to: '2026-10-30',
      days: 30,
      eligible: 390,
      passed: 290,
      partial: false,
    });
    expect(day(r, M, '2026-10-31')).toMatchObject({ status: 'pass' });
    expect(day(r, M, '2026-10-31').window).toMatchObject({ from: '2026-10-02', eligible: 300, passed: 300 });
    // Windows on 10-01 … 10-30 all fail (100 failing rounds dominate): 30 warnings, one a day.
    expect(r.penalties.map((p) => p.date)).toHaveLength(30);
    expect(r.totals.warnings).toBe(30);
  });
});

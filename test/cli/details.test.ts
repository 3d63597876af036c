// Issue 5 §1: evidence. --details lists every failed and pending item with the clause and numbers.
import { describe, expect, it } from 'vitest';
import { auditCsv } from '../helpers/audit.js';

describe('--details', () => {
  it('lists failed and pending rounds with buyer, times, delay, agent, the deciding clause and the messages', async () => {
    // Worked example: 10:10:15 + 10:15:20, answered 10:18:10 → failed (475 s). b2 pending at the end.
    const r = await auditCsv(
      `
      time,buyer,sender,agent,content
      2026-11-02 10:10:15,b1,buyer,,在吗
      2026-11-02 10:15:20,b1,buyer,,还在吗
      2026-11-02 10:18:10,b1,agent,shop:alice,在的
      2026-11-02 10:18:30,b1,buyer,,发货了吗
      2026-11-02 10:19:00,b1,agent,shop:alice,发了
      2026-11-02 10:19:00,b2,buyer,shop:bob,hi
    `,
      { details: true },
    );
    expect(r.details).toHaveLength(2);
    expect(r.details![0]).toMatchObject({
      metric: 'response_3min',
      outcome: 'failed',
      date: '2026-11-02',
      buyer: 'b1',
      agent: 'shop:alice',
      start: '2026-11-02 10:10:15',
      text: '在吗',
      reply_time: '2026-11-02 10:18:10',
      delay_seconds: 475,
      origin: { file: '<stdin>', line: 2 },
    });
    expect(r.details![0]!.reason).toContain('first reply after 475 s, over the 180 s limit');
    expect(r.details![0]!.messages!.map((m) => m.content)).toEqual(['在吗', '还在吗', '在的']);
    expect(r.details![1]).toMatchObject({ outcome: 'pending', buyer: 'b2', agent: 'shop:bob', reply_time: null });
  });

  it('--mask-buyers replaces buyer ids with stable pseudonyms', async () => {
    const log = `
      time,buyer,sender,agent
      2026-11-02 10:00:00,王小明,buyer,
      2026-11-02 10:05:00,王小明,agent,shop:a
    `;
    const a = await auditCsv(log, { details: true, maskBuyers: true });
    const b = await auditCsv(log, { details: true, maskBuyers: true });
    expect(a.details![0]!.buyer).toMatch(/^buyer-[0-9a-f]{10}$/);
    expect(a.details![0]!.buyer).toBe(b.details![0]!.buyer);
    expect(JSON.stringify(a)).not.toContain('王小明');
    // A secret salt gives other pseudonyms, the same ones on every run with that salt.
    const salted = await auditCsv(log, { details: true, maskBuyers: true, maskSalt: 'k3y' });
    const again = await auditCsv(log, { details: true, maskBuyers: true, maskSalt: 'k3y' });
    expect(salted.details![0]!.buyer).toMatch(/^buyer-[0-9a-f]{10}$/);
    expect(salted.details![0]!.buyer).not.toBe(a.details![0]!.buyer);
    expect(salted.details![0]!.buyer).toBe(again.details![0]!.buyer);
  });

  it('no details without --details', async () => {
    const r = await auditCsv('time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\n2026-11-02 11:00:00,b2,buyer\n');
    expect(r.details).toBeUndefined();
    expect(r.shops[0]!.details).toBeUndefined();
  });
});

describe('--details for buyer-days', () => {
  it('points at the question that failed, with its own delay', async () => {
    // b1: 10:00 answered in 30 s; 14:00 answered at 16:00 (7200 s) → the 14:00 question failed.
    const r = await auditCsv(
      `
      time,buyer,sender,agent,content
      2026-11-02 10:00:00,b1,buyer,,first question
      2026-11-02 10:00:30,b1,agent,s:a,ok
      2026-11-02 14:00:00,b1,buyer,,second question
      2026-11-02 16:00:00,b1,agent,s:b,late
    `,
      { platform: 'pinduoduo', details: true },
    );
    expect(r.details).toHaveLength(1);
    expect(r.details![0]).toMatchObject({ start: '2026-11-02 14:00:00', text: 'second question', delay_seconds: 7200, agent: 's:b', origin: { line: 4 } });
  });
});

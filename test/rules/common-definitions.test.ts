// RULES.md §1 common definitions, run through the Tmall pack. Expected numbers worked by hand.
import { describe, expect, it } from 'vitest';
import { auditCsv, builtInPack, counts, day, metric } from '../helpers/audit.js';

const M = 'response_3min';

describe('RULES.md §1 Conversation: never customer conversations', () => {
  it('sub-account chatter: buyer equal to the shop, starting with "shop:", or appearing as an agent anywhere', async () => {
    // Three internal conversations (myshop, myshop:bob, helper — helper answers b9 elsewhere)
    // and one real buyer b9 (answered in 60 s).
    const r = await auditCsv(`
      time,shop,buyer,sender,agent
      2026-11-02 10:00:00,myshop,myshop,buyer,
      2026-11-02 10:00:00,myshop,myshop:bob,buyer,
      2026-11-02 10:00:00,myshop,helper,buyer,
      2026-11-02 10:00:00,myshop,b9,buyer,
      2026-11-02 10:01:00,myshop,b9,agent,helper
      2026-11-02 12:00:00,myshop,b9,buyer,
      2026-11-02 12:01:00,myshop,b9,agent,myshop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 2, pending: 0 });
    expect(r.shops[0]!.messages.excluded).toEqual({ internal_chatter: 3 });
  });

  it('sub-account chatter: a buyer named like the shop without the colon ("myshop2", "myshop") is a customer of another name', async () => {
    // myshop2 is answered in 60 s; "myshop" alone is the shop itself.
    const r = await auditCsv(`
      time,shop,buyer,sender,agent
      2026-11-02 10:00:00,myshop,myshop2,buyer,
      2026-11-02 10:01:00,myshop,myshop2,agent,myshop:alice
      2026-11-02 11:00:00,myshop,myshop,buyer,
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(r.shops[0]!.messages.excluded).toEqual({ internal_chatter: 1 });
  });

  it('a conversation with another merchant (flag merchant on any row) is not counted', async () => {
    // m1 is flagged merchant on its second message only: the whole conversation is out.
    const r = await auditCsv(`
      time,buyer,sender,agent,flags
      2026-11-02 10:00:00,m1,buyer,,
      2026-11-02 10:05:00,m1,buyer,,merchant
      2026-11-02 10:10:00,m1,agent,shop:alice,
      2026-11-02 11:00:00,b1,buyer,,
      2026-11-02 11:02:00,b1,agent,shop:alice,
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('RULES.md §1 Excluded messages neither open nor answer a round', () => {
  it('a recalled buyer message opens nothing; a recalled reply answers nothing', async () => {
    // b1: only a recalled question → no round. b2: question 10:00, reply recalled at 10:01,
    // real reply 10:05 → 300 s → failed.
    const r = await auditCsv(`
      time,buyer,sender,agent,recalled
      2026-11-02 10:00:00,b1,buyer,,1
      2026-11-02 10:00:00,b2,buyer,,
      2026-11-02 10:01:00,b2,agent,shop:alice,是
      2026-11-02 10:05:00,b2,agent,shop:alice,0
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(r.shops[0]!.messages.excluded).toEqual({ recalled: 2 });
  });

  it('red packets, system notices, evaluations and FAQ clicks are neither questions nor replies', async () => {
    // b1: red packet (agent) at 10:00:30 and a system notice do not answer the 10:00 question;
    // the text at 10:04 does → 240 s, failed. b2 only clicks a suggested question and evaluates
    // → no round.
    const r = await auditCsv(`
      time,buyer,sender,agent,type,content,card
      2026-11-02 10:00:00,b1,buyer,,text,在吗,
      2026-11-02 10:00:30,b1,agent,shop:alice,red_packet,红包,
      2026-11-02 10:00:40,b1,system,,system,买家已领取红包,
      2026-11-02 10:00:50,b1,agent,shop:alice,system,催付失败转人工,
      2026-11-02 10:04:00,b1,agent,shop:alice,text,在的,
      2026-11-02 10:00:00,b2,buyer,,faq_click,怎么退货,
      2026-11-02 10:30:00,b2,buyer,shop:alice,evaluation,满意,c1
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(r.shops[0]!.messages.excluded).toEqual({
      'type:faq_click': 1,
      'type:red_packet': 1,
      'type:system': 2,
    });
  });

  it('platform staff messages and rows flagged ad_account, cheating or disabled_account do not count', async () => {
    // b1: a 小二 (platform) question and an ad-account question → no round.
    // b2: question 10:00; a reply from a disabled sub-account at 10:01 does not answer;
    // the reply at 10:06 does → 360 s, failed. b3: a cheating conversation → no round.
    const r = await auditCsv(`
      time,buyer,sender,agent,flags
      2026-11-02 10:00:00,b1,platform,,
      2026-11-02 10:00:10,b1,buyer,,ad_account
      2026-11-02 10:00:00,b2,buyer,,
      2026-11-02 10:01:00,b2,agent,shop:gone,disabled_account
      2026-11-02 10:06:00,b2,agent,shop:alice,
      2026-11-02 10:00:00,b3,buyer,,cheating
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(r.shops[0]!.messages.excluded).toEqual({
      'flag:ad_account': 1,
      'flag:cheating': 1,
      'flag:disabled_account': 1,
      'sender:platform': 1,
    });
  });
});

describe('RULES.md §1 Valid reply', () => {
  it('image, link and card replies from an agent are valid replies', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,,text
      2026-11-02 10:01:00,b1,agent,shop:alice,image
      2026-11-02 10:10:00,b2,buyer,,text
      2026-11-02 10:11:00,b2,agent,shop:alice,link
      2026-11-02 10:20:00,b3,buyer,,text
      2026-11-02 10:21:00,b3,agent,shop:alice,card
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 3, passed: 3, pending: 0 });
  });

  it('a bot assist reply is valid only where the pack says so', async () => {
    const pack = builtInPack('tmall');
    pack.versions[0]!.replies.bot_assist.value = false;
    const log = `
      time,buyer,sender,agent,bot_mode
      2026-11-02 10:00:00,b1,buyer,,
      2026-11-02 10:01:00,b1,bot,shop:alice,assist
      2026-11-02 10:10:00,b1,agent,shop:alice,
    `;
    // Without assist replies the 10:10 human reply decides: 600 s → failed.
    const r = await auditCsv(log, { platform: null, rulesPack: pack });
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
  });
});

describe('RULES.md §1 Buyer-first and seller-first rounds', () => {
  it("the buyer's first message on a later day opens a new round; the old one has failed", async () => {
    // 22:50 question unanswered on 11-02; 11-03 09:30 question answered at 09:31.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 22:50:00,b1,buyer,
      2026-11-03 09:30:00,b1,buyer,
      2026-11-03 09:31:00,b1,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });

  it('a shop reply after midnight, before the buyer writes again, still answers the old round', async () => {
    // 22:59:00 question, answered 00:01:00 → one round of 11-02, 3720 s → failed; nothing on 11-03.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 22:59:00,b1,buyer,
      2026-11-03 00:01:00,b1,agent,shop:alice
      2026-11-03 10:00:00,b1,buyer,
      2026-11-03 10:00:30,b1,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(metric(r, M).agents).toMatchObject([{ agent: 'shop:alice', eligible: 2, passed: 1 }]);
  });

  it('a shop message while no round is open is a seller-first round: activity, never assessed', async () => {
    // 10:00 payment reminder (seller-first), 10:01 another shop message (same seller-first
    // round), the buyer answers at 10:30 (buyer-first round), reply 10:31 → 1/1.
    const r = await auditCsv(`
      time,buyer,sender,agent,content
      2026-11-02 10:00:00,b1,agent,shop:alice,亲，还没付款哦
      2026-11-02 10:01:00,b1,agent,shop:alice,今天下单今天发
      2026-11-02 10:30:00,b1,buyer,,好的
      2026-11-02 10:31:00,b1,agent,shop:alice,谢谢
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(r.shops[0]!.activity[0]).toMatchObject({ rounds: 1, seller_first_rounds: 1, buyer_messages: 1, shop_messages: 3 });
  });
});

describe('RULES.md §1 Session (activity)', () => {
  it('a new session opens after 30 idle minutes or when the date changes', async () => {
    // 10:00 opens; 10:29:59 (29:59 idle) same session; 11:00 (30:01 idle after 10:29:59) new;
    // 11:10 reply; 11:40 exactly 30 idle minutes → new; 11-03 00:05 new date → new. 4 sessions:
    // 3 on 11-02, 1 on 11-03.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:29:59,b1,buyer,
      2026-11-02 11:00:00,b1,buyer,
      2026-11-02 11:10:00,b1,agent,shop:alice
      2026-11-02 11:40:00,b1,buyer,
      2026-11-02 23:59:00,b1,agent,shop:alice
      2026-11-03 00:05:00,b1,buyer,
    `);
    expect(r.shops[0]!.activity.map((a) => a.sessions)).toEqual([3, 1]);
  });
});

describe('RULES.md §1 Day and attribution', () => {
  it('answered → the replying account; unanswered → the receiving account, else the last shop account, else (unassigned)', async () => {
    // b1 answered by bob (received by alice) → bob. b2 unanswered, received by carol → carol.
    // b3 unanswered, no receiver, dave wrote to b3 earlier → dave. b4 nothing known → (unassigned).
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 09:30:00,b3,agent,shop:dave
      2026-11-02 10:00:00,b1,buyer,shop:alice
      2026-11-02 10:01:00,b1,agent,shop:bob
      2026-11-02 10:00:00,b2,buyer,shop:carol
      2026-11-02 10:00:00,b3,buyer,
      2026-11-02 10:00:00,b4,buyer,
      2026-11-02 12:00:00,b5,agent,shop:alice
    `);
    expect(metric(r, M).agents).toEqual([
      { agent: '(unassigned)', eligible: 1, passed: 0, pending: 0, rate: 0, meets_target: false },
      { agent: 'shop:bob', eligible: 1, passed: 1, pending: 0, rate: 1, meets_target: true },
      { agent: 'shop:carol', eligible: 1, passed: 0, pending: 0, rate: 0, meets_target: false },
      { agent: 'shop:dave', eligible: 1, passed: 0, pending: 0, rate: 0, meets_target: false },
    ]);
  });
});

describe('RULES.md §1 Day and attribution across days', () => {
  it("a round failed by the buyer's next-day message goes to the last shop account before that message", async () => {
    // alice sent the 09:30 reminder; the 10:00 question is never answered on 11-02. On 11-03
    // the buyer writes to bob: the 11-02 round has failed, for alice (the conversation's last
    // shop account when it closed), and bob's round passes.
    const r = await auditCsv(`
      time,shop,buyer,sender,agent,content
      2026-11-02 09:30:00,myshop,b1,agent,myshop:alice,亲，您的订单还未付款哦
      2026-11-02 10:00:00,myshop,b1,buyer,,我付了
      2026-11-03 10:00:00,myshop,b1,buyer,myshop:bob,人呢
      2026-11-03 10:01:00,myshop,b1,agent,myshop:bob,在
    `);
    expect(metric(r, M).agents).toMatchObject([
      { agent: 'myshop:alice', eligible: 1, passed: 0 },
      { agent: 'myshop:bob', eligible: 1, passed: 1 },
    ]);
  });
});

describe('RULES.md §1 Pending', () => {
  it('an unanswered round whose deadline lies after the end of the data is pending; at or before it, failed', async () => {
    // The data ends at 10:03:00 (latest row). b1 10:00:00 → deadline 10:03:00, not after the
    // end → failed. b2 10:01:00 → deadline 10:04:00 → pending. b3 answered → passed.
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:01:00,b2,buyer,
      2026-11-02 10:02:00,b3,buyer,
      2026-11-02 10:03:00,b3,agent,shop:alice
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 1 });
    expect(day(r, M, '2026-11-02').rate).toBe(0.5);
  });

  it('the end of the data is the latest time of any kind in the input, events included', async () => {
    // An assign event for another buyer at 10:05 moves the end of the data past b1's deadline.
    const r = await auditCsv(`
      time,buyer,sender,agent,type
      2026-11-02 10:00:00,b1,buyer,,text
      2026-11-02 10:05:00,b2,system,shop:bob,assign
    `);
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
  });
});

describe('RULES.md §1 Rates and Period', () => {
  it('rates are passed / eligible over the period, never an average of daily rates', async () => {
    // 11-02: 1/1. 11-03: 1/3. Total 2/4 = 0.5 (the average of daily rates would be 0.6667).
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:01:00,b1,agent,shop:alice
      2026-11-03 10:00:00,b2,buyer,
      2026-11-03 10:01:00,b2,agent,shop:alice
      2026-11-03 10:00:00,b3,buyer,
      2026-11-03 10:10:00,b3,agent,shop:alice
      2026-11-03 10:00:00,b4,buyer,
      2026-11-03 10:10:00,b4,agent,shop:alice
    `);
    expect(metric(r, M).total).toMatchObject({ eligible: 4, passed: 2, rate: 0.5 });
  });

  it('--from/--to choose the days reported; windows still use earlier days; days before the input are unknown', async () => {
    const log = `
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:10:00,b1,agent,shop:alice
      2026-11-04 10:00:00,b2,buyer,
      2026-11-04 10:01:00,b2,agent,shop:alice
    `;
    const r = await auditCsv(log, { from: '2026-11-03', to: '2026-11-04' });
    expect(r.period).toEqual({ from: '2026-11-03', to: '2026-11-04' });
    expect(metric(r, M).days.map((d) => d.date)).toEqual(['2026-11-03', '2026-11-04']);
    // 11-03 has no rows: a day with nothing in it. Its window still holds 11-02's failed round.
    expect(day(r, M, '2026-11-03')).toMatchObject({ eligible: 0, rate: null });
    expect(day(r, M, '2026-11-04').window).toMatchObject({ from: '2026-11-02', days: 3, eligible: 2, passed: 1, partial: true });
    expect(metric(r, M).total).toMatchObject({ eligible: 1, passed: 1 });

    const before = await auditCsv(log, { from: '2026-11-01', to: '2026-11-02' });
    expect(day(before, M, '2026-11-01')).toMatchObject({ status: 'n/a', window: null });
  });

  it('without --from/--to every day from the first to the last date in the input is reported', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 10:00:00,b1,buyer,
      2026-11-05 10:01:00,b1,agent,shop:alice
    `);
    expect(metric(r, M).days.map((d) => d.date)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']);
  });
});

describe('RULES.md §1 Rule versions', () => {
  it('each day is judged by the version in force; days before the first version use the first; the report names them', async () => {
    const pack = builtInPack('tmall');
    const v1 = pack.versions[0]!;
    v1.effective = '2026-11-02';
    v1.version = '2026-11-02';
    const v2 = structuredClone(v1);
    v2.version = '2026-11-03';
    v2.effective = '2026-11-03';
    const rule = v2.metrics[0]!;
    if (rule.kind !== 'round_response') throw new Error('pack layout changed');
    rule.threshold_seconds = { value: 60, source: 'test', since: '2026-11-03' };
    pack.versions.push(v2);
    // A 120 s reply on 11-01 (before v1: judged by v1, 180 s) and 11-02 passes; on 11-03 (60 s) fails.
    const r = await auditCsv(
      `
      time,buyer,sender,agent
      2026-11-01 10:00:00,b0,buyer,
      2026-11-01 10:02:00,b0,agent,shop:alice
      2026-11-02 10:00:00,b1,buyer,
      2026-11-02 10:02:00,b1,agent,shop:alice
      2026-11-03 10:00:00,b2,buyer,
      2026-11-03 10:02:00,b2,agent,shop:alice
    `,
      { platform: null, rulesPack: pack },
    );
    expect(counts(r, M, '2026-11-01')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(counts(r, M, '2026-11-03')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(r.rules.versions).toEqual([
      { version: '2026-11-02', effective: '2026-11-02', days: 2 },
      { version: '2026-11-03', effective: '2026-11-03', days: 1 },
    ]);
    expect(day(r, M, '2026-11-03').version).toBe('2026-11-03');
  });

  it('a pack change (target 80 % → 85 %) needs no code change', async () => {
    const pack = builtInPack('tmall');
    const rule = pack.versions[0]!.metrics[0]!;
    if (rule.kind !== 'round_response') throw new Error('pack layout changed');
    rule.target.value = 0.85;
    rule.assessment.min_volume.value = 1;
    // 5 rounds, 4 passed: 80 % passes at 80 %, fails at 85 %.
    const log = `time,buyer,sender,agent\n${[0, 1, 2, 3, 4]
      .map((i) => `2026-11-02 10:0${i}:00,b${i},buyer,\n2026-11-02 10:0${i}:${i === 4 ? '59' : '30'},b${i},agent,shop:a`)
      .join('\n')}`;
    const strict = await auditCsv(log.replace('10:04:59', '10:08:00'), { platform: null, rulesPack: pack });
    expect(day(strict, M, '2026-11-02')).toMatchObject({ eligible: 5, passed: 4, status: 'fail' });
  });
});

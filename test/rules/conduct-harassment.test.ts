// RULES.md §8 harassment, worked by hand: shop messages in a row without the buyer's answer
// (the pack's limit, 5), and shop-initiated contact at night (23:00-07:00, across midnight);
// Pinduoduo 4.1 punishes the second night contact with the same buyer (多次) with 7 days.
import { describe, expect, it } from 'vitest';
import { builtInLexicon, detectText } from '../../src/conduct/detectors.js';
import { auditCsv } from '../helpers/audit.js';

const HEAD = 'time,shop,buyer,sender,agent,content';

describe('unanswered_messages', () => {
  it('the 5th shop message in a row is a finding, once per run; a buyer message starts the count again', async () => {
    const rows = [HEAD];
    for (let i = 0; i < 7; i++) rows.push(`2026-11-02 10:0${i}:00,S,b1,agent,S:amy,亲在吗 ${i}`);
    rows.push('2026-11-02 11:00:00,S,b1,buyer,,别发了');
    for (let i = 0; i < 4; i++) rows.push(`2026-11-02 12:0${i}:00,S,b1,agent,S:amy,好的 ${i}`);
    const r = await auditCsv(rows.join('\n'), { platform: 'pinduoduo' });
    // 7 in a row → one finding (on the 5th, 10:04); after the buyer's answer only 4 → none.
    expect(r.findings!.filter((f) => f.detector === 'unanswered_messages').map((f) => f.time)).toEqual(['2026-11-02 10:04:00']);
    expect(r.penalties.filter((p) => p.detector === 'unanswered_messages').map((p) => [p.kind, p.days])).toEqual([['restriction', 3]]);
  });
});

describe('harassment is not an ordinary answer', () => {
  it('five short messages answering one question, and the second message of a night answer, find nothing', async () => {
    const r = await auditCsv(
      [
        HEAD,
        '2026-11-02 14:00:00,S,b1,buyer,,这个怎么用',
        ...[1, 2, 3, 4, 5].map((i) => `2026-11-02 14:0${i}:00,S,b1,agent,S:amy,第${i}步`),
        '2026-11-02 23:10:00,S,b2,buyer,,还在吗',
        '2026-11-02 23:11:00,S,b2,agent,S:amy,可以的亲',
        '2026-11-02 23:11:30,S,b2,agent,S:amy,我这边帮您备注一下',
      ].join('\n'),
      { platform: 'pinduoduo' },
    );
    expect(r.findings).toEqual([]);
  });

  it('an unanswered run ends after 24 quiet hours: five messages two days apart are no run', async () => {
    const rows = [HEAD, ...[1, 2, 3, 4, 5].map((d) => `2026-11-${String(2 * d).padStart(2, '0')} 10:00:00,S,b1,agent,S:amy,亲，活动开始了`)];
    const r = await auditCsv(rows.join('\n'), { platform: 'pinduoduo' });
    expect(r.findings!.filter((f) => f.detector === 'unanswered_messages')).toEqual([]);
  });
});

describe('late_night_contact', () => {
  it('shop-initiated at 23:30 and 06:59 is night, 07:00 and replies to a question are not; the second with a buyer is penalized', async () => {
    const r = await auditCsv(
      [
        HEAD,
        '2026-11-02 23:30:00,S,b1,agent,S:amy,亲，降价了',
        '2026-11-03 06:59:00,S,b2,agent,S:amy,早上好',
        '2026-11-03 07:00:00,S,b3,agent,S:amy,活动开始了',
        '2026-11-03 23:10:00,S,b4,buyer,,还在吗',
        '2026-11-03 23:11:00,S,b4,agent,S:amy,在的',
        '2026-11-03 08:00:00,S,b1,buyer,,知道了',
        '2026-11-03 08:01:00,S,b1,agent,S:amy,好的',
        // Nothing waits for an answer any more: the shop starts a contact again, at night.
        '2026-11-04 01:00:00,S,b1,agent,S:amy,最后一天',
      ].join('\n'),
      { platform: 'pinduoduo' },
    );
    const night = r.findings!.filter((f) => f.detector === 'late_night_contact');
    expect(night.map((f) => [f.buyer, f.time, f.occurrence])).toEqual([
      ['b1', '2026-11-02 23:30:00', 1],
      ['b2', '2026-11-03 06:59:00', 1],
      ['b1', '2026-11-04 01:00:00', 2],
    ]);
    expect(r.penalties.filter((p) => p.detector === 'late_night_contact').map((p) => [p.date, p.days])).toEqual([['2026-11-04', 7]]);
  });
});

describe('innocent corpus: realistic shop messages find nothing', () => {
  const rules = { allowedDomains: ['pinduoduo.com', 'yangkeduo.com'], lexicon: builtInLexicon() };
  const corpus = [
    '亲，您的订单号 231102-458921035617 已发货，物流单号 SF1234567890123',
    '中通快递 75138123456789，预计明天送达',
    '这款现在活动价 ¥138.00，满199减20',
    '商品链接 https://mobile.yangkeduo.com/goods.html?goods_id=1234',
    '尺码表在详情页第三张图，身高170体重65kg建议L码',
    '退款会原路退回您的支付账户，1-3个工作日到账',
    '支持微信支付和银行卡支付，在平台下单即可',
    '为了您的账户安全，请勿将验证码告诉任何人',
    '忘记密码可以在“我的-设置”里找回',
    '包装上有防伪码，扫描可以验证真伪',
    '亲，您可以自己看看喜欢哪个颜色',
    '送您一卷垃圾袋，感谢支持',
    '滚筒洗衣机也可以用这款洗衣液',
    'USB 充电线是标配的',
    '型号 iPhone15.Pro 的手机壳有现货',
    '规格 1.5m*2.0m，重量 2.3kg',
    '下单时间 2026-11-02 13:05，订单 3701234567890123454 已签收',
    '客服工作时间 09:00-23:00，晚上也有人值班',
    '这是我们的售后工单号 13812345678，已经为您加急',
    '妈妈的生日礼物选这款很合适',
    '有问题随时在平台联系我们哦',
    '发票可以在订单页申请电子发票',
  ];
  it.each(corpus)('%s', (text) => {
    expect(detectText(text, rules)).toEqual([]);
  });
});

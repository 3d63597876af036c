#!/usr/bin/env node
// Writes samples/tmall/chat-2026-11.csv: three days of a Tmall shop's chats. Deterministic.
//
// Two parts:
// 1. Scenario rows, written out by hand below, each with a `note` column (unknown columns are
//    ignored by cs-audit) saying which clause it exercises: every exclusion of RULES.md §1-§2.
// 2. Routine traffic: 100 ordinary rounds and 30 evaluations a day with a fixed number passing,
//    so the 30-day windows cross the targets and the expected numbers can be worked by hand.
// The hand-worked totals are in samples/tmall/README.md.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHOP = '云朵家居旗舰店';
const MEI = `${SHOP}:小美`;
const QIANG = `${SHOP}:阿强`;
const LIN = `${SHOP}:小林`;
const BOT = `${SHOP}:店小蜜`;
const AGENTS = [MEI, QIANG, LIN];

// time, buyer, sender, agent, type, content, flags, bot_mode, recalled, card, note
const scenario = [
  // ---- 2026-11-02 ----
  ['2026-11-02 08:45:10', 'tb_linda88', 'buyer', '', 'text', '在吗?', '', '', '', '', 'round starts 08:45 → outside 09:00-23:00'],
  ['2026-11-02 09:02:00', 'tb_linda88', 'agent', MEI, 'text', '在的亲', '', '', '', '', 'answers the 08:45 round (not counted)'],
  ['2026-11-02 09:15:00', 'tb_linda88', 'buyer', MEI, 'text', '这个沙发有灰色吗', '', '', '', '', 'round → answered in 90 s: passed'],
  ['2026-11-02 09:16:30', 'tb_linda88', 'agent', MEI, 'text', '有的,灰色和米白都有货', '', '', '', '', ''],
  ['2026-11-02 09:20:00', 'tb_linda88', 'buyer', MEI, 'link', 'https://detail.tmall.com/item.htm?id=7001', '', '', '', '', 'a lone link is a question (seed Q13) → 250 s: failed'],
  ['2026-11-02 09:24:10', 'tb_linda88', 'agent', MEI, 'text', '这款是三人位的', '', '', '', '', ''],
  ['2026-11-02 10:10:15', 'jenny_0921', 'buyer', QIANG, 'text', '请问什么时候发货', '', '', '', '', 'Taobao worked example: round from 10:10:15'],
  ['2026-11-02 10:15:20', 'jenny_0921', 'buyer', QIANG, 'text', '还在吗', '', '', '', '', 'joins the open round'],
  ['2026-11-02 10:18:10', 'jenny_0921', 'agent', QIANG, 'text', '亲,今天下午发', '', '', '', '', '475 s: failed'],
  ['2026-11-02 10:18:30', 'jenny_0921', 'buyer', QIANG, 'text', '好的,发什么快递', '', '', '', '', 'new round'],
  ['2026-11-02 10:19:00', 'jenny_0921', 'agent', QIANG, 'text', '中通快递', '', '', '', '', '30 s: passed'],
  ['2026-11-02 10:30:00', 'jenny_0921', 'buyer', QIANG, 'evaluation', '满意', '', '', '', 'ev-jenny-1', 'satisfaction: passed, for 阿强'],
  ['2026-11-02 11:00:00', 'coco_lee', 'agent', LIN, 'red_packet', '店铺红包 5元', '', '', '', '', 'red packet: excluded message'],
  ['2026-11-02 11:00:05', 'coco_lee', 'system', '', 'system', '买家已领取红包', '', '', '', '', 'system notice: excluded'],
  ['2026-11-02 11:01:00', 'coco_lee', 'buyer', LIN, 'text', '谢谢红包,怎么用', '', '', '', '', 'round → 40 s: passed'],
  ['2026-11-02 11:01:40', 'coco_lee', 'agent', LIN, 'text', '下单时自动抵扣', '', '', '', '', ''],
  ['2026-11-02 11:30:00', 'wang_xm', 'buyer', MEI, 'text', '我要退款', '', '', '1', '', 'recalled: excluded, opens nothing'],
  ['2026-11-02 11:30:20', 'wang_xm', 'buyer', MEI, 'text', '算了不退了,问下尺寸', '', '', '', '', 'round → 40 s: passed'],
  ['2026-11-02 11:31:00', 'wang_xm', 'agent', MEI, 'image', '[尺寸图]', '', '', '', '', 'an image is a valid reply'],
  ['2026-11-02 12:00:00', 'zhao_qq', 'buyer', MEI, 'text', '有优惠吗', '', '', '', '', '0 s reply (0秒回): not counted'],
  ['2026-11-02 12:00:00', 'zhao_qq', 'agent', MEI, 'text', '现在下单立减50', '', '', '', '', ''],
  ['2026-11-02 13:00:00', 'sunny_day', 'buyer', '', 'text', '能开发票吗', '', '', '', '', 'round handled by the automatic bot: not counted'],
  ['2026-11-02 13:00:01', 'sunny_day', 'bot', BOT, 'text', '可以的亲,下单时备注抬头即可', '', 'auto', '', '', 'fully automatic bot reply'],
  ['2026-11-02 13:06:00', 'sunny_day', 'agent', QIANG, 'text', '亲,可以开的', '', '', '', '', 'human reply without assign: ends the hold, round stays uncounted'],
  ['2026-11-02 13:10:00', 'sunny_day', 'buyer', QIANG, 'text', '公司抬头怎么填', '', '', '', '', 'round → 60 s: passed'],
  ['2026-11-02 13:11:00', 'sunny_day', 'agent', QIANG, 'text', '填公司全称和税号', '', '', '', '', ''],
  ['2026-11-02 13:20:00', 'sunny_day', 'buyer', QIANG, 'evaluation', '不满意', '', '', '', 'ev-sunny-1', 'evaluation…'],
  ['2026-11-02 13:25:00', 'sunny_day', 'buyer', QIANG, 'evaluation', '满意', '', '', '', 'ev-sunny-1', '…changed on the same card: one evaluation, passed'],
  ['2026-11-02 14:00:00', 'leo_2020', 'buyer', '', 'text', '转人工', '', '', '', '', 'bot holds the round…'],
  ['2026-11-02 14:00:02', 'leo_2020', 'bot', BOT, 'text', '正在为您转接人工客服', '', 'auto', '', '', ''],
  ['2026-11-02 14:02:00', 'leo_2020', 'system', LIN, 'assign', '', '', '', '', '', '…assign: counts again from 14:02:00'],
  ['2026-11-02 14:03:30', 'leo_2020', 'agent', LIN, 'text', '您好,小林为您服务', '', '', '', '', '90 s after the assign: passed'],
  ['2026-11-02 15:00:00', 'mia_shop', 'buyer', MEI, 'text', '这款有现货吗', '', '', '', '', 'round → smart-assist bot reply in 40 s: passed'],
  ['2026-11-02 15:00:40', 'mia_shop', 'bot', MEI, 'text', '有现货的亲,48小时内发货', '', 'assist', '', '', '乐言 in smart-assist mode: a valid reply'],
  ['2026-11-02 16:00:00', 'angry_buyer', 'buyer', QIANG, 'text', '怎么还不发货', '', '', '', '', 'round with abuse: not counted'],
  ['2026-11-02 16:00:30', 'angry_buyer', 'buyer', QIANG, 'text', '垃圾店', 'abusive', '', '', '', 'platform-recognized abuse'],
  ['2026-11-02 16:06:00', 'angry_buyer', 'agent', QIANG, 'text', '亲,非常抱歉,马上为您催', '', '', '', '', ''],
  ['2026-11-02 16:10:00', 'angry_buyer', 'buyer', QIANG, 'evaluation', '很不满意', '', '', '', 'ev-angry-1', 'satisfaction: failed, for 阿强'],
  ['2026-11-02 17:00:00', 'blocker_99', 'buyer', LIN, 'text', '质量太差了', '', '', '', '', 'round open when the buyer blocks the shop: not counted'],
  ['2026-11-02 17:01:00', 'blocker_99', 'system', '', 'blacklist', '', '', '', '', '', 'buyer blacklisted the shop'],
  ['2026-11-02 18:00:00', 'kiki_mama', 'buyer', MEI, 'text', '你好', '', '', '', '', 'round → the welcome message is no reply → 240 s: failed'],
  ['2026-11-02 18:00:01', 'kiki_mama', 'agent', MEI, 'auto_greeting', '欢迎光临云朵家居', '', '', '', '', 'auto greeting'],
  ['2026-11-02 18:04:00', 'kiki_mama', 'agent', MEI, 'text', '亲,有什么可以帮您', '', '', '', '', ''],
  ['2026-11-02 18:10:00', 'kiki_mama', 'buyer', MEI, 'evaluation', '一般', '', '', '', 'ev-kiki-1', 'satisfaction: failed, for 小美'],
  ['2026-11-02 19:00:00', 'tom_cat', 'buyer', '', 'faq_click', '如何退换货', '', '', '', '', 'a click is no question'],
  ['2026-11-02 19:30:00', 'tom_cat', 'buyer', QIANG, 'ticket', '催发货', '', '', '', '', '催发货 ticket needs a reply → 120 s: passed'],
  ['2026-11-02 19:32:00', 'tom_cat', 'agent', QIANG, 'text', '已催仓库,今天发出', '', '', '', '', ''],
  ['2026-11-02 20:00:00', 'tmall_xiaoer', 'platform', '', 'text', '您好,店铺有一条投诉待处理', '', '', '', '', '小二 message: excluded'],
  ['2026-11-02 20:05:00', 'tmall_xiaoer', 'agent', MEI, 'text', '收到,马上处理', '', '', '', '', 'seller-first round (activity only)'],
  ['2026-11-02 20:30:00', QIANG, 'buyer', MEI, 'text', '帮我看下这个单', '', '', '', '', 'sub-account chatter: not a customer'],
  ['2026-11-02 20:31:00', QIANG, 'agent', MEI, 'text', '好的', '', '', '', '', ''],
  ['2026-11-02 21:00:00', 'supplier_li', 'buyer', '', 'text', '我们是面料厂,合作吗', 'merchant', '', '', '', 'another merchant: not a customer'],
  ['2026-11-02 21:10:00', 'ad_spam01', 'buyer', '', 'text', '刷单兼职日结', 'ad_account', '', '', '', 'advertiser: excluded'],
  ['2026-11-02 22:30:00', 'night_owl', 'buyer', '', 'text', '明天能发吗', '', '', '', '', 'left in the offline pool…'],
  ['2026-11-02 23:20:00', 'late_nick', 'buyer', LIN, 'text', '晚上好', '', '', '', '', 'round starts 23:20 → outside the window'],
  ['2026-11-02 23:25:00', 'late_nick', 'agent', LIN, 'text', '晚上好亲', '', '', '', '', ''],
  // ---- 2026-11-03 ----
  ['2026-11-03 09:00:00', 'early_bird', 'buyer', MEI, 'text', '早', '', '', '', '', 'round at 09:00:00 (inside) → 179 s: passed'],
  ['2026-11-03 09:02:59', 'early_bird', 'agent', MEI, 'text', '早上好', '', '', '', '', ''],
  ['2026-11-03 09:10:00', 'night_owl', 'system', QIANG, 'assign', '', '', '', '', '', '…assigned next morning: a round of 11-03 from 09:10'],
  ['2026-11-03 09:12:00', 'night_owl', 'agent', QIANG, 'text', '亲,今天就发', '', '', '', '', '120 s after the assign: passed'],
  ['2026-11-03 09:20:00', 'early_bird', 'buyer', MEI, 'evaluation', '很满意', '', '', '', 'ev-early-1', 'satisfaction: passed, for 小美'],
  ['2026-11-03 10:00:00', 'slow_reply', 'buyer', LIN, 'text', '可以便宜点吗', '', '', '', '', 'round → 181 s: failed'],
  ['2026-11-03 10:03:01', 'slow_reply', 'agent', LIN, 'text', '已经是最低价了', '', '', '', '', ''],
  ['2026-11-03 10:10:00', 'slow_reply', 'buyer', LIN, 'evaluation', '不满意', '', '', '', 'ev-slow-1', 'satisfaction: failed, for 小林'],
  ['2026-11-03 10:30:00', 'ghosted', 'buyer', LIN, 'text', '在吗', '', '', '', '', 'never answered on 11-03: failed (for 小林, the receiver)'],
  ['2026-11-03 11:00:00', 'pay_later', 'agent', MEI, 'text', '亲,您的订单还没付款哦', '', '', '', '', '催付: seller-first round, not assessed'],
  ['2026-11-03 11:20:00', 'pay_later', 'buyer', MEI, 'text', '马上付', '', '', '', '', 'round → 60 s: passed'],
  ['2026-11-03 11:21:00', 'pay_later', 'agent', MEI, 'text', '好的,付款后马上安排', '', '', '', '', ''],
  ['2026-11-03 12:00:00', 'fake_user', 'buyer', '', 'text', '好评返现吗', 'cheating', '', '', '', 'cheating conversation: excluded'],
  ['2026-11-03 13:00:00', 'uu_home', 'buyer', MEI, 'text', '在吗', '', '', '', '', 'round → a reply from a deleted sub-account does not count → 300 s: failed'],
  ['2026-11-03 13:01:00', 'uu_home', 'agent', `${SHOP}:离职客服`, 'text', '在的', 'disabled_account', '', '', '', 'sent after the sub-account was disabled'],
  ['2026-11-03 13:05:00', 'uu_home', 'agent', MEI, 'text', '亲,在的', '', '', '', '', ''],
  ['2026-11-03 14:00:00', 'jenny_0921', 'buyer', QIANG, 'text', '到哪了', '', '', '', '', 'round → 50 s: passed'],
  ['2026-11-03 14:00:50', 'jenny_0921', 'agent', QIANG, 'text', '已到杭州中转', '', '', '', '', ''],
  // ---- 2026-11-04 ----
  ['2026-11-04 09:30:00', 'ghosted', 'buyer', LIN, 'text', '怎么没人回', '', '', '', '', 'a new day opens a new round → 60 s: passed'],
  ['2026-11-04 09:31:00', 'ghosted', 'agent', LIN, 'text', '抱歉亲,昨天消息太多', '', '', '', '', ''],
  ['2026-11-04 15:00:00', 'invoice_co', 'buyer', MEI, 'text', '发票什么时候开', '', '', '', '', 'round → 70 s: passed'],
  ['2026-11-04 15:01:10', 'invoice_co', 'agent', MEI, 'text', '确认收货后开', '', '', '', '', ''],
  ['2026-11-04 22:58:00', 'last_minute', 'buyer', LIN, 'text', '还能下单吗', '', '', '', '', 'deadline 23:01:00 is after the end of the data: pending'],
  ['2026-11-04 22:59:00', 'closing_time', 'buyer', LIN, 'text', '包邮吗', '', '', '', '', 'round → 30 s: passed'],
  ['2026-11-04 22:59:30', 'closing_time', 'agent', LIN, 'text', '包邮的', '', '', '', '', 'the latest row: the end of the data'],
];

// Routine traffic: per day, rounds (how many pass) and evaluations (how many satisfied).
const routine = {
  '2026-11-02': { rounds: 100, passed: 85, evaluations: 30, satisfied: 25 },
  '2026-11-03': { rounds: 100, passed: 60, evaluations: 30, satisfied: 18 },
  '2026-11-04': { rounds: 100, passed: 90, evaluations: 30, satisfied: 20 },
};

const QUESTIONS = ['这款多少钱', '有优惠券吗', '能便宜点吗', '什么时候发货', '尺寸是多大的', '质量怎么样', '可以退换吗', '有赠品吗'];
const ANSWERS = ['亲,页面价就是最低价', '领券立减20元', '已经是活动价了', '48小时内发货', '详情页有尺寸表', '质保三年', '支持七天无理由', '送清洁套装'];
const HAPPY = ['很满意', '满意'];
const UNHAPPY = ['一般', '不满意', '很不满意'];

function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((x) => String(x).padStart(2, '0')).join(':');
}

const rows = [];
for (const r of scenario) rows.push(r);
for (const [date, plan] of Object.entries(routine)) {
  const d = date.slice(5).replace('-', '');
  for (let i = 0; i < plan.rounds; i++) {
    const buyer = `tb${d}_${String(i).padStart(3, '0')}`;
    const agent = AGENTS[i % 3];
    const start = 9 * 3600 + 30 * 60 + i * 432; // 09:30 onwards, every 7.2 minutes
    // Which rounds fail: a fixed spread, (i * 37) % 100 ≥ passed fails.
    const passes = (i * 37) % 100 < plan.passed;
    const delay = passes ? 20 + ((i * 13) % 150) : 200 + ((i * 29) % 700);
    rows.push([`${date} ${clock(start)}`, buyer, 'buyer', agent, 'text', QUESTIONS[i % 8], '', '', '', '', '']);
    if (i % 4 === 0) {
      // A second question 15 s later joins the same round.
      rows.push([`${date} ${clock(start + 15)}`, buyer, 'buyer', agent, 'text', '在吗?', '', '', '', '', '']);
    }
    rows.push([`${date} ${clock(start + delay)}`, buyer, 'agent', agent, 'text', ANSWERS[i % 8], '', '', '', '', '']);
    if (i < plan.evaluations) {
      const level = i < plan.satisfied ? HAPPY[i % 2] : UNHAPPY[i % 3];
      rows.push([`${date} ${clock(start + delay + 60)}`, buyer, 'buyer', agent, 'evaluation', level, '', '', '', `ev${d}-${i}`, '']);
    }
  }
}

// Exports are rarely sorted by time: order by buyer, then time, as a per-conversation export is.
rows.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

const header = ['id', 'time', 'shop', 'buyer', 'sender', 'agent', 'type', 'content', 'flags', 'bot_mode', 'recalled', 'card', 'note'];
const cell = (v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const lines = [header.join(',')];
rows.forEach((r, i) => {
  const [time, buyer, sender, agent, type, content, flags, botMode, recalled, card, note] = r;
  const id = `msg${String(i + 1).padStart(5, '0')}`;
  lines.push([id, time, SHOP, buyer, sender, agent, type, content, flags, botMode, recalled, card, note].map(cell).join(','));
});
const out = fileURLToPath(new URL('./chat-2026-11.csv', import.meta.url));
writeFileSync(out, `\uFEFF${lines.join('\r\n')}\r\n`);
process.stdout.write(`wrote ${rows.length} rows to ${out}\n`);

#!/usr/bin/env node
// samples/pinduoduo/chat.csv: three days of a Pinduoduo shop. Deterministic. Hand-worked numbers
// in README.md.
import { addDays, clock, random, writeCsv } from '../lib/csv.mjs';

const SHOP = '星河数码专营店';
const AGENTS = [`${SHOP}:小周`, `${SHOP}:小吴`];
const BOT = `${SHOP}:机器人`;
const rnd = random(20261102);
const rows = [];
const add = (date, seconds, buyer, sender, agent, content, extra = {}) =>
  rows.push({ time: `${date} ${clock(seconds)}`, shop: SHOP, buyer, sender, agent, content, ...extra });

// Routine buyers: one question each from 08:00, every 7 minutes; `effective` of them answered
// within the hour (60 s … 3600 s), the others after 3601 s … 7200 s.
const plan = [
  { date: '2026-11-02', buyers: 120, effective: 80 },
  { date: '2026-11-03', buyers: 110, effective: 50 },
  { date: '2026-11-04', buyers: 60, effective: 40 },
];
const QUESTIONS = ['这个耳机有现货吗', '能便宜点吗', '今天能发货吗', '支持七天无理由吗', '有发票吗'];
for (const { date, buyers, effective } of plan) {
  for (let i = 0; i < buyers; i++) {
    const buyer = `pdd_${date.slice(5).replace('-', '')}_${i}`;
    const agent = AGENTS[i % 2];
    const start = 8 * 3600 + i * 420;
    const ok = i < effective;
    const delay = ok ? 60 + Math.floor(rnd() * 3541) : 3601 + Math.floor(rnd() * 3600);
    add(date, start, buyer, 'buyer', agent, QUESTIONS[i % QUESTIONS.length]);
    add(date, start + delay, buyer, 'agent', agent, '亲,在的');
    if (ok && i % 5 === 0) {
      // A second stretch later that day, also answered within the hour.
      add(date, start + delay + 1800, buyer, 'buyer', agent, '好的,那我下单了');
      add(date, start + delay + 1800 + 600, buyer, 'agent', agent, '感谢支持');
    }
  }
}

// Scenario buyers on 2026-11-02 (RULES.md §3):
const d = plan[0].date;
// Messages before 08:00 do not make a consulting user; one in the window counts from its own time.
add(d, 7 * 3600 + 1800, 'early_wang', 'buyer', '', '在吗');
add(d, 8 * 3600 + 600, 'early_wang', 'buyer', '', '有人吗');
add(d, 9 * 3600 + 300, 'early_wang', 'agent', AGENTS[0], '在的', { note: '55 min after the 08:10 message: effective' });
// Only before 08:00: not a consulting user.
add(d, 7 * 3600, 'dawn_li', 'buyer', '', '早');
add(d, 7 * 3600 + 300, 'dawn_li', 'agent', AGENTS[0], '早上好');
// A reply after 23:00 still counts from the message.
add(d, 22 * 3600 + 2400, 'night_zhao', 'buyer', '', '明天发货吗', { note: '22:40' });
add(d, 23 * 3600 + 1800, 'night_zhao', 'agent', AGENTS[1], '明天一早发', { note: '23:30: 50 min, effective' });
// An automatic bot answer is no reply.
add(d, 10 * 3600, 'bot_chen', 'buyer', '', '怎么退货');
add(d, 10 * 3600 + 5, 'bot_chen', 'bot', BOT, '您好,请在订单页申请退货', { bot_mode: 'auto' });
add(d, 11 * 3600 + 1800, 'bot_chen', 'agent', AGENTS[0], '亲,已为您处理', { note: '90 min after the question: not effective' });
// A recalled message is not a question; a red packet is not a reply.
add(d, 12 * 3600, 'recall_sun', 'buyer', '', '我要投诉', { recalled: '1' });
add(d, 12 * 3600 + 60, 'recall_sun', 'agent', AGENTS[1], '优惠券', { type: 'red_packet' });

rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
const n = writeCsv(new URL('./chat.csv', import.meta.url), ['time', 'shop', 'buyer', 'sender', 'agent', 'type', 'content', 'bot_mode', 'recalled', 'note'], rows);
process.stdout.write(`wrote ${n} rows (last day ${addDays(plan[2].date, 0)})\n`);

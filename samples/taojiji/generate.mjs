#!/usr/bin/env node
// samples/taojiji/chat.csv and presence.csv: five days of a Taojiji shop. Deterministic.
// Hand-worked numbers in README.md.
import { clock, random, writeCsv } from '../lib/csv.mjs';

const SHOP = '好物集合店';
const A = `${SHOP}:阿杰`;
const B = `${SHOP}:小雪`;
const rnd = random(3062022);
const days = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'];

// Presence: [agent, online from, to] in hours; the shop's online time is the union.
const shifts = {
  '2026-11-02': [[A, 8, 16], [B, 15, 22]], // 08-22: 14 h
  '2026-11-03': [[A, 9, 16], [B, 14, 20]], // 09-20: 11 h → warning
  '2026-11-04': [[A, 9, 15], [B, 15, 20.5]], // 09-20:30: 11.5 h → warning
  '2026-11-05': [[A, 10, 21]], // 11 h → warning, the 3rd in November → 1000 CNY
  '2026-11-06': [[A, 8, 12], [B, 8, 20]], // 08-20: 12 h → pass
};
const presence = [];
for (const [date, list] of Object.entries(shifts)) {
  for (const [agent, from, to] of list) {
    presence.push({ time: `${date} ${clock(from * 3600)}`, shop: SHOP, agent, status: 'online' });
    presence.push({ time: `${date} ${clock(to * 3600)}`, shop: SHOP, agent, status: 'offline' });
  }
}
// A 30-minute lunch break as 挂起 (away) inside 阿杰's shift on 11-02, covered by nobody else:
// 08:00-15:00 is 阿杰 alone, so 12:00-12:30 away costs half an hour → 13.5 h that day.
presence.push({ time: '2026-11-02 12:00:00', shop: SHOP, agent: A, status: 'away' });
presence.push({ time: '2026-11-02 12:30:00', shop: SHOP, agent: A, status: 'online' });

// Chat: 70 buyers a day from 08:00 every 12 minutes, each one round. Per day, `replied` get a
// same-day reply; of those, `fast` within 300 s (5-minute rate), the rest in 301-3000 s.
const plan = { replied: [66, 58, 63, 60, 70], fast: [60, 40, 55, 50, 66] };
const chat = [];
days.forEach((date, d) => {
  for (let i = 0; i < 70; i++) {
    const buyer = `tjj${date.slice(8)}_${i}`;
    const agent = i % 2 ? A : B;
    const start = 8 * 3600 + i * 720;
    chat.push({ time: `${date} ${clock(start)}`, shop: SHOP, buyer, sender: 'buyer', agent, content: '在吗,这个多少钱' });
    if (i >= plan.replied[d]) continue;
    const delay = i < plan.fast[d] ? 20 + Math.floor(rnd() * 281) : 301 + Math.floor(rnd() * 2700);
    chat.push({ time: `${date} ${clock(start + delay)}`, shop: SHOP, buyer, sender: 'agent', agent, content: '亲,19.9包邮' });
  }
});
// A buyer answered only after midnight: consulting on 11-02, not replied that day.
chat.push({ time: '2026-11-02 23:50:00', shop: SHOP, buyer: 'night_owl', sender: 'buyer', agent: '', content: '还在吗' });
chat.push({ time: '2026-11-03 00:10:00', shop: SHOP, buyer: 'night_owl', sender: 'agent', agent: A, content: '在的' });

chat.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
const c = writeCsv(new URL('./chat.csv', import.meta.url), ['time', 'shop', 'buyer', 'sender', 'agent', 'content'], chat);
const p = writeCsv(new URL('./presence.csv', import.meta.url), ['time', 'shop', 'agent', 'status'], presence);
process.stdout.write(`wrote ${c} chat rows, ${p} presence rows\n`);

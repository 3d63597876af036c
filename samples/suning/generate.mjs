#!/usr/bin/env node
// samples/suning/chat.csv and presence.csv: a Suning shop from 2023-12-26 to 2024-01-05, across
// the 2023-12-21 rule version. Deterministic. Hand-worked numbers in README.md.
import { addDays, clock, random, writeCsv } from '../lib/csv.mjs';

const SHOP = '苏宁云台·悦家电器';
const A = `${SHOP}:客服01`;
const B = `${SHOP}:客服02`;
const rnd = random(21122023);
const first = '2023-12-26';
const DAYS = 11;
// Online hours a day (agent A from 09:00; agent B adds evening hours on some days).
// 12-26 … 12-28: 7 h a day (under 8 h) → buyers write on 12-29: robot take-over that day.
const online = [7, 7, 7, 10, 10, 10, 9, 9, 9, 9, 9];
const presence = [];
online.forEach((hours, d) => {
  const date = addDays(first, d);
  presence.push({ time: `${date} 09:00:00`, shop: SHOP, agent: A, status: 'online' });
  presence.push({ time: `${date} ${clock((9 + hours) * 3600)}`, shop: SHOP, agent: A, status: 'offline' });
});
// 客服02 logs in at 12:00 on 12-30 while 客服01 is online: the overlap counts once (still 10 h).
presence.push({ time: '2023-12-30 12:00:00', shop: SHOP, agent: B, status: 'online' });
presence.push({ time: '2023-12-30 14:00:00', shop: SHOP, agent: B, status: 'offline' });

// Chat: 12 buyers a day from 09:30, every 45 minutes. Each opens a session (and a round) and
// gets a first reply; `fast45` of them within 45 s, the rest within 46-170 s (all within 3 min),
// except `slow` that wait 200-500 s.
const chat = [];
for (let d = 0; d < DAYS; d++) {
  const date = addDays(first, d);
  for (let i = 0; i < 12; i++) {
    const buyer = `sn${date.slice(5).replace('-', '')}_${i}`;
    const agent = i % 2 ? A : B;
    const start = 9 * 3600 + 1800 + i * 2700;
    const delay = i < 11 ? (i < 10 ? 10 + Math.floor(rnd() * 36) : 46 + Math.floor(rnd() * 125)) : 200 + Math.floor(rnd() * 301);
    chat.push({ time: `${date} ${clock(start)}`, shop: SHOP, buyer, sender: 'buyer', agent, content: '空调能装吗' });
    chat.push({ time: `${date} ${clock(start + delay)}`, shop: SHOP, buyer, sender: 'agent', agent, content: '可以的,免费安装' });
  }
}
// A session opened at 23:59 is inside 09:00-24:00; one at 08:59 is not.
chat.push({ time: '2024-01-02 23:59:00', shop: SHOP, buyer: 'late_night', sender: 'buyer', agent: A, content: '还在吗' });
chat.push({ time: '2024-01-02 23:59:30', shop: SHOP, buyer: 'late_night', sender: 'agent', agent: A, content: '在' });
chat.push({ time: '2024-01-03 08:59:00', shop: SHOP, buyer: 'early_bird', sender: 'buyer', agent: A, content: '在吗' });
chat.push({ time: '2024-01-03 09:10:00', shop: SHOP, buyer: 'early_bird', sender: 'agent', agent: A, content: '在的' });

chat.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
const c = writeCsv(new URL('./chat.csv', import.meta.url), ['time', 'shop', 'buyer', 'sender', 'agent', 'content'], chat);
const p = writeCsv(new URL('./presence.csv', import.meta.url), ['time', 'shop', 'agent', 'status'], presence);
process.stdout.write(`wrote ${c} chat rows, ${p} presence rows\n`);

#!/usr/bin/env node
// samples/xiaohongshu/chat.csv: twelve days of a Xiaohongshu shop. Deterministic. Hand-worked
// numbers in README.md.
import { addDays, clock, random, writeCsv } from '../lib/csv.mjs';

const SHOP = '小岛生活馆';
const AGENTS = [`${SHOP}:Momo`, `${SHOP}:Kiki`];
const rnd = random(13032023);
const rows = [];
const first = '2026-11-01';
// Sessions a day, and how many answered within 180 s (the others in 200-900 s).
const plan = [
  [20, 18], [20, 17], [20, 18], [20, 19], [20, 17], [20, 18], [20, 18], // 11-01 … 11-07: 125/140
  [20, 8], [20, 9], [20, 10], [20, 16], [20, 18], // 11-08 … 11-12
];
plan.forEach(([sessions, fast], d) => {
  const date = addDays(first, d);
  for (let i = 0; i < sessions; i++) {
    const buyer = `redbook_${date.slice(8)}_${i}`;
    const agent = AGENTS[i % 2];
    const start = 9 * 3600 + i * 1800; // 09:00, then every 30 minutes (up to 18:30)
    const delay = i < fast ? 15 + Math.floor(rnd() * 166) : 200 + Math.floor(rnd() * 700);
    rows.push({ time: `${date} ${clock(start)}`, shop: SHOP, buyer, sender: 'buyer', agent, content: '这款香薰还有货吗' });
    if (i % 3 === 0) rows.push({ time: `${date} ${clock(start + 5)}`, shop: SHOP, buyer, sender: 'bot', agent: `${SHOP}:自动回复`, content: '您好,客服马上来', bot_mode: 'auto' });
    rows.push({ time: `${date} ${clock(start + delay)}`, shop: SHOP, buyer, sender: 'agent', agent, content: '有的亲' });
    if (i < 10) {
      // Ten service evaluations a day; from 11-08 the first three of each day are dissatisfied.
      const level = d >= 7 && i < 3 ? (i === 0 ? '很不满意' : '不满意') : i % 2 ? '满意' : '一般';
      rows.push({ time: `${date} ${clock(start + delay + 120)}`, shop: SHOP, buyer, sender: 'buyer', agent, type: 'evaluation', content: level, card: `ev-${date}-${i}` });
    }
  }
  // Sessions outside 09:00-23:00 do not count.
  rows.push({ time: `${date} 08:30:00`, shop: SHOP, buyer: `early_${d}`, sender: 'buyer', agent: '', content: '在吗' });
  rows.push({ time: `${date} 08:40:00`, shop: SHOP, buyer: `early_${d}`, sender: 'agent', agent: AGENTS[0], content: '在的' });
});
rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
const n = writeCsv(new URL('./chat.csv', import.meta.url), ['time', 'shop', 'buyer', 'sender', 'agent', 'type', 'content', 'bot_mode', 'card'], rows);
process.stdout.write(`wrote ${n} rows\n`);

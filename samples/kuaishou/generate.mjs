#!/usr/bin/env node
// samples/kuaishou/reviews.csv: a week of product reviews of a Kuaishou shop. Deterministic.
// Hand-worked numbers in README.md.
import { addDays, clock, random, writeCsv } from '../lib/csv.mjs';

const SHOP = '快手小店·阿花家的零食铺';
const rnd = random(16102023);
const rows = [];
const first = '2026-11-02';
const NEGATIVE = ['太难吃了', '包装破了', '和图片不一样', '发货太慢'];
for (let d = 0; d < 7; d++) {
  const date = addDays(first, d);
  for (let i = 0; i < 30; i++) {
    const t = 8 * 3600 + i * 1500 + Math.floor(rnd() * 600);
    const id = `KS${date.slice(5).replace('-', '')}${String(i).padStart(3, '0')}`;
    // Every 6th review is negative (1-2 stars) with text; every 10th a 2-star without content.
    const negative = i % 6 === 0;
    const bare = i % 10 === 5;
    const rating = negative ? 1 + (i % 2) : bare ? 2 : 4 + (i % 2);
    const content = negative ? NEGATIVE[i % 4] : bare ? '' : '好吃,回购';
    let reply = '';
    if (negative) {
      // Late on 11-04 (the 1st negative review answered after 25 h) and never on 11-06 (the 2nd).
      const late = (d === 2 && i === 0) || (d === 4 && i === 6);
      const delay = d === 4 && i === 6 ? null : late ? 25 * 3600 : 3600 + Math.floor(rnd() * 20 * 3600);
      if (delay !== null) {
        const at = Date.parse(`${date}T${clock(t)}Z`) + delay * 1000;
        reply = new Date(at).toISOString().slice(0, 19).replace('T', ' ');
      }
    }
    rows.push({ time: `${date} ${clock(t)}`, shop: SHOP, review_id: id, rating, content, reply_time: reply, agent: i % 2 ? `${SHOP}:小花` : `${SHOP}:小草` });
  }
}
const n = writeCsv(new URL('./reviews.csv', import.meta.url), ['time', 'shop', 'review_id', 'rating', 'content', 'reply_time', 'agent'], rows);
process.stdout.write(`wrote ${n} rows\n`);

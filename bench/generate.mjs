#!/usr/bin/env node
// Deterministic benchmark chat log (issue 8): canonical CSV in time order (conversations
// overlap; their rows are interleaved by time, ties in generation order), over 30 days, with
// a realistic mix — bursts of buyer messages, replies from many agents, automatic and assist
// bots, red packets, recalled messages, evaluations, system notices, and contents holding
// commas, quotes and newlines. Same arguments, same bytes.
//   node bench/generate.mjs <messages> <out.csv> [--shops N] [--by-conversation]
// --by-conversation writes the same rows one conversation after another (an export grouped by
// conversation, not in time order), for the unsorted-input benchmark.
import { createWriteStream } from 'node:fs';

const total = Number(process.argv[2] ?? 1_000_000);
const out = process.argv[3] ?? 'bench/chat.csv';
const shopsArg = process.argv.indexOf('--shops');
const SHOPS = shopsArg > 0 ? Number(process.argv[shopsArg + 1]) : 1;
const BY_CONVERSATION = process.argv.includes('--by-conversation');

// mulberry32: a small, fast, seeded generator.
let state = 0x2026_1123;
function random() {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];

const QUESTIONS = ['在吗', '这个有现货吗', '什么时候发货', '能便宜点吗', '尺码怎么选，身高170', '我的快递到哪了？单号 SF1234567890123', '"急"，今天能发吗', '颜色有色差吗\n图片和实物一样吗'];
const REPLIES = ['亲，在的', '有现货的亲，48小时内发货', '亲，活动价已经是最低了，满199减20', '建议选L码，偏大一码', '已经为您催促快递了，请耐心等待', '好的，"马上"为您处理', '您好，订单号 231102-458921035617 已发货\n请注意查收'];
const PERSONAL = ['您的订单已发出，运单号 YT', '帮您备注好了，订单号 ', '已为您登记换货，工单号 ', '您的退款已处理，订单尾号 '];
const BOT = ['您好，欢迎光临，有什么可以帮您？', '自动回复：客服正在赶来，请稍候'];
const BASE = Date.UTC(2026, 9, 1, -8); // 2026-10-01 00:00 Shanghai
const DAY = 86_400_000;

function local(ms) {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
function cell(v) {
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

const stream = createWriteStream(out);
const write = (s) => (stream.write(s) ? Promise.resolve() : new Promise((r) => stream.once('drain', r)));
await write('id,time,shop,buyer,sender,agent,type,content,recalled,bot_mode,card\n');

// Conversations start through 30 days, more in the day than at night; each is a burst of about
// 3.2 messages. The mean gap is scaled so the month comes out at 30 days whatever the size.
const meanGap = ((30 * DAY) / (total / 3.2)) * 0.6;
let t = BASE;
let n = 0;
let id = 0;
let chunk = '';

/** Rows generated but not written yet, earliest first (ties in generation order). */
class RowHeap {
  items = [];
  get size() {
    return this.items.length;
  }
  less(a, b) {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }
  peek() {
    return this.items[0];
  }
  push(x) {
    const h = this.items;
    h.push(x);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop() {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
const pending = new RowHeap();

while (n < total) {
  const hour = Math.floor(((t - BASE) % DAY) / 3_600_000);
  const busy = hour >= 9 && hour < 23 ? 1 : 0.15;
  t += Math.max(1, Math.round((-Math.log(1 - random()) * meanGap) / busy));
  const shop = `shop${Math.floor(random() * SHOPS)}`;
  const buyer = `buyer${Math.floor(random() * 400_000)}`;
  const agent = `${shop}:agent${Math.floor(random() * 60)}`;
  let at = t;
  const rows = [];
  // Rows are ordered by the second the file shows, then generated order: the order any reader
  // gives rows with equal times (file order), also in the --by-conversation copy.
  const row = (sender, who, type, content, extra = ['', '', '']) =>
    rows.push({ at: Math.floor(at / 1000) * 1000, id, cells: [`m${id++}`, local(at), shop, buyer, sender, who, type, content, ...extra] });
  const burst = 1 + Math.floor(random() * 3);
  for (let i = 0; i < burst; i++) {
    row('buyer', agent, 'text', pick(QUESTIONS), [random() < 0.01 ? '1' : '', '', '']);
    at += 1000 + Math.floor(random() * 20_000);
  }
  const r = random();
  if (r < 0.1) {
    row('bot', `${shop}:bot`, 'text', pick(BOT), ['', 'auto', '']);
    at += 5000;
  } else if (r < 0.13) {
    row('agent', agent, 'red_packet', '红包');
    at += 2000;
  } else if (r < 0.15) {
    row('system', '', 'system', '系统提示：请勿线下交易');
  }
  at += Math.floor(-Math.log(1 - random()) * 90_000);
  // About a third of the replies are written for this buyer (an order number, a size): as many
  // texts as messages, as in real logs, beside the quick replies every agent repeats.
  const reply = random() < 0.35 ? `亲，${pick(PERSONAL)}${String(Math.floor(random() * 1e12)).padStart(12, '0')}` : pick(REPLIES);
  row(random() < 0.05 ? 'bot' : 'agent', agent, 'text', reply, ['', random() < 0.05 ? 'assist' : '', '']);
  if (random() < 0.04) {
    at += 60_000;
    row('buyer', agent, 'evaluation', pick(['很满意', '满意', '一般', '不满意']), ['', '', `card${id}`]);
  }
  for (const x of rows) {
    if (n >= total) break;
    pending.push(x);
    n++;
  }
  // Rows of conversations still going wait until no later conversation can come before them.
  const next = BY_CONVERSATION ? Infinity : t;
  while (pending.size > 0 && pending.peek().at <= next) {
    chunk += `${pending.pop().cells.map(cell).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
}
while (pending.size > 0) chunk += `${pending.pop().cells.map(cell).join(',')}\n`;
await write(chunk);
stream.end();
await new Promise((r) => stream.on('finish', r));
process.stderr.write(`${out}: ${n} messages, ${local(BASE)} .. ${local(t)}\n`);

#!/usr/bin/env node
// Where a run's time goes (npm run bench -- --stages): each stage of reading one log measured on
// its own, in a fresh process, beside a reference that computes one metric straight from the
// bytes (issue 8's premise: "a byte-level Node reader computing the same metric reached 2.47 s").
//   node bench/stages.mjs <stage> <log.csv>     prints {"seconds": …, "rows": …} as JSON
// Stages: scan, decode, reference, reader, thread, conduct (see STAGES). All but the first three run the build
// in dist/ (npm run build). Not a test: numbers depend on the machine.
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { Buffer } from 'node:buffer';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const dist = (module) => import(pathToFileURL(path.join(DIST, module)).href);
const CHUNK = 1 << 22;
const LF = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * The file a chunk at a time: `each(buf, end, last)` reads what it can of bytes [0, end) and
 * returns where it stopped (a record the chunk cut); those bytes come again, with the next chunk.
 */
function chunks(file, each) {
  const fd = openSync(file, 'r');
  let buf = Buffer.allocUnsafe(2 * CHUNK);
  let kept = 0;
  try {
    for (;;) {
      if (buf.length - kept < CHUNK) {
        const grown = Buffer.allocUnsafe(2 * buf.length);
        buf.copy(grown, 0, 0, kept);
        buf = grown;
      }
      const n = readSync(fd, buf, kept, CHUNK, null);
      const end = kept + n;
      const used = each(buf, end, n === 0);
      if (n === 0) return;
      buf.copy(buf, 0, used, end);
      kept = end - used;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every byte looked at once, quotes respected, rows counted, nothing made (the bench's floor). */
function scan(file) {
  let rows = 0;
  let quoted = false;
  const fd = openSync(file, 'r');
  const bytes = Buffer.allocUnsafe(1 << 24);
  for (let n; (n = readSync(fd, bytes, 0, bytes.length, null)) > 0; ) {
    for (let i = 0; i < n; i++) {
      const b = bytes[i];
      if (b === QUOTE) quoted = !quoted;
      else if (b === LF && !quoted) rows++;
    }
  }
  closeSync(fd);
  return rows - 1;
}

/** Every byte made into text (up to a line end at a time): what decoding costs before anything is split. Returns lines. */
function decode(file) {
  let lines = 0;
  chunks(file, (buf, end, last) => {
    // A line end is never inside a character: the text is the same cut there.
    const cut = last ? end : buf.lastIndexOf(LF, end - 1) + 1;
    const text = buf.toString('utf8', 0, cut);
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    return cut;
  });
  return lines;
}

/**
 * One metric straight from the bytes, no strings and no object per row: rounds opened by a buyer's
 * text, image or link and answered by the next agent message within 180 s, per day. A yardstick,
 * not Tmall's rule (no exclusions, bots, windows or accounts): the kind of reader issue 8 cites.
 */
function reference(file) {
  const d2 = (b, i) => (b[i] - 48) * 10 + b[i + 1] - 48;
  // Buyers by their bytes: open addressing over a byte arena.
  const capacity = 1 << 22;
  const table = new Int32Array(capacity).fill(-1);
  const hashes = new Int32Array(capacity);
  let arena = new Uint8Array(1 << 24);
  let arenaEnd = 0;
  const keyAt = new Int32Array(capacity);
  const keyLength = new Int32Array(capacity);
  const waiting = new Float64Array(capacity).fill(-1);
  // The day of the round each buyer waits in: an answer counts on the round's day.
  const waitingDay = new Int32Array(capacity);
  let buyers = 0;
  const buyerOf = (b, s, e) => {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 0x01000193);
    for (let slot = (h >>> 0) & (capacity - 1); ; slot = (slot + 1) & (capacity - 1)) {
      const k = table[slot];
      if (k === -1) {
        if (buyers === capacity >> 1) throw new Error('reference: too many buyers');
        if (arenaEnd + e - s > arena.length) {
          const grown = new Uint8Array(arena.length * 2);
          grown.set(arena);
          arena = grown;
        }
        keyAt[buyers] = arenaEnd;
        keyLength[buyers] = e - s;
        for (let i = s; i < e; i++) arena[arenaEnd++] = b[i];
        table[slot] = buyers;
        hashes[slot] = h;
        return buyers++;
      }
      if (hashes[slot] === h && keyLength[k] === e - s) {
        let j = 0;
        const a = keyAt[k];
        while (j < e - s && arena[a + j] === b[s + j]) j++;
        if (j === e - s) return k;
      }
    }
  };
  const rounds = new Int32Array(1 << 16);
  const answered = new Int32Array(1 << 16);
  const field = new Int32Array(64);
  let column = null;
  let rows = 0;
  let lastDate = -1;
  let lastDateSeconds = 0;
  chunks(file, (buf, end, last) => {
    let p = 0;
    while (p < end) {
      let n = 0;
      let quoted = false;
      let i = p;
      field[0] = p;
      for (; i < end; i++) {
        const c = buf[i];
        if (c === QUOTE) quoted = !quoted;
        else if (!quoted && (c === COMMA || c === LF)) {
          // Fields past the 31st are not needed here.
          if (2 * n + 2 < field.length) {
            field[2 * n + 1] = i;
            field[2 * n + 2] = i + 1;
          }
          n++;
          if (c === LF) break;
        }
      }
      // A record the chunk cut waits for the next; the file's last may have no line end.
      if (i >= end) {
        if (!last) break;
        if (2 * n + 1 < field.length) field[2 * n + 1] = end;
      }
      const start = p;
      p = i + 1;
      if (column === null) {
        const names = buf.toString('utf8', start, i).replace(/\r$/, '').split(',');
        column = Object.fromEntries(['time', 'buyer', 'sender', 'type', 'recalled'].map((k) => [k, names.indexOf(k)]));
        continue;
      }
      rows++;
      if (field[2 * column.recalled + 1] > field[2 * column.recalled]) continue;
      const ts = field[2 * column.time];
      const year = d2(buf, ts) * 100 + d2(buf, ts + 2);
      const date = (year * 100 + d2(buf, ts + 5)) * 100 + d2(buf, ts + 8);
      if (date !== lastDate) {
        lastDate = date;
        lastDateSeconds = Date.UTC(Math.floor(date / 10000), (Math.floor(date / 100) % 100) - 1, date % 100) / 1000;
      }
      const t = lastDateSeconds + d2(buf, ts + 11) * 3600 + d2(buf, ts + 14) * 60 + d2(buf, ts + 17);
      const day = Math.floor(t / 86400) & 0xffff;
      const sender = field[2 * column.sender];
      const type = buf[field[2 * column.type]];
      const k = buyerOf(buf, field[2 * column.buyer], field[2 * column.buyer + 1]);
      if (buf[sender] === 0x62 && buf[sender + 1] === 0x75) {
        // buyer: text, image or link
        if ((type === 0x74 || type === 0x69 || type === 0x6c) && waiting[k] < 0) {
          waiting[k] = t;
          waitingDay[k] = day;
          rounds[day]++;
        }
      } else if (buf[sender] === 0x61 && waiting[k] >= 0) {
        // agent
        if (t - waiting[k] <= 180) answered[waitingDay[k]]++;
        waiting[k] = -1;
      }
    }
    return Math.min(p, end);
  });
  let total = 0;
  let inTime = 0;
  for (let d = 0; d < rounds.length; d++) {
    total += rounds[d];
    inTime += answered[d];
  }
  return { rows, buyers, rounds: total, answered: inTime };
}

/** cs-audit's reader on this thread: records split, decoded and normalized into messages, then dropped. */
async function reader(file) {
  const { readMessages } = await dist('ingest/read-messages.js');
  const { Zone } = await dist('time/zone.js');
  const source = { name: file, path: file, data: null, encoding: 'utf-8' };
  let rows = 0;
  for await (const batch of readMessages(source, 0, new Zone('Asia/Shanghai'), { profile: null, map: null })) rows += batch.length;
  return rows;
}

/**
 * cs-audit's reading thread as a one-pass run starts it (read-chat.ts messagesFromWorker), with a
 * main thread that only takes its batches: how fast reading alone can go, the engine left out.
 */
async function thread(file) {
  const { port1, port2 } = new MessageChannel();
  const control = new Int32Array(new SharedArrayBuffer(8));
  const parent = mkdtempSync(path.join(os.tmpdir(), 'cs-audit-stages-'));
  const job = {
    sources: [{ source: { name: file, path: file, data: null, encoding: 'utf-8' }, firstSeq: 0 }],
    zone: 'Asia/Shanghai',
    profiles: { profile: null, map: null },
    port: port2,
    control,
    repeats: { fallbackShop: '', seen: [] },
    sort: { runSize: 100_000, parent },
    learn: true,
    beside: { named: [], mains: [] },
    byShop: false,
  };
  const worker = new Worker(pathToFileURL(path.join(DIST, 'ingest/read-worker.js')), { workerData: job, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  let rows = 0;
  try {
    for (;;) {
      const posted = Atomics.load(control, 0);
      const got = receiveMessageOnPort(port1);
      if (got === undefined) {
        Atomics.wait(control, 0, posted, 50);
        continue;
      }
      Atomics.add(control, 1, 1);
      Atomics.notify(control, 1);
      const news = got.message;
      if ('end' in news) return rows;
      if ('error' in news) throw new Error(news.error);
      if ('giveUp' in news) throw new Error(`the reading thread gave up: ${news.giveUp}`);
      if ('batch' in news) rows += news.batch.t.length + news.dropped.length;
    }
  } finally {
    await worker.terminate();
    rmSync(parent, { recursive: true, force: true });
  }
}

/**
 * The conduct checks (RULES.md §8) alone: every message of the log, read beforehand, through
 * Tmall's ConductChecker as the engine calls it (a slot per buyer). Returns the messages seen.
 */
async function conduct(file) {
  const { readMessages } = await dist('ingest/read-messages.js');
  const { Zone } = await dist('time/zone.js');
  const { loadPackFile } = await dist('rules/load-pack.js');
  const { ConductChecker } = await dist('conduct/conduct-checker.js');
  const zone = new Zone('Asia/Shanghai');
  const source = { name: file, path: file, data: null, encoding: 'utf-8' };
  const messages = [];
  for await (const batch of readMessages(source, 0, zone, { profile: null, map: null })) for (const m of batch) messages.push(m);
  const slots = new Map();
  const slotOf = new Int32Array(messages.length);
  messages.forEach((m, i) => {
    let slot = slots.get(m.buyer);
    if (slot === undefined) slots.set(m.buyer, (slot = slots.size));
    slotOf[i] = slot;
  });
  const checker = new ConductChecker('shop0', loadPackFile(fileURLToPath(new URL('../platforms/tmall.json', import.meta.url))).conduct, zone);
  const started = process.hrtime.bigint();
  let opened = -1;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const slot = slotOf[i];
    if (slot > opened) {
      checker.open(slot);
      opened = slot;
    }
    if (m.sender === 'buyer') checker.buyerMessage(m, slot);
    else if (m.sender === 'agent' || m.sender === 'bot') checker.shopMessage(m, slot);
  }
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rows: messages.length, findings: checker.findings.length };
}

/** What each stage does, in the order the bench prints them. */
export const STAGES = {
  scan: 'quote-aware byte scan (the floor)',
  decode: 'every byte made into text',
  reference: 'one metric from the bytes (reference)',
  reader: "cs-audit's reader, one thread",
  thread: "cs-audit's reading thread alone",
  conduct: 'conduct checks alone (messages read before)',
};

const run = { scan, decode, reference, reader, thread, conduct };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [stage, file] = process.argv.slice(2);
  if (!(stage in run) || file === undefined) {
    process.stderr.write(`usage: node bench/stages.mjs <${Object.keys(run).join('|')}> <log.csv>\n`);
    process.exit(2);
  }
  const started = process.hrtime.bigint();
  const done = await run[stage](file);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // A stage that times only part of its work (conduct) gives its own seconds.
  process.stdout.write(`${JSON.stringify({ seconds, ...(typeof done === 'number' ? { rows: done } : done) })}\n`);
}

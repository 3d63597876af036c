// Pass 2's reading beside the engine (issue 8 "Both cores used where it pays"): a large file in
// time order is read by a worker thread and handed over in columns. The messages must be exactly
// the ones this thread reads, field for field, in the same order.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packMessages, unpackMessages } from '../../src/ingest/message-batch.js';
import { chatMessages, scanChat, type ReadOptions } from '../../src/ingest/read-chat.js';
import type { InputSource } from '../../src/ingest/sources.js';
import type { Message } from '../../src/model.js';
import { normalizeChatRow } from '../../src/normalize/chat-row.js';
import { Zone } from '../../src/time/zone.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-aside-'));
const zone = new Zone('Asia/Shanghai');
const base: ReadOptions = { zone, strict: false, profiles: { profile: null, map: null } };

/** Rows that use every field of a message: senders, types, bots, recalls, flags, cards, levels. */
function row(i: number): string {
  const minute = String(i % 60).padStart(2, '0');
  const hour = String(8 + Math.floor(i / 60) % 12).padStart(2, '0');
  const time = `2026-11-0${1 + Math.floor(i / 720)} ${hour}:${minute}:00`;
  const shop = i % 7 === 0 ? '' : 'shopA';
  const kinds = [
    `buyer,,text,"在吗,有货吗"`,
    `agent,shopA:小王,text,"亲，有的\n今天发"`,
    `bot,shopA:bot,text,自动回复`,
    `buyer,,red_packet,`,
    `agent,shopA:小李,evaluation,很满意`,
    `system,,assign,`,
    `buyer,,image,""""`,
  ];
  const [sender, agent, type, content] = kinds[i % kinds.length]!.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);
  const card = type === 'evaluation' ? `card${i}` : '';
  const botMode = sender === 'bot' ? (i % 2 ? 'assist' : 'auto') : '';
  const assignAgent = type === 'assign' ? 'shopA:小王' : agent;
  const flags = i % 11 === 0 ? 'merchant;abusive' : i % 13 === 0 ? 'ad_account' : '';
  const recalled = i % 17 === 0 ? '1' : '';
  const id = i % 19 === 0 ? '' : `m${i}`;
  return [id, time, shop, `b${i % 23}`, sender, assignAgent, type, content, recalled, botMode, card, flags].join(',');
}

const HEADER = 'id,time,shop,buyer,sender,agent,type,content,recalled,bot_mode,card,flags';

function source(name: string, rows: number): InputSource {
  const p = path.join(dir, name);
  writeFileSync(p, [HEADER, ...Array.from({ length: rows }, (_, i) => row(i))].join('\n') + '\n');
  return { name, path: p, data: null, encoding: 'utf-8' };
}

async function messages(read: { scanChat: typeof scanChat; chatMessages: typeof chatMessages }, src: InputSource, options: Partial<ReadOptions>) {
  const scan = await read.scanChat([src], { ...base, ...options });
  const out: Message[] = [];
  for await (const batch of read.chatMessages(scan)) out.push(...batch);
  return { scan, out };
}

describe('pass 2 read beside the engine', () => {
  it('packing a batch into columns and back gives the same messages', () => {
    const ms: Message[] = [];
    for (let i = 0; i < 300; i++) {
      const line = row(i).replace('"亲，有的\n今天发"', '亲');
      const values = Object.fromEntries(HEADER.split(',').map((k, j) => [k, line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[j]!.replace(/^"|"$/g, '')]));
      const m = normalizeChatRow(values, { file: 'f.csv', line: i + 2 }, i, zone);
      if (typeof m !== 'string') ms.push(m);
    }
    expect(ms.length).toBeGreaterThan(250);
    expect(new Set(ms.map((m) => m.type)).size).toBeGreaterThan(4);
    expect(ms.some((m) => m.flags.length > 1 && m.recalled)).toBe(true);
    expect(unpackMessages(packMessages(ms), 'f.csv')).toEqual(ms);
  });

  it('a worker thread reads the same messages, field for field (the built reader)', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };
    const src = source('aside.csv', 5000);
    const here = await messages(read, src, { cores: 1 });
    const aside = await messages(read, src, { cores: 2, partBytes: 64 * 1024 });
    expect(here.scan.sourcesReadAside).toBe(0);
    expect(aside.scan.sourcesReadAside).toBe(1);
    expect(here.out.length).toBeGreaterThan(4000);
    expect(aside.out).toEqual(here.out);
  });

  it('FORMAT.md id: the thread reading the only file drops repeats of the last hour as the merge does, and gives their times and the ids back', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };
    // Ids repeat 30 minutes later (a repeat), 61 minutes later (not one) and across shops (not
    // one); rows without a shop are the only named shop's. A history seeds an id of the hour before.
    const rows = [HEADER];
    for (let i = 0; i < 3000; i++) {
      const at = (m: number) => {
        const d = new Date(Date.UTC(2026, 10, 2, 0, 0) + m * 60_000);
        return d.toISOString().slice(0, 19).replace('T', ' ');
      };
      const id = i % 7 === 0 ? `m${i - 30}` : i % 11 === 0 ? `m${i - 61}` : `m${i}`;
      rows.push(`${id},${at(i)},${i % 5 === 0 ? '' : 'shopA'},b${i % 13},buyer,,text,hi,,,,`);
    }
    rows.push(`seeded,${'2026-11-04 02:00:00'},shopA,b1,buyer,,text,hi,,,,`);
    const p = path.join(dir, 'repeats.csv');
    writeFileSync(p, rows.join('\n') + '\n');
    const src: InputSource = { name: 'repeats.csv', path: p, data: null, encoding: 'utf-8' };
    const run = async (options: Partial<ReadOptions>) => {
      const scan = await read.scanChat([src], { ...base, ...options });
      const seen = new Map([['shopA\u0000seeded', Date.UTC(2026, 10, 3, 17, 30)]]);
      const observed: number[] = [];
      const out: string[] = [];
      for await (const batch of read.chatMessages(scan, seen, (t) => observed.push(t))) for (const m of batch) out.push(`${m.shop}/${m.id}/${m.t}`);
      return { scan, out, seen: [...seen].sort(), observed: observed.sort((a, b) => a - b), files: scan.files };
    };
    const here = await run({ cores: 1 });
    const aside = await run({ cores: 2, partBytes: 64 * 1024 });
    expect(aside.scan.sourcesReadAside).toBe(1);
    expect(here.files[0]!.duplicates).toBeGreaterThan(100);
    expect(here.out).not.toContain('shopA/seeded/' + Date.UTC(2026, 10, 3, 18, 0));
    expect(here.observed.length).toBe(3001);
    expect(aside.out).toEqual(here.out);
    expect(aside.files).toEqual(here.files);
    expect(aside.seen).toEqual(here.seen);
    expect(aside.observed).toEqual(here.observed);
  });

  it('issue 8 unsorted input: a file out of time order is sorted by the reading thread (runs spilled in columns), the same messages; its folder is removed', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };
    // The rows of source() grouped by buyer: out of time order, ties in time kept in file order.
    const lines = [HEADER, ...Array.from({ length: 5000 }, (_, i) => row(i))];
    const body = lines.slice(1).map((l, i) => ({ l, i, b: l.split(',')[3] }));
    body.sort((x, y) => (x.b! < y.b! ? -1 : x.b! > y.b! ? 1 : x.i - y.i));
    const p = path.join(dir, 'unsorted.csv');
    writeFileSync(p, [HEADER, ...body.map((x) => x.l)].join('\n') + '\n');
    const src: InputSource = { name: 'unsorted.csv', path: p, data: null, encoding: 'utf-8' };
    const threadDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('cs-audit-thread-')).length;
    const before = threadDirs();
    const here = await messages(read, src, { cores: 1, sortRun: 700 });
    const aside = await messages(read, src, { cores: 2, partBytes: 64 * 1024, sortRun: 700 });
    expect(here.scan.sorted).toEqual([false]);
    expect(aside.scan.sourcesReadAside).toBe(1);
    expect(aside.out).toEqual(here.out);
    expect(aside.out.map((m) => m.t)).toEqual([...aside.out.map((m) => m.t)].sort((a, b) => a - b));
    expect(threadDirs()).toBe(before);
    // Stopped early: the thread is stopped and its folder removed all the same.
    const scan = await read.scanChat([src], { ...base, cores: 2, partBytes: 64 * 1024, sortRun: 700 });
    for await (const batch of read.chatMessages(scan)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(threadDirs()).toBe(before);
  });

  it('a consumer that stops early does not wait for the reading thread', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };
    const scan = await read.scanChat([source('early.csv', 5000)], { ...base, cores: 2, partBytes: 64 * 1024 });
    let batches = 0;
    for await (const batch of read.chatMessages(scan)) {
      expect(batch.length).toBeGreaterThan(0);
      if (++batches === 2) break;
    }
    expect(batches).toBe(2);
  });

  it('JSON is read here: it is parsed whole, so a thread would only hold it twice', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };
    const p = path.join(dir, 'log.ndjson');
    writeFileSync(p, Array.from({ length: 3000 }, (_, i) => JSON.stringify({ time: `2026-11-02 10:${String(i % 60).padStart(2, '0')}:00`.replace('10:', `${10 + Math.floor(i / 60) % 10}:`), buyer: `b${i % 7}`, sender: 'buyer', content: '在吗' })).sort().join('\n'));
    const src: InputSource = { name: 'log.ndjson', path: p, data: null, encoding: 'utf-8' };
    const aside = await messages(read, src, { cores: 2, partBytes: 1024 });
    expect(aside.scan.sorted).toEqual([true]);
    expect(aside.out.length).toBe(3000);
    expect(aside.scan.sourcesReadAside).toBe(0);
  });

  describe('issue 8: files in time order one after another (a folder of daily exports) are read by one thread', () => {
    /** Rows [from, to) of row(), with repeats of ids from 30 minutes before every 29th row. */
    const part = (name: string, from: number, to: number): InputSource => {
      const rows = [HEADER];
      for (let i = from; i < to; i++) rows.push(i % 29 === 0 && i >= 30 ? row(i).replace(/^[^,]*/, `m${i - 30}`) : row(i));
      const p = path.join(dir, name);
      writeFileSync(p, rows.join('\n') + '\n');
      return { name, path: p, data: null, encoding: 'utf-8' };
    };
    const run = async (read: { scanChat: typeof scanChat; chatMessages: typeof chatMessages }, srcs: InputSource[], options: Partial<ReadOptions>) => {
      const scan = await read.scanChat(srcs, { ...base, ...options });
      const observed: number[] = [];
      const out: Message[] = [];
      const seen = new Map<string, number>();
      for await (const batch of read.chatMessages(scan, seen, (t) => observed.push(t))) out.push(...batch);
      return { scan, out, files: scan.files, seen: [...seen].sort(), observed: observed.sort((a, b) => a - b) };
    };
    const built = async () => (await import(pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href)) as { scanChat: typeof scanChat; chatMessages: typeof chatMessages };

    it('the same messages, field for field, in the same order; repeats across files dropped and counted in their own file', async () => {
      const read = await built();
      // Day 1 split mid-morning, day 2 and day 3 after it: each file starts where the one before ended.
      const files = [part('d1a.csv', 0, 300), part('d1b.csv', 300, 720), part('d2.csv', 720, 1440), part('d3.csv', 1440, 2160)];
      const here = await run(read, files, { cores: 1 });
      const aside = await run(read, files, { cores: 2, partBytes: 64 * 1024 });
      expect(here.scan.sourcesReadAside).toBe(0);
      expect(aside.scan.sourcesReadAside).toBe(4);
      expect(here.out.length).toBeGreaterThan(1500);
      expect(here.files[1]!.duplicates).toBeGreaterThan(5);
      expect(aside.out).toEqual(here.out);
      expect(aside.files).toEqual(here.files);
      expect(aside.seen).toEqual(here.seen);
      expect(aside.observed).toEqual(here.observed);
    });

    it('files that overlap in time, or one out of time order, are merged here as before (the same messages)', async () => {
      const read = await built();
      const overlapping = [part('o1.csv', 0, 800), part('o2.csv', 700, 1500)];
      const here = await run(read, overlapping, { cores: 1 });
      const merged = await run(read, overlapping, { cores: 2, partBytes: 64 * 1024 });
      expect(merged.scan.sourcesReadAside).toBe(0);
      expect(merged.out).toEqual(here.out);
      expect(merged.files).toEqual(here.files);
      const later = part('later.csv', 720, 1440);
      const shuffled = path.join(dir, 'shuffled.csv');
      const lines = readFileSync(later.path!, 'utf8').trim().split('\n');
      writeFileSync(shuffled, [lines[0], ...lines.slice(1).reverse()].join('\n') + '\n');
      const unsorted = [part('u1.csv', 0, 720), { ...later, name: 'shuffled.csv', path: shuffled }];
      const sortedHere = await run(read, unsorted, { cores: 1 });
      const sortedAside = await run(read, unsorted, { cores: 2, partBytes: 64 * 1024 });
      expect(sortedAside.scan.sorted).toEqual([true, false]);
      expect(sortedAside.scan.sourcesReadAside).toBe(0);
      expect(sortedAside.out).toEqual(sortedHere.out);
    });

    it('too small together to pay for a thread: read here', async () => {
      const read = await built();
      const files = [part('s1.csv', 0, 300), part('s2.csv', 300, 600)];
      const aside = await run(read, files, { cores: 2 });
      expect(aside.scan.sourcesReadAside).toBe(0);
    });

    it('when the thread cannot start, the files are read here one after another (the same messages and counts)', async () => {
      // Under vitest the source's worker module is TypeScript, which a worker thread cannot load.
      const files = [part('f1.csv', 0, 720), part('f2.csv', 720, 1440)];
      const here = await run({ scanChat, chatMessages }, files, { cores: 1 });
      const aside = await run({ scanChat, chatMessages }, files, { cores: 2, partBytes: 64 * 1024 });
      expect(aside.scan.sourcesReadAside).toBe(0);
      expect(aside.out).toEqual(here.out);
      expect(aside.files).toEqual(here.files);
      expect(aside.seen).toEqual(here.seen);
    });
  });

  it('when the thread cannot start, the file is read here (the same messages)', async () => {
    // Under vitest the source's worker module is TypeScript, which a worker thread cannot load.
    const src = source('fallback.csv', 3000);
    const here = await messages({ scanChat, chatMessages }, src, { cores: 1 });
    const aside = await messages({ scanChat, chatMessages }, src, { cores: 2, partBytes: 64 * 1024 });
    expect(aside.scan.sourcesReadAside).toBe(0);
    expect(aside.out).toEqual(here.out);
  });
});

// Pass 1 on several cores (issue 8 "Both cores used where it pays"): a large file is cut into
// parts at line endings and each part read by its own reader. Whatever the cuts, the parts put
// together must say exactly what one reader of the whole file says: rows, bad rows and their
// lines, time order, time span, shops and accounts. A cut inside a quoted field is found out and
// the file read whole.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanChat, type ChatScan, type ReadOptions } from '../../src/ingest/read-chat.js';
import type { InputSource } from '../../src/ingest/sources.js';
import { Zone } from '../../src/time/zone.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-parts-'));
const zone = new Zone('Asia/Shanghai');
const base: ReadOptions = { zone, strict: false, profiles: { profile: null, map: null } };

function source(name: string, text: string): InputSource {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return { name, path: p, data: null, encoding: 'utf-8' };
}

/** What a scan says, as plain data (sets sorted). */
function said(scan: ChatScan): unknown {
  const dirs = (m: ChatScan['directories']) =>
    [...m].sort().map(([shop, d]) => [shop, [...d.accounts].sort(), [...d.merchantBuyers].sort()]);
  return {
    files: scan.files,
    badRows: scan.badRows,
    firstSeq: scan.firstSeq,
    sorted: scan.sorted,
    spans: scan.spans,
    fallbackShop: scan.fallbackShop,
    directories: dirs(scan.directories),
    raw: dirs(scan.rawDirectories),
    namedShops: [...scan.namedShops].sort(),
    mainAccounts: [...scan.mainAccounts].sort(),
    firstT: scan.firstT,
    lastT: scan.lastT,
  };
}

const HEADER = 'id,time,shop,buyer,sender,agent,type,content,recalled,bot_mode,card,flags';

/** A deterministic log: quoted commas and newlines, bad rows, merchants, a second shop. */
function log(rows: number, { crlf = false, unsortedAt = -1, seed = 7 } = {}): string {
  let x = seed;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const minute = i === unsortedAt ? 0 : 10 + i;
    const time = `2026-11-02 ${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00`;
    const shop = rand(5) === 0 ? 'shopB' : 'shopA';
    const buyer = `b${rand(40)}`;
    const sender = ['buyer', 'agent', 'bot', 'system'][rand(4)]!;
    const agent = sender === 'agent' ? `${shop}:agent${rand(6)}` : '';
    const content = ['在吗', '"有货吗,什么时候发"', '"第一行\n第二行"', '"他说""好的"""', '发货了'][rand(5)]!;
    const flags = rand(30) === 0 ? 'merchant' : '';
    let row = `m${i},${time},${shop},${buyer},${sender},${agent},text,${content},,,,${flags}`;
    if (rand(50) === 0) row = `m${i},not a time,${shop},${buyer},buyer,,text,x,,,,`; // a bad row
    if (rand(70) === 0) row = `m${i},${time},${shop}`; // too few fields
    lines.push(row);
  }
  return lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n');
}

async function both(src: InputSource, options: Partial<ReadOptions> = {}) {
  const whole = await scanChat([src], { ...base, ...options, cores: 1 });
  const parts = await scanChat([src], { ...base, ...options, cores: 4, partBytes: 1024 });
  return { whole, parts };
}

describe('pass 1 in parts (scanChat)', () => {
  it('says what one reader says: rows, bad rows on their lines, accounts, time span', async () => {
    const { whole, parts } = await both(source('plain.csv', log(600)));
    expect(parts.partsInParallel).toBeGreaterThan(1);
    expect(whole.partsInParallel).toBe(0);
    expect(whole.badRows.length).toBeGreaterThan(5);
    expect(said(parts)).toEqual(said(whole));
  });

  it('CRLF line endings', async () => {
    const { whole, parts } = await both(source('crlf.csv', log(600, { crlf: true, seed: 11 })));
    expect(parts.partsInParallel).toBeGreaterThan(1);
    expect(said(parts)).toEqual(said(whole));
  });

  it('a message earlier than the part before it ends makes the file unsorted', async () => {
    const { whole, parts } = await both(source('unsorted.csv', log(600, { unsortedAt: 450, seed: 3 })));
    expect(whole.sorted).toEqual([false]);
    expect(said(parts)).toEqual(said(whole));
  });

  it('a cut inside a quoted field that looks like a whole record is found out: the file is read whole', async () => {
    // Every content holds a line that reads as a record of the header's width on its own.
    const fake = `x,2026-11-02 10:00:00,shopZ,bZ,buyer,,text,fake,,,,`;
    const rows = [HEADER];
    for (let i = 0; i < 400; i++) rows.push(`m${i},2026-11-02 10:${String(i % 60).padStart(2, '0')}:00,shopA,b${i % 9},buyer,,text,"q\n${fake}\n${fake}",,,,`);
    const { whole, parts } = await both(source('fake.csv', rows.join('\n') + '\n'));
    expect(parts.partsInParallel).toBe(0);
    expect(said(parts)).toEqual(said(whole));
    expect(whole.rawDirectories.has('shopZ')).toBe(false);
  });

  it('a stray quote makes the reader find the line ending again: every part starts in the state after the header', async () => {
    // LF rows, a broken row (the reader starts afresh after it), then CRLF rows: a part whose first
    // chunk holds the broken row must not start in the state that row left.
    const row = (i: number) => `m${i},2026-11-02 10:${String(i).padStart(2, '0')}:00,shopA,b${i % 5},buyer,,text,hello ${i},,,,`;
    let text = `${HEADER}\n`;
    for (let i = 0; i < 40; i++) text += `${row(i)}\n`;
    text += `mx,2026-11-02 10:45:00,shopA,b1,buyer,,text,"broken"x,,,,\n`;
    for (let i = 40; i < 50; i++) text += `${row(i)}\r\n`;
    const src = source('state.csv', text);
    const whole = await scanChat([src], { ...base, cores: 1 });
    expect(whole.badRows.map((b) => b.line)).toEqual([42]);
    for (const partBytes of [600, 1000, 1500, 2500]) {
      const parts = await scanChat([src], { ...base, cores: 2, partBytes });
      expect(said(parts)).toEqual(said(whole));
    }
  });

  it('records apart by empty lines are cut after a record, not before the empty line', async () => {
    const rows = log(600, { seed: 21 }).trimEnd().split('\n');
    const src = source('blank.csv', `${rows[0]}\n${rows.slice(1).join('\n\n')}\n`);
    const { whole, parts } = await both(src);
    expect(parts.partsInParallel).toBeGreaterThan(1);
    expect(said(parts)).toEqual(said(whole));
  });

  it('a quote never closed, wherever the cuts fall', async () => {
    const text = log(300, { seed: 5 }) + `m-x,2026-11-02 12:00:00,shopA,b1,buyer,,text,"open quote,,,,\n` + log(300, { seed: 6 }).split('\n').slice(1).join('\n');
    const { whole, parts } = await both(source('open-quote.csv', text));
    expect(said(parts)).toEqual(said(whole));
  });

  it('--strict stops at the first bad row, with its line in the whole file', async () => {
    const row = (i: number) => `m${i},2026-11-02 10:${String(i % 60).padStart(2, '0')}:00,shopA,b${i % 9},buyer,,text,"两行\n内容",,,,`;
    const before = [HEADER, ...Array.from({ length: 500 }, (_, i) => row(i))].join('\n') + '\n';
    const after = Array.from({ length: 100 }, (_, i) => row(i)).join('\n') + '\n';
    const src = source('strict.csv', `${before}m-bad,2026-11-02 12:00:00,shopA,b1,nobody,,text,x,,,,\n${after}`);
    const expected = `strict.csv:${before.split('\n').length}: unknown sender "nobody"`;
    await expect(scanChat([src], { ...base, strict: true, cores: 1 })).rejects.toThrow(expected);
    await expect(scanChat([src], { ...base, strict: true, cores: 4, partBytes: 1024 })).rejects.toThrow(expected);
  });

  it('files in memory and small files are read by one reader', async () => {
    const text = log(200);
    const inMemory: InputSource = { name: 'mem.csv', path: null, data: Buffer.from(text), encoding: 'utf-8' };
    expect((await scanChat([inMemory], { ...base, cores: 4, partBytes: 1024 })).partsInParallel).toBe(0);
    expect((await scanChat([source('small.csv', text)], { ...base, cores: 4 })).partsInParallel).toBe(0);
  });

  it('parts are read by worker threads (the built reader)', async () => {
    // Under vitest the worker's compiled module is dist's: the built read-chat starts it.
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const { scanChat: builtScan } = (await import(built)) as { scanChat: typeof scanChat };
    const src = source('workers.csv', log(3000, { seed: 13 }));
    const whole = await builtScan([src], { ...base, cores: 1 });
    const parts = await builtScan([src], { ...base, cores: 3, partBytes: 16 * 1024 });
    expect(parts.partsInParallel).toBe(3);
    expect(parts.partsByWorkers).toBe(2);
    expect(said(parts)).toEqual(said(whole));
  });
  it('issue 8: several small files (a folder of daily exports) are read on two cores, the later half by a thread, and say what one reader says (the built reader)', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const { scanChat: builtScan } = (await import(built)) as { scanChat: typeof scanChat };
    // Bad rows, a second shop, merchants and accounts in every file; one file out of time order; one only a header.
    const files = [
      source('day1.csv', log(700, { seed: 21 })),
      source('day2.csv', log(700, { seed: 22, unsortedAt: 300 })),
      source('empty.csv', `${HEADER}\n`),
      source('day3.csv', log(700, { seed: 23 })),
      source('day4.csv', log(700, { seed: 24, crlf: true })),
    ];
    const one = await builtScan(files, { ...base, cores: 1 });
    const two = await builtScan(files, { ...base, cores: 2, partBytes: 64 * 1024 });
    expect(one.badRows.length).toBeGreaterThan(10);
    expect(one.sorted).toEqual([true, false, true, true, true]);
    expect(one.partsInParallel).toBe(0);
    expect(two.partsInParallel).toBe(5);
    expect(two.partsByWorkers).toBeGreaterThanOrEqual(2);
    expect(said(two)).toEqual(said(one));
    // --strict: the first bad row in file order, whichever reader met it.
    const strict = (cores: number) => builtScan(files, { ...base, strict: true, cores, partBytes: 64 * 1024 });
    const expected = await strict(1).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(expected).toMatch(/^day1\.csv:\d+: /);
    await expect(strict(2)).rejects.toThrow(expected!);
  });
});

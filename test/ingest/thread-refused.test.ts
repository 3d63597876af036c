// Issue 8 "Both cores used where it pays": a thread is a help, never a condition. When Node cannot
// start one at all (`new Worker` throws ERR_WORKER_INIT_FAILED: out of threads or memory), every
// read is done on this thread, with the same messages, and a sorting thread's folder is not left.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { audit } from '../../src/audit.js';
import { chatMessages, scanChat, type ReadOptions } from '../../src/ingest/read-chat.js';
import type { InputSource } from '../../src/ingest/sources.js';
import type { Message } from '../../src/model.js';
import { Zone } from '../../src/time/zone.js';

const refused = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class RefusedWorker {
    constructor() {
      refused.count++;
      throw Object.assign(new Error('Worker initialization failure: EAGAIN'), { code: 'ERR_WORKER_INIT_FAILED' });
    }
  }
  return { ...real, Worker: RefusedWorker };
});

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-refused-'));
const base: ReadOptions = { zone: new Zone('Asia/Shanghai'), strict: false, profiles: { profile: null, map: null } };
const HEADER = 'id,time,shop,buyer,sender,agent,type,content,recalled,bot_mode,card,flags';

/** 4000 rows a minute apart; `shuffled` groups them by buyer (out of time order). */
function source(name: string, shuffled: boolean): InputSource {
  const rows = Array.from({ length: 4000 }, (_, i) => {
    const t = new Date(Date.UTC(2026, 10, 2) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    return { buyer: i % 17, line: `m${i},${t},shopA,b${i % 17},${i % 3 ? 'buyer' : 'agent'},${i % 3 ? '' : 'shopA:a1'},text,"在吗,有货吗",,,,` };
  });
  if (shuffled) rows.sort((a, b) => a.buyer - b.buyer);
  const p = path.join(dir, name);
  writeFileSync(p, [HEADER, ...rows.map((r) => r.line)].join('\n') + '\n');
  return { name, path: p, data: null, encoding: 'utf-8' };
}

async function read(src: InputSource, options: Partial<ReadOptions>): Promise<Message[]> {
  const scan = await scanChat([src], { ...base, ...options });
  const out: Message[] = [];
  for await (const batch of chatMessages(scan)) out.push(...batch);
  expect(scan.sourcesReadAside).toBe(0);
  return out;
}

describe('issue 8: no thread can be started', () => {
  it('a file in time order: read here, the same messages as on one core', async () => {
    const src = source('sorted.csv', false);
    const here = await read(src, { cores: 1 });
    refused.count = 0;
    const refusedRead = await read(src, { cores: 2, partBytes: 16 * 1024 });
    expect(refused.count).toBeGreaterThan(0);
    expect(here.length).toBe(4000);
    expect(refusedRead).toEqual(here);
  });

  it('a file out of time order: sorted here, the same messages; no sorting folder is left', async () => {
    const src = source('unsorted.csv', true);
    const threadDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('cs-audit-thread-')).length;
    const before = threadDirs();
    const here = await read(src, { cores: 1, sortRun: 700 });
    refused.count = 0;
    const refusedRead = await read(src, { cores: 2, partBytes: 16 * 1024, sortRun: 700 });
    expect(refused.count).toBeGreaterThan(0);
    expect(refusedRead.map((m) => m.t)).toEqual([...refusedRead.map((m) => m.t)].sort((a, b) => a - b));
    expect(refusedRead).toEqual(here);
    expect(threadDirs()).toBe(before);
  });

  it('a whole run: the one pass gives up for want of a thread, and the report is the one core\'s', async () => {
    const src = source('run.csv', false);
    const run = (cores: number, told: (string | null)[]) =>
      audit({ platform: 'tmall', rulesFile: null, inputs: [src.path!], tz: null, from: null, to: null, strict: false, stdin: Readable.from([]), cores, partBytes: 16 * 1024, onOnePass: (why) => told.push(why) });
    const oneCore: (string | null)[] = [];
    const here = await run(1, oneCore);
    const told: (string | null)[] = [];
    const refusedRun = await run(2, told);
    expect(told).toEqual(['the reading thread did not start']);
    expect(here.input.messages).toBe(4000);
    expect(here.metrics.length).toBeGreaterThan(0);
    expect(refusedRun).toEqual(here);
  });
});

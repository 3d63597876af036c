// Issue 8: unsorted input is detected and sorted within a memory bound, spilling sorted runs to
// temporary files, with the same report as the same log in time order.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortBatches } from '../../src/ingest/external-sort.js';
import { messageCodec } from '../../src/ingest/message-batch.js';
import type { Message } from '../../src/model.js';
import { normalizeChatRow } from '../../src/normalize/chat-row.js';
import { Zone } from '../../src/time/zone.js';
import { mergeSortedBatches } from '../../src/ingest/merge.js';
import { readRecordBatches } from '../../src/ingest/records.js';
import type { InputSource } from '../../src/ingest/sources.js';
import { auditCsv, verdict } from '../helpers/audit.js';

async function* batches<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let at = 0; at < items.length; at += size) yield items.slice(at, at + size);
}

async function sorted<T>(items: T[], compare: (a: T, b: T) => number, runSize: number): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of sortBatches(batches(items, 3), compare, runSize, 4)) {
    expect(batch.length).toBeLessThanOrEqual(4);
    out.push(...batch);
  }
  return out;
}

const spillDirs = () => readdirSync(tmpdir()).filter((d) => d.startsWith('cs-audit-sort-'));

describe('sortBatches', () => {
  it('gives every item once, in order, whatever the run size (runs spilled to disk and merged)', async () => {
    const before = spillDirs().length;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ t: fc.integer({ min: 0, max: 20 }), seq: fc.nat(), text: fc.string() }), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), async (raw, runSize) => {
        const items = raw.map((x, i) => ({ ...x, seq: i, flags: [x.text], none: null as string | null }));
        const compare = (a: (typeof items)[number], b: (typeof items)[number]) => a.t - b.t || a.seq - b.seq;
        expect(await sorted(items, compare, runSize)).toEqual([...items].sort(compare));
      }),
      { numRuns: 200 },
    );
    // The temporary runs are gone once the items are read.
    expect(spillDirs().length).toBe(before);
  });

  it('removes its temporary files when reading stops early', async () => {
    const before = spillDirs().length;
    const items = Array.from({ length: 100 }, (_, i) => 100 - i);
    for await (const batch of sortBatches(batches(items, 10), (a, b) => a - b, 7, 5)) {
      expect(batch).toEqual([1, 2, 3, 4, 5]);
      expect(spillDirs().length).toBe(before + 1);
      break;
    }
    expect(spillDirs().length).toBe(before);
    expect(existsSync(tmpdir())).toBe(true);
  });
});

describe('sortBatches with a block codec (messages spilled in columns)', () => {
  it('gives back the same messages, every field, whatever the run size', async () => {
    const zone = new Zone('Asia/Shanghai');
    const ms: Message[] = [];
    for (let i = 0; i < 120; i++) {
      const values = { id: i % 9 === 0 ? '' : `m${i}`, time: `2026-11-02 10:${String((i * 7) % 60).padStart(2, '0')}:00`, shop: i % 4 ? 'shopA' : '', buyer: `b${i % 5}`, sender: ['buyer', 'agent', 'bot'][i % 3]!, agent: i % 3 === 1 ? 'shopA:a' : '', type: 'text', content: `内容 ${i % 6}`, recalled: i % 11 === 0 ? '1' : '', bot_mode: i % 3 === 2 ? 'assist' : '', flags: i % 13 === 0 ? 'abusive' : '' };
      const m = normalizeChatRow(values, { file: 'f.csv', line: i + 2 }, i, zone);
      if (typeof m !== 'string') ms.push(m);
    }
    const compare = (a: Message, b: Message) => a.t - b.t || a.seq - b.seq;
    for (const runSize of [1, 7, 50, 500]) {
      const out: Message[] = [];
      for await (const batch of sortBatches(batches(ms, 16), compare, runSize, 10, tmpdir(), messageCodec('f.csv'))) out.push(...batch);
      expect(out).toEqual([...ms].sort(compare));
    }
  });
});

describe('an unsorted chat log reads as the same log sorted', () => {
  it('the same verdict when the rows come in any order and sorting spills runs of 4 messages', async () => {
    const rows = [
      '2026-11-02 10:00:00,b1,buyer,,在吗',
      '2026-11-02 10:01:00,b1,agent,shop:alice,在的',
      '2026-11-02 10:02:00,b2,buyer,,发货了吗',
      '2026-11-02 10:06:00,b2,agent,shop:bob,今天发',
      '2026-11-02 11:00:00,b3,buyer,,有优惠吗',
      '2026-11-02 11:00:00,b4,buyer,,你好',
      '2026-11-02 11:02:00,b4,agent,shop:alice,您好',
      '2026-11-02 23:59:59,b1,buyer,,还在吗',
      '2026-11-03 00:00:30,b1,agent,shop:bob,在',
      '2026-11-03 09:00:00,b3,agent,shop:alice,有的',
    ];
    const head = 'time,buyer,sender,agent,content';
    const expected = verdict(await auditCsv([head, ...rows].join('\n')));
    const shuffled = [rows[7], rows[2], rows[9], rows[0], rows[5], rows[4], rows[8], rows[1], rows[6], rows[3]];
    expect(verdict(await auditCsv([head, ...shuffled].join('\n'), { sortRun: 4 }))).toEqual(expected);
    expect(verdict(await auditCsv([head, ...shuffled].join('\n')))).toEqual(expected);
  });
});

describe('mergeSortedBatches', () => {
  it('gives every item once, in order, ties in stream order, whatever the batches (empty ones too)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }), { maxLength: 5 }), { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 1, max: 6 }),
        async (raw, size) => {
          // Stream i's batches, sorted across the stream; each item remembers its stream.
          const streams = raw.map((bs, stream) => {
            const keys = bs.flat().sort((a, b) => a - b);
            let at = 0;
            return bs.map((b) => keys.slice(at, (at += b.length)).map((key) => ({ key, stream })));
          });
          const expected = streams.flatMap((bs) => bs.flat()).sort((a, b) => a.key - b.key || a.stream - b.stream);
          const out: { key: number; stream: number }[] = [];
          const iterators = streams.map((bs) => (async function* () {
            yield* bs;
          })());
          for await (const batch of mergeSortedBatches(iterators, (a, b) => a.key - b.key, size)) {
            expect(batch.length).toBeGreaterThan(0);
            expect(batch.length).toBeLessThanOrEqual(size);
            out.push(...batch);
          }
          expect(out).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('mergeSortedBatches stopping', () => {
  it('stops every stream when one fails to stop, and tells the error that stopped the merge', async () => {
    const stopped: number[] = [];
    // Stream i gives i * 10, i * 10 + 1, ... a batch at a time, for ever.
    const stream = (i: number, failNext: boolean, failReturn: boolean): AsyncIterator<number[]> => {
      let n = 0;
      return {
        next: async () => {
          if (failNext && n > 0) throw new Error(`next ${i}`);
          return { done: false, value: [i * 10 + n++] };
        },
        return: async () => {
          stopped.push(i);
          if (failReturn) throw new Error(`return ${i}`);
          return { done: true, value: undefined };
        },
      };
    };
    // The consumer stops: the stream that fails to stop is told, the others are stopped all the same.
    const a = mergeSortedBatches([stream(0, false, true), stream(1, false, false), stream(2, false, false)], (x, y) => x - y, 1);
    expect((await a.next()).value).toEqual([0]);
    await expect(a.return(undefined)).rejects.toThrow('return 0');
    expect(stopped.sort()).toEqual([0, 1, 2]);
    // A stream fails while merging: that error is told, not the one from stopping the others.
    stopped.length = 0;
    const b = mergeSortedBatches([stream(0, false, true), stream(1, true, false)], (x, y) => x - y, 1);
    await expect(
      (async () => {
        for await (const batch of b) void batch;
      })(),
    ).rejects.toThrow('next 1');
    expect(stopped.sort()).toEqual([0, 1]);
  });
});

describe('reading that stops early leaves nothing open', () => {
  it('merging two spilled sorts and stopping removes both sorts\' runs', async () => {
    const before = spillDirs().length;
    const a = sortBatches(batches([5, 3, 1, 9, 7], 2), (x, y) => x - y, 2, 2);
    const b = sortBatches(batches([6, 4, 2, 8, 10], 2), (x, y) => x - y, 2, 2);
    for await (const batch of mergeSortedBatches([a, b], (x, y) => x - y, 3)) {
      expect(batch).toEqual([1, 2, 3]);
      break;
    }
    expect(spillDirs().length).toBe(before);
  });

  it('a CSV file is closed when its reader is stopped, or fails at its header', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-fd-'));
    const file = path.join(dir, 'chat.csv');
    writeFileSync(file, `time,buyer,sender\n${'2026-11-02 10:00:00,b1,buyer\n'.repeat(50_000)}`);
    const source = { name: 'chat.csv', path: file, data: null, encoding: 'utf-8' } as unknown as InputSource;
    const open = () => readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 5; i++) {
      for await (const batch of readRecordBatches(source, { required: [] })) {
        expect(batch.length).toBeGreaterThan(0);
        break;
      }
      await expect(async () => {
        for await (const _ of readRecordBatches(source, { required: ['no_such_column'] })) void _;
      }).rejects.toThrow('no "no_such_column" column');
    }
    expect(open()).toBe(before);
  });
});

import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { mergeSortedBatches } from './merge.js';

/** Items per block of a run file: what one run holds in memory while runs are merged. */
const BLOCK = 1024;

/**
 * Items in `compare` order, however they come, within a memory bound (issue 8: unsorted input):
 * up to `runSize` items are held and sorted; more are written out as sorted runs to temporary
 * files (v8-serialized blocks) and merged back, one block per run in memory. The files are
 * removed when the items have been read (or reading stops).
 */
export async function* sortBatches<T>(
  input: AsyncIterable<T[]>,
  compare: (a: T, b: T) => number,
  runSize: number,
  batchSize: number,
  /** Where the run files' folder is made (a worker thread is given one its owner removes). */
  parent: string = tmpdir(),
  /** How a block is written and read back, when plain structured clone is slow for T (messages: columns). */
  codec: BlockCodec<T> | null = null,
): AsyncGenerator<T[]> {
  let run: T[] = [];
  let dir: string | null = null;
  const runs: string[] = [];
  try {
    for await (const batch of input) {
      for (const item of batch) {
        run.push(item);
        if (run.length >= runSize) {
          dir ??= mkdtempSync(join(parent, 'cs-audit-sort-'));
          runs.push(writeRun(dir, runs.length, run.sort(compare), codec));
          run = [];
        }
      }
    }
    run.sort(compare);
    if (runs.length === 0) {
      yield* inMemory(run, batchSize);
      return;
    }
    const last = run;
    run = [];
    const streams = [...runs.map((file) => readRun<T>(file, codec)), inMemory(last, BLOCK)];
    yield* mergeSortedBatches(streams, compare, batchSize);
  } finally {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  }
}

/** A block of items to and from what v8.serialize writes. */
export interface BlockCodec<T> {
  encode(items: T[]): unknown;
  decode(block: unknown): T[];
}

function writeRun<T>(dir: string, index: number, items: T[], codec: BlockCodec<T> | null): string {
  const file = join(dir, `run-${index}`);
  const fd = openSync(file, 'w');
  try {
    for (let at = 0; at < items.length; at += BLOCK) {
      const slice = items.slice(at, at + BLOCK);
      const block = serialize(codec === null ? slice : codec.encode(slice));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(block.length);
      writeSync(fd, length);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

async function* readRun<T>(file: string, codec: BlockCodec<T> | null): AsyncGenerator<T[]> {
  const fd = openSync(file, 'r');
  try {
    const length = Buffer.alloc(4);
    for (let position = 0; ; ) {
      if (readSync(fd, length, 0, 4, position) < 4) return;
      const size = length.readUInt32LE(0);
      const block = Buffer.allocUnsafe(size);
      if (readSync(fd, block, 0, size, position + 4) < size) throw new Error(`${file}: sort run cut short`);
      position += 4 + size;
      const value: unknown = deserialize(block);
      yield codec === null ? (value as T[]) : codec.decode(value);
    }
  } finally {
    closeSync(fd);
  }
}

async function* inMemory<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let at = 0; at < items.length; at += size) yield items.slice(at, at + size);
}

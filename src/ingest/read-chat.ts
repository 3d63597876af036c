import type { Readable } from 'node:stream';
import { StrictError } from '../errors.js';
import { DEFAULT_SHOP, type BadRow, type Message } from '../model.js';
import { CHAT_REQUIRED_COLUMNS, normalizeChatRow } from '../normalize/chat-row.js';
import type { Zone } from '../time/zone.js';
import { checkReadable, readRecords, sourceOf } from './records.js';

export interface FileStats {
  file: string;
  /** Records read (header excluded). */
  rows: number;
  /** Rows that became messages (after de-duplication). */
  messages: number;
  /** Rows that repeat an earlier (shop, id). */
  duplicates: number;
  bad_rows: number;
}

export interface ChatInput {
  /** Sorted by time, ties in read order; shop defaults resolved; duplicates removed. */
  messages: Message[];
  badRows: BadRow[];
  files: FileStats[];
}

export interface ReadOptions {
  zone: Zone;
  strict: boolean;
  stdin: Readable;
}

/** Read every chat file: records → messages, bad rows kept with file and line. */
export async function readChat(args: readonly string[], options: ReadOptions): Promise<ChatInput> {
  const sources = args.map(sourceOf);
  for (const source of sources) await checkReadable(source);
  const messages: Message[] = [];
  const badRows: BadRow[] = [];
  const files: FileStats[] = [];
  const firstSeq: number[] = [];
  let seq = 0;
  for (const source of sources) {
    const stats: FileStats = { file: source.name, rows: 0, messages: 0, duplicates: 0, bad_rows: 0 };
    files.push(stats);
    firstSeq.push(seq);
    for await (const item of readRecords(source, options.stdin, CHAT_REQUIRED_COLUMNS)) {
      stats.rows++;
      const origin = { file: source.name, line: item.line };
      const result =
        'unreadable' in item ? item.unreadable : normalizeChatRow(item.values, origin, seq++, options.zone);
      if (typeof result === 'string') {
        const bad = { file: source.name, line: item.line, reason: result };
        if (options.strict) throw new StrictError(`${bad.file}:${bad.line}: ${bad.reason} (--strict)`);
        badRows.push(bad);
        stats.bad_rows++;
      } else {
        messages.push(result);
      }
    }
  }
  resolveShops(messages);
  const unique = dropDuplicates(messages, (m) => files[fileIndexOf(firstSeq, m.seq)]!);
  unique.sort((a, b) => a.t - b.t || a.seq - b.seq);
  return { messages: unique, badRows, files };
}

/** FORMAT.md: a missing shop is the run's only named shop, else "(shop)". */
function resolveShops(messages: Message[]): void {
  const named = new Set<string>();
  for (const m of messages) if (m.shop !== '') named.add(m.shop);
  const fallback = named.size === 1 ? [...named][0]! : DEFAULT_SHOP;
  for (const m of messages) if (m.shop === '') m.shop = fallback;
}

/** Rows with the same (shop, id) are one message: the first read wins (overlapping exports). */
function dropDuplicates(messages: Message[], statsOf: (m: Message) => FileStats): Message[] {
  const seen = new Set<string>();
  const unique: Message[] = [];
  for (const m of messages) {
    const stats = statsOf(m);
    if (m.id !== null) {
      const key = `${m.shop}\u0000${m.id}`;
      if (seen.has(key)) {
        stats.duplicates++;
        continue;
      }
      seen.add(key);
    }
    stats.messages++;
    unique.push(m);
  }
  return unique;
}

/** Index of the file a message was read from, from the first seq of each file. */
function fileIndexOf(firstSeq: readonly number[], seq: number): number {
  let lo = 0;
  let hi = firstSeq.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (firstSeq[mid]! <= seq) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

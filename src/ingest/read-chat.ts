import { StrictError } from '../errors.js';
import { DEFAULT_SHOP, type BadRow, type Message } from '../model.js';
import { normalizeChatRow } from '../normalize/chat-row.js';
import { statSync } from 'node:fs';
import type { Zone } from '../time/zone.js';
import { sortBatches } from './external-sort.js';
import { mergeSortedBatches } from './merge.js';
import { canonicalRecordBatches, type ProfileOptions, type SourceInfo } from './profiles.js';
import type { InputSource } from './sources.js';

export interface FileStats {
  file: string;
  /** The encoding the file was written in, and the import profile that read it. */
  encoding?: string;
  profile?: string | null;
  /** Records read (header excluded). */
  rows: number;
  /** Rows that became messages (after de-duplication). */
  messages: number;
  /** Rows that repeat an earlier (shop, id). */
  duplicates: number;
  bad_rows: number;
  /**
   * Row accounting (issue 4): rows = used + excluded (by reason, duplicates included) + bad_rows.
   * Filled in once the audit has judged every message.
   */
  used?: number;
  excluded?: Record<string, number>;
}

/** What every row of one shop says about who the shop is (FORMAT.md sub-account chatter). */
export interface ShopDirectory {
  /** Accounts named as `agent` anywhere in the input. */
  accounts: Set<string>;
  /** Buyers flagged `merchant` on any row. */
  merchantBuyers: Set<string>;
}

export interface ReadOptions {
  zone: Zone;
  strict: boolean;
  profiles: ProfileOptions;
  /** Told now and then how far the first pass has read (for a progress bar). */
  progress?: ProgressSink | null;
  /** Messages of an unsorted file sorted in memory at a time before runs spill to disk (tests lower it). */
  sortRun?: number;
}

export interface ProgressSink {
  update(file: string, rows: number, bytes: number): void;
  done(): void;
}

/**
 * The first pass over the chat files: every row read and normalized once, bad rows kept with
 * file and line, and what the rules need before any conversation can be judged (the shops and
 * their own accounts, the first and last times). Messages are not kept: the second pass reads the
 * sources again (standard input and archive entries are in memory already).
 */
export interface ChatScan {
  sources: InputSource[];
  files: FileStats[];
  badRows: BadRow[];
  /** First seq of each file: ties in time keep file order, then line order. */
  firstSeq: number[];
  /** Whether each file's rows are already in time order (then its second pass streams; else it is sorted, see sortBatches). */
  sorted: boolean[];
  /** FORMAT.md: the shop of rows that name none (see resolveShops). */
  fallbackShop: string;
  directories: Map<string, ShopDirectory>;
  /** Shops named by rows, and the main accounts of `main:sub` accounts, for resolveShops. */
  namedShops: Set<string>;
  mainAccounts: Set<string>;
  /** Per shop as written ('' for rows without one). */
  rawDirectories: Map<string, ShopDirectory>;
  /** Earliest and latest message time; null when there is no message. */
  firstT: number | null;
  lastT: number | null;
  options: ReadOptions;
}

function directoryOf(map: Map<string, ShopDirectory>, shop: string): ShopDirectory {
  let d = map.get(shop);
  if (!d) map.set(shop, (d = { accounts: new Set(), merchantBuyers: new Set() }));
  return d;
}

export async function scanChat(sources: InputSource[], options: ReadOptions): Promise<ChatScan> {
  const scan: ChatScan = {
    sources,
    files: [],
    badRows: [],
    firstSeq: [],
    sorted: [],
    fallbackShop: DEFAULT_SHOP,
    directories: new Map(),
    namedShops: new Set(),
    mainAccounts: new Set(),
    rawDirectories: new Map(),
    firstT: null,
    lastT: null,
    options,
  };
  const raw = scan.rawDirectories;
  const mainAccounts = scan.mainAccounts;
  let seq = 0;
  for (const source of sources) {
    const info: SourceInfo = { profile: null, layout: '', mapping: {} };
    const stats: FileStats = { file: source.name, encoding: source.encoding, profile: null, rows: 0, messages: 0, duplicates: 0, bad_rows: 0 };
    scan.files.push(stats);
    scan.firstSeq.push(seq);
    let previous = -Infinity;
    let sorted = true;
    const size = source.data?.length ?? (source.path === null ? 0 : statSync(source.path).size);
    for await (const batch of canonicalRecordBatches(source, 'chat', options.profiles, info)) {
      for (const item of batch) {
        stats.rows++;
        if (options.progress && stats.rows % 50_000 === 0) options.progress.update(source.name, stats.rows, size);
        const result = 'unreadable' in item ? item.unreadable : normalizeChatRow(item.values, { file: source.name, line: item.line }, seq, options.zone);
        if (typeof result === 'string') {
          const bad = { file: source.name, line: item.line, reason: result };
          if (options.strict) throw new StrictError(`${bad.file}:${bad.line}: ${bad.reason} (--strict)`);
          scan.badRows.push(bad);
          stats.bad_rows++;
          continue;
        }
        seq++;
        const m = result;
        if (m.shop === '' && source.shop !== undefined) m.shop = source.shop;
        if (m.t < previous) sorted = false;
        previous = m.t;
        if (scan.firstT === null || m.t < scan.firstT) scan.firstT = m.t;
        if (scan.lastT === null || m.t > scan.lastT) scan.lastT = m.t;
        const d = directoryOf(raw, m.shop);
        if (m.agent !== null) {
          d.accounts.add(m.agent);
          const main = mainAccountOf(m.agent);
          if (main !== null) mainAccounts.add(main);
        }
        if (m.flags.includes('merchant')) d.merchantBuyers.add(m.buyer);
      }
    }
    scan.sorted.push(sorted);
    stats.profile = info.profile;
    options.progress?.update(source.name, stats.rows, size);
  }
  options.progress?.done();
  for (const shop of raw.keys()) if (shop !== '') scan.namedShops.add(shop);
  resolveShops(scan, fallbackShop(scan.namedShops, mainAccounts));
  return scan;
}

/** Give rows without a shop their shop, and merge what is known of each shop's accounts. */
export function resolveShops(scan: ChatScan, fallback: string): void {
  scan.fallbackShop = fallback;
  scan.directories = new Map();
  for (const [shop, d] of scan.rawDirectories) {
    const into = directoryOf(scan.directories, shop === '' ? fallback : shop);
    for (const a of d.accounts) into.accounts.add(a);
    for (const b of d.merchantBuyers) into.merchantBuyers.add(b);
  }
}

/**
 * FORMAT.md: rows without a shop belong to the run's only named shop, else to "(shop)". When no
 * row names a shop but every `main:sub` account has the same main account, that is the shop.
 */
export function fallbackShop(named: ReadonlySet<string>, mainAccounts: ReadonlySet<string>): string {
  if (named.size === 1) return [...named][0]!;
  if (named.size === 0 && mainAccounts.size === 1) return [...mainAccounts][0]!;
  return DEFAULT_SHOP;
}

/** The main account of a `main:sub` account, or null. */
export function mainAccountOf(account: string): string | null {
  const colon = account.indexOf(':');
  return colon > 0 ? account.slice(0, colon) : null;
}

function byTime(a: Message, b: Message): number {
  return a.t - b.t || a.seq - b.seq;
}

/** The second pass: one source's messages in time order, a batch at a time. */
async function* sourceMessages(scan: ChatScan, index: number): AsyncGenerator<Message[]> {
  const source = scan.sources[index]!;
  const { zone, profiles } = scan.options;
  let seq = scan.firstSeq[index]!;
  const read = async function* (): AsyncGenerator<Message[]> {
    for await (const batch of canonicalRecordBatches(source, 'chat', profiles)) {
      const out: Message[] = [];
      for (const item of batch) {
        if ('unreadable' in item) continue;
        const m = normalizeChatRow(item.values, { file: source.name, line: item.line }, seq, zone);
        if (typeof m === 'string') continue; // counted in the first pass
        if (m.shop === '' && source.shop !== undefined) m.shop = source.shop;
        seq++;
        out.push(m);
      }
      if (out.length > 0) yield out;
    }
  };
  if (scan.sorted[index]) {
    yield* read();
    return;
  }
  // Not in time order: sorted within a memory bound, spilling sorted runs to temporary files.
  yield* sortBatches(read(), byTime, scan.options.sortRun ?? SORT_RUN, BATCH);
}

/** Messages handed on at a time where the pipeline makes its own batches. */
const BATCH = 8192;
/** Messages of an unsorted file sorted in memory at a time (about 60 MB); more spill to disk. */
const SORT_RUN = 100_000;

/** How far back in stream time an id is remembered for de-duplication. */
export const DEDUP_HORIZON_MS = 3_600_000;

/** The key of a message id in the de-duplication memory: ids are per shop. */
export function dedupKey(shop: string, id: string): string {
  return `${shop}\u0000${id}`;
}

/** The shop and id of a de-duplication key. */
function fromDedupKey(key: string): { shop: string; id: string } {
  const cut = key.indexOf('\u0000');
  return { shop: key.slice(0, cut), id: key.slice(cut + 1) };
}

/**
 * Every message of the scanned files once, in batches, in time order (ties in file order),
 * shops resolved, repeated (shop, id) rows dropped and counted. Memory holds a batch per file,
 * plus the ids of the last hour: overlapping exports repeat a message with the same time. `seen` (id key →
 * time) may hold the last hour of an earlier run (src/history); it holds this run's ids when
 * the messages have all been read.
 */
export async function* chatMessages(
  scan: ChatScan,
  seen: Map<string, number> = new Map(),
  /** Shown every message read, repeats included (e.g. to find the end of the data). */
  observe: ((m: Message) => void) | null = null,
): AsyncGenerator<Message[]> {
  const streams = scan.sources.map((_, i) => sourceMessages(scan, i));
  // Per shop, id → time: no key string made per message. `seen` is given back at the end.
  const byShop = new Map<string, Map<string, number>>();
  for (const [key, t] of seen) {
    const { shop, id } = fromDedupKey(key);
    idsOf(byShop, shop).set(id, t);
  }
  let size = seen.size;
  let sweepAt = Math.max(1024, size * 2);
  let lastShop: string | null = null;
  let ids = new Map<string, number>();
  for await (const batch of mergeSortedBatches(streams, byTime, BATCH)) {
    const out: Message[] = [];
    for (const m of batch) {
      if (m.shop === '') m.shop = scan.fallbackShop;
      observe?.(m);
      const stats = scan.files[fileIndexOf(scan.firstSeq, m.seq)]!;
      if (m.id !== null) {
        if (m.shop !== lastShop) {
          lastShop = m.shop;
          ids = idsOf(byShop, m.shop);
        }
        const earlier = ids.get(m.id);
        // Exactly an hour, whatever the sweeps did: a history run seeded with the ids of the
        // previous run's last hour decides as one run over both would.
        if (earlier !== undefined && m.t - earlier <= DEDUP_HORIZON_MS) {
          stats.duplicates++;
          continue;
        }
        if (earlier === undefined) size++;
        ids.set(m.id, m.t);
        if (size >= sweepAt) {
          size = 0;
          for (const shopIds of byShop.values()) {
            for (const [k, t] of shopIds) if (t < m.t - DEDUP_HORIZON_MS) shopIds.delete(k);
            size += shopIds.size;
          }
          sweepAt = Math.max(1024, size * 2);
        }
      }
      stats.messages++;
      out.push(m);
    }
    if (out.length > 0) yield out;
  }
  seen.clear();
  for (const [shop, shopIds] of byShop) for (const [id, t] of shopIds) seen.set(dedupKey(shop, id), t);
}

function idsOf(byShop: Map<string, Map<string, number>>, shop: string): Map<string, number> {
  let ids = byShop.get(shop);
  if (ids === undefined) byShop.set(shop, (ids = new Map()));
  return ids;
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

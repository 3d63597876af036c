import { StrictError } from '../errors.js';
import { normalizeChatRow } from '../normalize/chat-row.js';
import type { Zone } from '../time/zone.js';
import { canonicalRecordBatches, type ProfileOptions, type SourceInfo } from './profiles.js';
import type { FilePart } from './records.js';
import type { InputSource } from './sources.js';

/** What every row of one shop says about who the shop is (FORMAT.md sub-account chatter). */
export interface ShopDirectory {
  /** Accounts named as `agent` anywhere in the input. */
  accounts: Set<string>;
  /** Buyers flagged `merchant` on any row. */
  merchantBuyers: Set<string>;
}

export function directoryOf(map: Map<string, ShopDirectory>, shop: string): ShopDirectory {
  let d = map.get(shop);
  if (!d) map.set(shop, (d = { accounts: new Set(), merchantBuyers: new Set() }));
  return d;
}

/** The main account of a `main:sub` account, or null. */
export function mainAccountOf(account: string): string | null {
  const colon = account.indexOf(':');
  return colon > 0 ? account.slice(0, colon) : null;
}

/**
 * What pass 1 learns from one file, or from one part of it (see FilePart): plain data, so that a
 * worker thread can read a part and hand it back. Lines are the part's own (counted from its
 * start); the caller puts the parts together in file order.
 */
export interface PartScan {
  /** Records read (the header excluded). */
  rows: number;
  /** Rows that became messages. */
  messages: number;
  badRows: { line: number; reason: string }[];
  profile: string | null;
  /** Whether the part's messages are in time order. */
  sorted: boolean;
  /** The times of its first and last message in file order, and its earliest and latest. */
  first: number | null;
  last: number | null;
  minT: number | null;
  maxT: number | null;
  /** Per shop as written ('' for rows without one). */
  raw: Map<string, ShopDirectory>;
  /** The main accounts of `main:sub` accounts. */
  mainAccounts: Set<string>;
  /** See FilePart: whether the next part starts where this one ends, and its last line. */
  reachedEnd: boolean;
  lastLine: number;
}

export interface PartOptions {
  zone: Zone;
  /** Stop at the first bad row (--strict); the part's lines must then be the file's own. */
  strict: boolean;
  profiles: ProfileOptions;
}

/**
 * Read and check every row of `source` (or of `part` of it) once: pass 1's work for one file.
 * `onRows` is told the rows read now and then (for a progress bar).
 */
export async function scanPart(
  source: InputSource,
  options: PartOptions,
  part: FilePart | null,
  onRows: ((rows: number) => void) | null = null,
): Promise<PartScan> {
  const info: SourceInfo = { profile: null, layout: '', mapping: {} };
  const scan: PartScan = {
    rows: 0,
    messages: 0,
    badRows: [],
    profile: null,
    sorted: true,
    first: null,
    last: null,
    minT: null,
    maxT: null,
    raw: new Map(),
    mainAccounts: new Set(),
    reachedEnd: false,
    lastLine: 0,
  };
  const raw = scan.raw;
  let previous = -Infinity;
  for await (const batch of canonicalRecordBatches(source, 'chat', options.profiles, info, part)) {
    for (const item of batch) {
      scan.rows++;
      if (onRows !== null && scan.rows % 50_000 === 0) onRows(scan.rows);
      const result = 'unreadable' in item ? item.unreadable : normalizeChatRow(item.values, { file: source.name, line: item.line }, scan.messages, options.zone);
      if (typeof result === 'string') {
        if (options.strict) throw new StrictError(`${source.name}:${item.line}: ${result} (--strict)`);
        scan.badRows.push({ line: item.line, reason: result });
        continue;
      }
      scan.messages++;
      const m = result;
      if (m.shop === '' && source.shop !== undefined) m.shop = source.shop;
      if (m.t < previous) scan.sorted = false;
      previous = m.t;
      scan.first ??= m.t;
      scan.last = m.t;
      if (scan.minT === null || m.t < scan.minT) scan.minT = m.t;
      if (scan.maxT === null || m.t > scan.maxT) scan.maxT = m.t;
      const d = directoryOf(raw, m.shop);
      if (m.agent !== null) {
        d.accounts.add(m.agent);
        const main = mainAccountOf(m.agent);
        if (main !== null) scan.mainAccounts.add(main);
      }
      if (m.flags.includes('merchant')) d.merchantBuyers.add(m.buyer);
    }
  }
  onRows?.(scan.rows);
  scan.profile = info.profile;
  scan.reachedEnd = part?.reachedEnd ?? false;
  scan.lastLine = part?.lastLine ?? 0;
  return scan;
}

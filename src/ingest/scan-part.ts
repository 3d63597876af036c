import { StrictError } from '../errors.js';
import { DEFAULT_SHOP, type Message } from '../model.js';
import type { Zone } from '../time/zone.js';
import type { ProfileOptions, SourceInfo } from './profiles.js';
import { readMessages } from './read-messages.js';
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

/** Everything `from` knows, added to `into`. */
export function addDirectory(into: ShopDirectory, from: ShopDirectory): void {
  for (const a of from.accounts) into.accounts.add(a);
  for (const b of from.merchantBuyers) into.merchantBuyers.add(b);
}

/** What a shop's directory can learn from one message: the shop itself, an account, a merchant buyer. */
export type ShopFact = 'shop' | 'account' | 'merchant';

/**
 * FORMAT.md sub-account chatter: what one message says of who its shop is. Its `agent` is one of
 * the shop's accounts, and a buyer flagged `merchant` on any row is a merchant. `met` is told
 * what is new (the one pass hands that over as it reads).
 */
export function learnShop(raw: Map<string, ShopDirectory>, m: Message, met: ((shop: string, fact: ShopFact, name: string) => void) | null = null): void {
  let d = raw.get(m.shop);
  if (d === undefined) {
    raw.set(m.shop, (d = { accounts: new Set(), merchantBuyers: new Set() }));
    met?.(m.shop, 'shop', '');
  }
  if (m.agent !== null && !d.accounts.has(m.agent)) {
    d.accounts.add(m.agent);
    met?.(m.shop, 'account', m.agent);
  }
  if (m.flags.includes('merchant') && !d.merchantBuyers.has(m.buyer)) {
    d.merchantBuyers.add(m.buyer);
    met?.(m.shop, 'merchant', m.buyer);
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

/** What the inputs other than the chat say of the shop of rows that name none (see fallbackShop). */
export interface ShopsBeside {
  /** Shops named by presence and review rows, and a history's shops. */
  named: string[];
  /** The main accounts of the presence log's `main:sub` accounts. */
  mains: string[];
}

/**
 * The one pass (read-worker.ts) cannot know the shop of a row that names none before every row
 * is read (fallbackShop). It gives such rows the shop that what it has read says, from the first
 * such row on, and keeps learning from every row after: once the shop so given is no longer what
 * the rows read say, the rows given it were audited under the wrong shop, and the pass gives up.
 * In a log that names one shop, or names none and has the accounts of one main account (or of
 * none), the shop never changes.
 */
export class ShopOfUnnamed {
  private readonly named: Set<string>;
  private readonly mains: Set<string>;
  /** The shop given to rows that name none, from the first on; null before. */
  given: string | null = null;

  constructor(beside: ShopsBeside) {
    this.named = new Set(beside.named);
    this.mains = new Set(beside.mains);
  }

  /** What learnShop told of a row: false once the shop given so far is no longer the rows' (see fallbackShop). */
  met(shop: string, fact: ShopFact, name: string): boolean {
    if (fact === 'shop') {
      if (shop !== '') this.named.add(shop);
    } else if (fact === 'account') {
      const main = mainAccountOf(name);
      if (main !== null) this.mains.add(main);
    }
    return this.given === null || this.now() === this.given;
  }

  /** The shop of a row that names none, the same from the first such row on. */
  shop(): string {
    return (this.given ??= this.now());
  }

  /** The shop the rows read so far say. */
  now(): string {
    return fallbackShop(this.named, this.mains);
  }
}

/** The main account of a `main:sub` account, or null. */
export function mainAccountOf(account: string): string | null {
  const colon = account.indexOf(':');
  return colon > 0 ? account.slice(0, colon) : null;
}

/** The main accounts of every `main:sub` account the directories know. */
export function mainAccountsOf(raw: ReadonlyMap<string, ShopDirectory>): Set<string> {
  const mains = new Set<string>();
  for (const d of raw.values()) {
    for (const a of d.accounts) {
      const main = mainAccountOf(a);
      if (main !== null) mains.add(main);
    }
  }
  return mains;
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
  /** See FilePart: whether the next part starts where this one ends, and its last line. */
  reachedEnd: boolean;
  lastLine: number;
}

/** Rows read between two progress reports. */
const PROGRESS_ROWS = 50_000;

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
    reachedEnd: false,
    lastLine: 0,
  };
  let previous = -Infinity;
  const onBad = (line: number, reason: string): void => {
    if (options.strict) throw new StrictError(`${source.name}:${line}: ${reason} (--strict)`);
    scan.badRows.push({ line, reason });
    scan.rows++;
  };
  for await (const batch of readMessages(source, 0, options.zone, options.profiles, onBad, info, part)) {
    const before = scan.rows;
    for (const m of batch) {
      scan.messages++;
      if (m.t < previous) scan.sorted = false;
      previous = m.t;
      scan.first ??= m.t;
      scan.last = m.t;
      if (scan.minT === null || m.t < scan.minT) scan.minT = m.t;
      if (scan.maxT === null || m.t > scan.maxT) scan.maxT = m.t;
      learnShop(scan.raw, m);
    }
    scan.rows += batch.length;
    if (onRows !== null && Math.floor(scan.rows / PROGRESS_ROWS) > Math.floor(before / PROGRESS_ROWS)) onRows(scan.rows);
  }
  onRows?.(scan.rows);
  scan.profile = info.profile;
  scan.reachedEnd = part?.reachedEnd ?? false;
  scan.lastLine = part?.lastLine ?? 0;
  return scan;
}

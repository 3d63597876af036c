import type { Message } from '../model.js';

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
 * FORMAT.md `id`: a message that repeats an earlier (shop, id) of the last hour of stream time is
 * a repeat (overlapping exports repeat a message with the same time). Shown every message in
 * stream order; remembers the ids of the last hour only. Runs where the stream is: beside the
 * merge (read-chat.ts chatMessages) or, for one file read by a thread, in that thread.
 *
 * The ids are kept oldest first in a ring, and found through a hash table of ring positions
 * (open addressing): a message costs one probe and no map entry, and the ids older than an hour
 * leave from the front of the ring as the stream goes on (issue 8: with a Map swept now and then,
 * this was a tenth of the reading thread's time).
 */
export class RepeatFilter {
  // The ring: slot i holds a remembered (shop, id) kept at times[i]; shop null: forgotten.
  private shops: (string | null)[];
  private ids: string[];
  private times: Float64Array;
  private hashes: Int32Array;
  private head = 0;
  private count = 0;
  /** The latest message's time (see remembered). */
  private latest = -Infinity;
  /** Ring slot + 1 per table slot; 0: empty. Twice as many slots as the ring has. */
  private table: Int32Array;

  /**
   * `seen` (id key → time) may hold the last hour of an earlier run (src/history). `capacity`: the
   * ids it has room for at first (it grows).
   */
  constructor(seen: Iterable<[string, number]>, capacity = 1024) {
    const kept = [...seen].sort((a, b) => a[1] - b[1]);
    while (capacity < kept.length * 2) capacity *= 2;
    this.shops = new Array<string | null>(capacity).fill(null);
    this.ids = new Array<string>(capacity).fill('');
    this.times = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.table = new Int32Array(capacity * 2);
    for (const [key, t] of kept) {
      const { shop, id } = fromDedupKey(key);
      if (this.find(shop, id, hashOf(id)) === -1) this.remember(shop, id, t);
    }
  }

  /** Whether `m` (its shop resolved) repeats an id of the last hour; if not, its id is remembered. */
  repeats(m: Message): boolean {
    if (m.t > this.latest) this.latest = m.t;
    this.forgetBefore(m.t - DEDUP_HORIZON_MS);
    const id = m.id;
    if (id === null) return false;
    const hash = hashOf(id);
    const slot = this.find(m.shop, id, hash);
    if (slot !== -1) {
      // Exactly an hour: a history run seeded with the ids of the previous run's last hour
      // decides as one run over both would.
      if (m.t - this.times[slot]! <= DEDUP_HORIZON_MS) return true;
      // Only out of time order can a remembered id be older than an hour: kept again, from now.
      this.unlink(slot);
      this.shops[slot] = null;
    }
    this.remember(m.shop, id, m.t, hash);
    return false;
  }

  /**
   * What it remembers, as id key → time (for the next run of a history): the ids of the hour
   * before the latest message. (Ids are forgotten from the oldest kept on; one kept later than
   * messages after it, a history's id of a later day, keeps those after it from being forgotten,
   * and they are left out here.)
   */
  remembered(): [string, number][] {
    const out: [string, number][] = [];
    const mask = this.ids.length - 1;
    const since = this.latest - DEDUP_HORIZON_MS;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) & mask;
      const shop = this.shops[slot]!;
      if (shop !== null && this.times[slot]! >= since) out.push([dedupKey(shop, this.ids[slot]!), this.times[slot]!]);
    }
    return out;
  }

  /** The ring slot holding (shop, id), or -1. */
  private find(shop: string, id: string, hash: number): number {
    const table = this.table;
    const mask = table.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = table[i]!;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && this.ids[slot] === id && this.shops[slot] === shop) return slot;
    }
  }

  private remember(shop: string, id: string, t: number, hash = hashOf(id)): void {
    if (this.count === this.ids.length) this.grow();
    const slot = (this.head + this.count) & (this.ids.length - 1);
    this.count++;
    this.shops[slot] = shop;
    this.ids[slot] = id;
    this.times[slot] = t;
    this.hashes[slot] = hash;
    this.link(slot);
  }

  /** Ids kept before `t` leave from the front of the ring. */
  private forgetBefore(t: number): void {
    const mask = this.ids.length - 1;
    while (this.count > 0 && this.times[this.head]! < t) {
      const slot = this.head;
      if (this.shops[slot] !== null) {
        this.unlink(slot);
        this.shops[slot] = null;
      }
      this.ids[slot] = '';
      this.head = (slot + 1) & mask;
      this.count--;
    }
  }

  private link(slot: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let i = this.hashes[slot]! & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }

  /** Take `slot` out of the table, moving back the entries after it that it kept from their place. */
  private unlink(slot: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let hole = this.hashes[slot]! & mask;
    while (table[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let j = (hole + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashes[table[j]! - 1]! & mask;
      // An entry may move back to the hole unless its home lies after the hole, up to it.
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        table[hole] = table[j]!;
        hole = j;
      }
    }
    table[hole] = 0;
  }

  /** Twice the room: the ring laid out again from its front, and the table built again. */
  private grow(): void {
    const capacity = this.ids.length * 2;
    const mask = this.ids.length - 1;
    const shops = new Array<string | null>(capacity).fill(null);
    const ids = new Array<string>(capacity).fill('');
    const times = new Float64Array(capacity);
    const hashes = new Int32Array(capacity);
    for (let k = 0; k < this.count; k++) {
      const from = (this.head + k) & mask;
      shops[k] = this.shops[from]!;
      ids[k] = this.ids[from]!;
      times[k] = this.times[from]!;
      hashes[k] = this.hashes[from]!;
    }
    this.shops = shops;
    this.ids = ids;
    this.times = times;
    this.hashes = hashes;
    this.head = 0;
    this.table = new Int32Array(capacity * 2);
    for (let k = 0; k < this.count; k++) if (shops[k] !== null) this.link(k);
  }
}

/**
 * The repeats of a stream in time order shop by shop but not across shops: the one pass over
 * files of several shops that overlap in time (read-worker.ts), where time goes back at a file
 * of another shop. A RepeatFilter per shop: (shop, id) keys never meet across shops, and each
 * filter sees its shop's rows in time order, so it decides as one filter over all the rows in
 * time order would. What they remember at the end is what that one filter would: the ids of the
 * hour before the latest message of any shop (then of the history's ids, those of shops without
 * a row), in time order.
 */
export class ShopRepeatFilters {
  private readonly filters = new Map<string, RepeatFilter>();
  /** The history's ids (see RepeatFilter) by shop, until the shop's first row. */
  private readonly seen = new Map<string, [string, number][]>();
  private lastShop: string | null = null;
  private last: RepeatFilter | null = null;
  private latest = -Infinity;

  constructor(seen: Iterable<[string, number]>) {
    for (const entry of seen) {
      const { shop } = fromDedupKey(entry[0]);
      let kept = this.seen.get(shop);
      if (kept === undefined) this.seen.set(shop, (kept = []));
      kept.push(entry);
    }
  }

  /** As RepeatFilter.repeats, with the filter of m's shop. */
  repeats(m: Message): boolean {
    if (m.t > this.latest) this.latest = m.t;
    // Rows come a shop at a time: the filter is looked up when the shop changes.
    if (m.shop !== this.lastShop) {
      let filter = this.filters.get(m.shop);
      if (filter === undefined) {
        // Small at first: a folder may hold thousands of shops, most of them small.
        this.filters.set(m.shop, (filter = new RepeatFilter(this.seen.get(m.shop) ?? [], 16)));
        this.seen.delete(m.shop);
      }
      this.lastShop = m.shop;
      this.last = filter;
    }
    return this.last!.repeats(m);
  }

  /** As RepeatFilter.remembered for the rows of every shop in time order. */
  remembered(): [string, number][] {
    const all = [...this.filters.values(), ...[...this.seen.values()].map((kept) => new RepeatFilter(kept))].flatMap((f) => f.remembered());
    const since = this.latest - DEDUP_HORIZON_MS;
    return all.filter(([, t]) => t >= since).sort((a, b) => a[1] - b[1]);
  }
}

/** FNV-1a over the id's UTF-16 code units. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h;
}

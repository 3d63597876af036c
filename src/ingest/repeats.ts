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
 */
export class RepeatFilter {
  // Per shop, id → time: no key string made per message.
  private readonly byShop = new Map<string, Map<string, number>>();
  private size: number;
  private sweepAt: number;
  private lastShop: string | null = null;
  private ids = new Map<string, number>();

  /** `seen` (id key → time) may hold the last hour of an earlier run (src/history). */
  constructor(seen: Iterable<[string, number]>) {
    let size = 0;
    for (const [key, t] of seen) {
      const { shop, id } = fromDedupKey(key);
      this.idsOf(shop).set(id, t);
      size++;
    }
    this.size = size;
    this.sweepAt = Math.max(1024, size * 2);
  }

  /** Whether `m` (its shop resolved) repeats an id of the last hour; if not, its id is remembered. */
  repeats(m: Message): boolean {
    if (m.id === null) return false;
    if (m.shop !== this.lastShop) {
      this.lastShop = m.shop;
      this.ids = this.idsOf(m.shop);
    }
    const earlier = this.ids.get(m.id);
    // Exactly an hour, whatever the sweeps did: a history run seeded with the ids of the
    // previous run's last hour decides as one run over both would.
    if (earlier !== undefined && m.t - earlier <= DEDUP_HORIZON_MS) return true;
    if (earlier === undefined) this.size++;
    this.ids.set(m.id, m.t);
    if (this.size >= this.sweepAt) {
      let size = 0;
      for (const shopIds of this.byShop.values()) {
        for (const [k, t] of shopIds) if (t < m.t - DEDUP_HORIZON_MS) shopIds.delete(k);
        size += shopIds.size;
      }
      this.size = size;
      this.sweepAt = Math.max(1024, size * 2);
    }
    return false;
  }

  /** What it remembers, as id key → time (for the next run of a history). */
  remembered(): [string, number][] {
    const out: [string, number][] = [];
    for (const [shop, shopIds] of this.byShop) for (const [id, t] of shopIds) out.push([dedupKey(shop, id), t]);
    return out;
  }

  private idsOf(shop: string): Map<string, number> {
    let ids = this.byShop.get(shop);
    if (ids === undefined) this.byShop.set(shop, (ids = new Map()));
    return ids;
  }
}

import { withRoom } from './columns.js';
import { NameTable } from './name-table.js';

/**
 * A shop's buyers with a conversation and, per buyer, where it is: awake in a slot (a number
 * ≥ 0) or at rest as a value of type R (one of a few shared ones: a last account). Issue 8: kept
 * in columns by buyer number (see NameTable), not a Map of names, so a buyer at rest costs about
 * 40 bytes and no object. Buyers are numbered as their conversations begin, so it iterates as a
 * Map set as they began would (restored states, and so slots, follow that order).
 */
export class ConversationIndex<R> {
  private readonly names = new NameTable();
  /** Per buyer number: its slot (≥ 0), or -1 - the index of its value at rest in `rests`. */
  private held = new Int32Array(16);
  private readonly rests: R[] = [];
  private readonly restIndex = new Map<R, number>();

  /** Buyers so far: numbers 0 to size - 1. */
  get size(): number {
    return this.names.size;
  }

  /** The buyer's number, or -1 if it has no conversation. */
  find(buyer: string): number {
    return this.names.find(buyer);
  }

  /** A new buyer's number (not found before): its conversation is put next (inSlot or atRest). */
  add(buyer: string): number {
    const n = this.names.add(buyer);
    this.held = withRoom(this.held, n + 1);
    return n;
  }

  buyerOf(n: number): string {
    return this.names.nameOf(n);
  }

  /** The slot of buyer n's conversation, or -1 when it is at rest. */
  slotOf(n: number): number {
    const h = this.held[n]!;
    return h >= 0 ? h : -1;
  }

  /** Buyer n's conversation at rest, or undefined when it is in a slot. */
  restOf(n: number): R | undefined {
    const h = this.held[n]!;
    return h >= 0 ? undefined : this.rests[-1 - h];
  }

  inSlot(n: number, slot: number): void {
    this.held[n] = slot;
  }

  atRest(n: number, rest: R): void {
    let i = this.restIndex.get(rest);
    if (i === undefined) {
      i = this.rests.length;
      this.rests.push(rest);
      this.restIndex.set(rest, i);
    }
    this.held[n] = -1 - i;
  }
}

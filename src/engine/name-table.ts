import { withRoom } from './columns.js';

/**
 * Names (a shop's buyers) numbered 0, 1, 2, … in the order first met, so that what is kept per
 * name can live in columns indexed by that number.
 *
 * Issue 8: a month of a large shop meets hundreds of thousands of buyers, and most rest between
 * visits. A Map from each name to its state held, per buyer, the name as a string of its own
 * (about 32 bytes) and an entry of the Map's table (about 30 bytes, 56 just after it doubled):
 * 27 MB of a 5 M-message run's 82 MB heap. Here a name is its bytes in one pool, found through an
 * open-addressing table of numbers: about 40 bytes a name, in typed arrays the collector does not
 * trace.
 *
 * Bytes: each UTF-16 code unit as UTF-8 encodes it (1 to 3 bytes; a surrogate as 3 bytes of its
 * own), so that every string has one spelling and two strings the same bytes only if equal.
 */
export class NameTable {
  // Small at first: a run of thousands of small shops has tables for each (they double as they fill).
  /** The names' bytes, one after another: name n is pool[end[n - 1] .. end[n]). */
  private pool = new Uint8Array(256);
  private end = new Int32Array(16);
  /** Each name's hash, to grow the table without reading the pool again. */
  private hashes = new Int32Array(16);
  /** Open addressing: number + 1 of the name whose probe starts here, or 0. Never more than half full. */
  private slots = new Int32Array(32);
  private count = 0;

  /** `hash`: a test gives one with collisions, to reach what a 32-bit hash rarely does. */
  constructor(private readonly hash: (name: string) => number = hashOf) {}

  /** Names so far: numbers 0 to size - 1. */
  get size(): number {
    return this.count;
  }

  /** The name's number, or -1 if it was never added. */
  find(name: string): number {
    return this.lookUp(name, false);
  }

  /** The name's number, added (as the next number) if new. */
  add(name: string): number {
    return this.lookUp(name, true);
  }

  /** The name of number `n` (0 ≤ n < size). */
  nameOf(n: number): string {
    const from = n === 0 ? 0 : this.end[n - 1]!;
    const to = this.end[n]!;
    let out = '';
    for (let i = from; i < to; ) {
      const b = this.pool[i]!;
      if (b < 0x80) {
        out += String.fromCharCode(b);
        i += 1;
      } else if (b < 0xe0) {
        out += String.fromCharCode(((b & 0x1f) << 6) | (this.pool[i + 1]! & 0x3f));
        i += 2;
      } else {
        out += String.fromCharCode(((b & 0x0f) << 12) | ((this.pool[i + 1]! & 0x3f) << 6) | (this.pool[i + 2]! & 0x3f));
        i += 3;
      }
    }
    return out;
  }

  private lookUp(name: string, adding: boolean): number {
    const hash = this.hash(name);
    const mask = this.slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = this.slots[at]!;
      if (entry === 0) {
        if (!adding) return -1;
        return this.append(name, hash, at);
      }
      if (this.hashes[entry - 1] === hash && this.equals(entry - 1, name)) return entry - 1;
    }
  }

  private equals(n: number, name: string): boolean {
    const pool = this.pool;
    let i = n === 0 ? 0 : this.end[n - 1]!;
    // Past the name's end the bytes are the next name's (or none): the length check at the end decides.
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      if (c < 0x80) {
        if (pool[i] !== c) return false;
        i += 1;
      } else if (c < 0x800) {
        if (pool[i] !== (0xc0 | (c >> 6)) || pool[i + 1] !== (0x80 | (c & 0x3f))) return false;
        i += 2;
      } else {
        if (pool[i] !== (0xe0 | (c >> 12)) || pool[i + 1] !== (0x80 | ((c >> 6) & 0x3f)) || pool[i + 2] !== (0x80 | (c & 0x3f))) return false;
        i += 3;
      }
    }
    return i === this.end[n];
  }

  private append(name: string, hash: number, at: number): number {
    const n = this.count++;
    let i = n === 0 ? 0 : this.end[n - 1]!;
    this.pool = withRoom(this.pool, i + name.length * 3);
    const pool = this.pool;
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      if (c < 0x80) pool[i++] = c;
      else if (c < 0x800) {
        pool[i++] = 0xc0 | (c >> 6);
        pool[i++] = 0x80 | (c & 0x3f);
      } else {
        pool[i++] = 0xe0 | (c >> 12);
        pool[i++] = 0x80 | ((c >> 6) & 0x3f);
        pool[i++] = 0x80 | (c & 0x3f);
      }
    }
    this.end = withRoom(this.end, n + 1);
    this.hashes = withRoom(this.hashes, n + 1);
    this.end[n] = i;
    this.hashes[n] = hash;
    this.slots[at] = n + 1;
    if (this.count * 2 > this.slots.length) this.grow();
    return n;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let n = 0; n < this.count; n++) {
      let at = this.hashes[n]! & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = n + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the code units, with a final mix so that the low bits (the table's index) spread. */
export function hashOf(name: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

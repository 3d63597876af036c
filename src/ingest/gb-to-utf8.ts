import { loadOnUse } from '../load-on-use.js';

const iconv = loadOnUse<typeof import('iconv-lite')>('iconv-lite');

/**
 * GBK and GB18030 bytes into UTF-8 bytes, exactly as iconv-lite decodes them whole, in about a
 * third of its time (issue 8: GBK input). Chat exports are mostly ASCII and two-byte characters:
 * those go through tables read off iconv-lite itself once (every byte and byte pair decoded on its
 * own), GB18030's four-byte characters (emoji) through a memo of iconv-lite's answers. iconv-lite's
 * decoder is a trie that starts afresh after every sequence it reads; a sequence it cannot finish
 * gives U+FFFD and it starts again one byte after the sequence's first; it has no byte order mark
 * for these encodings. So a sequence decodes alike on its own and in the stream, and a byte no
 * table knows is U+FFFD, unless it starts a pair or four bytes that iconv-lite reads as one
 * sequence all the same (more than one code point, or U+FFFD for four bytes): then that. Fed in
 * chunks, only a character a chunk cuts waits for the next (iconv-lite's own decoder, fed so,
 * loses bytes after a cut sequence: its output buffer is sized by the chunk).
 * test/ingest/gb-to-utf8.test.ts holds every byte pair, four-byte sequences and random bytes in
 * chunks of any size against iconv-lite.
 */
export class GbToUtf8 {
  private readonly tables: Tables;
  /** The bytes of a character the last chunk cut (three at most). */
  private carry: Buffer = Buffer.alloc(0);
  /** The UTF-8 given back (reused: a run's garbage would be the size of its log). */
  private out: Buffer = Buffer.alloc(0);

  constructor(private readonly encoding: 'gbk' | 'gb18030') {
    this.tables = tablesOf(encoding);
  }

  /** The UTF-8 of `chunk`'s characters that are whole with what came before; valid until the next call. */
  push(chunk: Buffer): Buffer {
    return this.decode(this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]), false);
  }

  /** The UTF-8 of what is left (a character the input cut short); valid until the next call. */
  end(): Buffer {
    return this.decode(this.carry, true);
  }

  private decode(data: Buffer, last: boolean): Buffer {
    const { single, pair } = this.tables;
    const end = data.length;
    // Every byte gives 3 UTF-8 bytes at most: U+FFFD, a character of one or two bytes, half of
    // four bytes' (4, or two unpaired surrogates: 6), a pair read as two code points.
    if (this.out.length < end * 3) this.out = Buffer.allocUnsafe(end * 3);
    const out = this.out;
    let j = 0;
    let i = 0;
    this.carry = Buffer.alloc(0);
    while (i < end) {
      const b = data[i]!;
      if (b < 0x80) {
        out[j++] = b;
        i++;
        continue;
      }
      let cp = single[b]!;
      let width = 1;
      if (cp !== 0) {
        // One byte (iconv-lite's GBK reads 0x80 as €).
      } else if (i + 1 < end && (cp = pair[(b << 8) | data[i + 1]!]!) !== 0) {
        width = 2;
      } else if (i + 3 < end && (cp = this.four(data, i)) !== 0) {
        width = 4;
      } else if (!last && (i + 1 >= end || (i + 3 >= end && this.maybeFour(data, i, end)))) {
        // The chunk ends inside what may be one character: it waits for the next.
        this.carry = Buffer.from(data.subarray(i));
        break;
      } else {
        const odd = this.odd(data, i, end);
        // Three bytes a byte hold every sequence of these tables; a longer one would not be cut short.
        if (Buffer.byteLength(odd.text) > out.length - j - (end - i - odd.width) * 3) throw new Error(`GbToUtf8: ${this.encoding} reads a sequence longer than its room`);
        j += out.write(odd.text, j, 'utf8');
        i += odd.width;
        continue;
      }
      i += width;
      if (cp < 0x800) {
        out[j++] = 0xc0 | (cp >> 6);
        out[j++] = 0x80 | (cp & 0x3f);
      } else if (cp < 0x10000) {
        out[j++] = 0xe0 | (cp >> 12);
        out[j++] = 0x80 | ((cp >> 6) & 0x3f);
        out[j++] = 0x80 | (cp & 0x3f);
      } else {
        out[j++] = 0xf0 | (cp >> 18);
        out[j++] = 0x80 | ((cp >> 12) & 0x3f);
        out[j++] = 0x80 | ((cp >> 6) & 0x3f);
        out[j++] = 0x80 | (cp & 0x3f);
      }
    }
    return out.subarray(0, j);
  }

  /**
   * A byte at `i` that begins no character of the tables: a pair or four bytes (lead, digit,
   * lead, digit) that iconv-lite reads as one sequence all the same (giving more than one code
   * point, or U+FFFD for all four), or else U+FFFD for the byte alone (iconv-lite then starts again
   * at the next byte).
   */
  private odd(data: Buffer, i: number, end: number): { text: string; width: number } {
    if (i + 1 < end) {
      const text = this.sequence((data[i]! << 8) | data[i + 1]!, data.subarray(i, i + 2));
      if (text !== null) return { text, width: 2 };
    }
    const b2 = data[i + 1]!;
    if (i + 3 < end && b2 >= 0x30 && b2 <= 0x39) {
      const text = this.sequence(data.readUInt32BE(i), data.subarray(i, i + 4));
      if (text !== null) return { text, width: 4 };
    }
    return { text: '\ufffd', width: 1 };
  }

  /**
   * What `bytes` (two or four, `key` their number) decode to on their own when iconv-lite reads
   * them as one sequence; null when it gives up on it (then it says U+FFFD and reads the bytes
   * after the first again). Remembered.
   */
  private sequence(key: number, bytes: Buffer): string | null {
    const { odd } = this.tables;
    let text = odd.get(key);
    if (text === undefined) {
      text = iconv().decode(bytes, this.encoding);
      if (text === `\ufffd${iconv().decode(bytes.subarray(1), this.encoding)}`) text = null;
      if (odd.size < MAX_FOURS) odd.set(key, text);
    }
    return text;
  }

  /** Whether the bytes from `i` to `end` (fewer than four) may begin four (lead, digit, lead). */
  private maybeFour(data: Buffer, i: number, end: number): boolean {
    const b2 = data[i + 1]!;
    return b2 >= 0x30 && b2 <= 0x39 && (i + 2 >= end || data[i + 2]! >= 0x81);
  }

  /** Four bytes (lead, digit, lead, digit) at `i` that iconv-lite reads as one code point (GB18030's, and GBK's few): it, or 0. */
  private four(data: Buffer, i: number): number {
    const b2 = data[i + 1]!;
    const b4 = data[i + 3]!;
    if (b2 < 0x30 || b2 > 0x39 || b4 < 0x30 || b4 > 0x39) return 0;
    const key = data.readUInt32BE(i);
    const { fours } = this.tables;
    let cp = fours.get(key);
    if (cp === undefined) {
      cp = codePointOf(iconv().decode(data.subarray(i, i + 4), this.encoding));
      if (fours.size < MAX_FOURS) fours.set(key, cp);
    }
    return cp;
  }
}

/** Four-byte characters (and odd sequences) remembered at most (GB18030 defines 1.6 M; chats use a few hundred emoji). */
const MAX_FOURS = 65_536;

interface Tables {
  /** Code points of bytes from 0x80 that are a character alone (0: not one); bytes below are ASCII (checked, not assumed). */
  single: Uint32Array;
  /** Code points of byte pairs, lead << 8 | trail (0: not one). */
  pair: Uint32Array;
  /** Code points of four-byte sequences met so far (0: not one). */
  fours: Map<number, number>;
  /** What pairs and four-byte sequences outside the tables decode to on their own (null: not one sequence). */
  odd: Map<number, string | null>;
}

const built = new Map<string, Tables>();

function tablesOf(encoding: 'gbk' | 'gb18030'): Tables {
  let tables = built.get(encoding);
  if (tables !== undefined) return tables;
  const asciiBytes = Buffer.from(Array.from({ length: 0x80 }, (_, b) => b));
  if (iconv().decode(asciiBytes, encoding) !== asciiBytes.toString('latin1')) throw new Error(`GbToUtf8: ${encoding} does not keep ASCII`);
  const single = new Uint32Array(256);
  for (let b = 0x80; b < 0x100; b++) single[b] = codePointOf(iconv().decode(Buffer.from([b]), encoding));
  // Each pair decoded on its own, all in one call: a line feed after each, which iconv-lite reads
  // as itself whatever came before (it is part of no character), so the text splits into a piece a pair.
  const pair = new Uint32Array(65_536);
  const leads: number[] = [];
  for (let lead = 0x80; lead < 0x100; lead++) if (single[lead] === 0) leads.push(lead);
  const bytes = Buffer.alloc(leads.length * 256 * 3);
  let k = 0;
  for (const lead of leads) {
    for (let trail = 0; trail < 256; trail++) {
      bytes[k++] = lead;
      bytes[k++] = trail;
      bytes[k++] = 0x0a;
    }
  }
  const pieces = iconv().decode(bytes, encoding).split('\n');
  let p = 0;
  for (const lead of leads) {
    for (let trail = 0; trail < 256; trail++) {
      // A pair that is no character decodes to U+FFFD and its trail again; a line feed trail gives one more piece.
      const piece = pieces[p++]!;
      if (trail === 0x0a) {
        p++;
        continue;
      }
      pair[(lead << 8) | trail] = codePointOf(piece);
    }
  }
  if (p !== pieces.length - 1) throw new Error(`GbToUtf8: ${encoding}'s pairs did not decode one to a line`);
  tables = { single, pair, fours: new Map(), odd: new Map() };
  built.set(encoding, tables);
  return tables;
}

/** The code point of a text that is one code point and not U+FFFD; else 0. */
function codePointOf(text: string): number {
  const cp = text.codePointAt(0);
  if (cp === undefined || cp === 0xfffd || text.length !== (cp >= 0x10000 ? 2 : 1)) return 0;
  return cp;
}

import { loadOnUse } from '../load-on-use.js';

const iconv = loadOnUse<typeof import('iconv-lite')>('iconv-lite');

/**
 * GBK and GB18030 bytes into UTF-8 bytes, exactly as iconv-lite decodes them, in about a third of
 * its time (issue 8: GBK input). Chat exports are mostly ASCII and two-byte characters: those go
 * through tables read off iconv-lite itself once (every byte and byte pair decoded on its own),
 * GB18030's four-byte characters (emoji) through a memo of iconv-lite's answers. From a byte no
 * table knows (a broken sequence) to the end of its line, iconv-lite decodes. That is safe because
 * iconv-lite starts afresh after every character and at every line feed (never part of a
 * character in either encoding; a sequence it cuts short gives U+FFFD before it), and has no
 * byte order mark for these encodings: every piece decodes alike on its own and in the stream.
 * test/ingest/gb-to-utf8.test.ts holds every byte pair and random bytes against iconv-lite.
 */
export class GbToUtf8 {
  private readonly tables: Tables;
  /** Bytes after the last line feed of what came so far. */
  private carry: Buffer = Buffer.alloc(0);
  /** The carry and the next chunk together; and the UTF-8 given back (reused: a run's garbage would be the size of its log). */
  private joined: Buffer = Buffer.alloc(0);
  private out: Buffer = Buffer.alloc(0);

  constructor(private readonly encoding: 'gbk' | 'gb18030') {
    this.tables = tablesOf(encoding);
  }

  /** The UTF-8 of `chunk`'s lines that are complete with what came before; valid until the next call. */
  push(chunk: Buffer): Buffer {
    let data = chunk;
    if (this.carry.length > 0) {
      const length = this.carry.length + chunk.length;
      if (this.joined.length < length) this.joined = Buffer.allocUnsafe(length);
      this.carry.copy(this.joined, 0);
      chunk.copy(this.joined, this.carry.length);
      data = this.joined.subarray(0, length);
    }
    const end = data.lastIndexOf(0x0a) + 1;
    this.carry = Buffer.from(data.subarray(end));
    return this.lines(data, end);
  }

  /** The UTF-8 of what is left (a last line without a line feed); valid until the next call. */
  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return this.lines(rest, rest.length);
  }

  /** Whole lines `data[0, end)` (the last ends with a line feed, or is the input's last). */
  private lines(data: Buffer, end: number): Buffer {
    const { single, pair } = this.tables;
    // A character of one byte is at most U+FFFD (3 bytes), of two or four at most 4 bytes.
    if (this.out.length < end * 3) this.out = Buffer.allocUnsafe(end * 3);
    const out = this.out;
    let j = 0;
    for (let i = 0; i < end; i++) {
      const b = data[i]!;
      if (b < 0x80) {
        out[j++] = b;
        continue;
      }
      let cp = single[b]!;
      if (cp !== 0) {
        // One byte (iconv-lite's GBK reads 0x80 as €).
      } else if (i + 1 < end && (cp = pair[(b << 8) | data[i + 1]!]!) !== 0) {
        i += 1;
      } else if (i + 3 < end && (cp = this.four(data, i)) !== 0) {
        i += 3;
      } else {
        // Not a character the tables know: iconv-lite decodes the rest of the line.
        let lineEnd = data.indexOf(0x0a, i);
        if (lineEnd < 0 || lineEnd >= end) lineEnd = end;
        j += out.write(iconv().decode(data.subarray(i, lineEnd), this.encoding), j, 'utf8');
        i = lineEnd - 1;
        continue;
      }
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

  /** GB18030's four bytes (lead, digit, lead, digit) at `i`, as iconv-lite reads them: a code point, or 0. */
  private four(data: Buffer, i: number): number {
    const b2 = data[i + 1]!;
    const b4 = data[i + 3]!;
    if (this.encoding !== 'gb18030' || b2 < 0x30 || b2 > 0x39 || b4 < 0x30 || b4 > 0x39) return 0;
    const key = data.readUInt32BE(i);
    const { fours } = this.tables;
    let cp = fours.get(key);
    if (cp === undefined) {
      cp = alone(data.subarray(i, i + 4), this.encoding);
      if (fours.size < MAX_FOURS) fours.set(key, cp);
    }
    return cp;
  }

}

/** Four-byte characters remembered at most (GB18030 defines 1.6 M; chats use a few hundred emoji). */
const MAX_FOURS = 65_536;

interface Tables {
  /** Code points of bytes from 0x80 that are a character alone (0: not one); bytes below are ASCII (checked, not assumed). */
  single: Uint32Array;
  /** Code points of byte pairs, lead << 8 | trail (0: not one). */
  pair: Uint32Array;
  /** Code points of four-byte sequences met so far (0: not one). */
  fours: Map<number, number>;
}

const built = new Map<string, Tables>();

function tablesOf(encoding: 'gbk' | 'gb18030'): Tables {
  let tables = built.get(encoding);
  if (tables !== undefined) return tables;
  const asciiBytes = Buffer.from(Array.from({ length: 0x80 }, (_, b) => b));
  if (iconv().decode(asciiBytes, encoding) !== asciiBytes.toString('latin1')) throw new Error(`GbToUtf8: ${encoding} does not keep ASCII`);
  const single = new Uint32Array(256);
  for (let b = 0x80; b < 0x100; b++) single[b] = alone(Buffer.from([b]), encoding);
  // Each pair decoded on its own, all in one call: a line feed after each (see the class comment).
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
  tables = { single, pair, fours: new Map() };
  built.set(encoding, tables);
  return tables;
}

/** The code point `bytes` decode to on their own, when they are one character (not U+FFFD); else 0. */
function alone(bytes: Buffer, encoding: string): number {
  return codePointOf(iconv().decode(bytes, encoding));
}

function codePointOf(text: string): number {
  const cp = text.codePointAt(0);
  if (cp === undefined || cp === 0xfffd || text.length !== (cp >= 0x10000 ? 2 : 1)) return 0;
  return cp;
}

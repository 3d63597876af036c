/**
 * The strings of a delimited file's short fields that repeat down a column (a shop, a sender, an
 * account, a type), decoded once (issue 8). A field whose bytes are those of the string last
 * decoded in its slot of the column's table is given that string again. The string is the same
 * text either way; being the same string, it is also hashed once for the look-ups after (interned
 * names, canonical words). A column whose fields seldom repeat (ids, times, buyers, contents) is
 * left alone once that is seen.
 */

// Buffer's own decoder without toString's argument checks: most fields are a few bytes long.
export const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Buffer, start: number, end: number): string }).utf8Slice;

/** Strings kept per column, and the longest field kept (in bytes). */
const SLOTS = 256;
const MAX_BYTES = 32;
/** Fields looked up in a column before it is judged; it stays on when half of them were found. */
const TRIAL = 4096;
/** Columns looked at, at most: a file with more has them decoded as they come. */
const MAX_COLUMNS = 64;

class ColumnTable {
  readonly bytes = new Uint8Array(SLOTS * MAX_BYTES);
  readonly lengths = new Int32Array(SLOTS).fill(-1);
  readonly strings = new Array<string>(SLOTS).fill('');
  tries = 0;
  found = 0;
  on = true;
}

export class ColumnStrings {
  private readonly columns: (ColumnTable | undefined)[] = [];

  /** The text of bytes [start, end) of `buf`, a field of column `column`. */
  get(buf: Buffer, start: number, end: number, column: number): string {
    const length = end - start;
    if (length <= 0) return '';
    if (length > MAX_BYTES || column >= MAX_COLUMNS) return utf8Slice.call(buf, start, end);
    const table = (this.columns[column] ??= new ColumnTable());
    if (!table.on) return utf8Slice.call(buf, start, end);
    // FNV-1a over the bytes; the slot from the best-mixed high bits.
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const slot = h >>> 24;
    const at = slot * MAX_BYTES;
    const bytes = table.bytes;
    if (table.lengths[slot] === length) {
      let i = 0;
      while (i < length && bytes[at + i] === buf[start + i]) i++;
      if (i === length) {
        if (table.tries < TRIAL) this.tried(table, true);
        return table.strings[slot]!;
      }
    }
    const text = utf8Slice.call(buf, start, end);
    for (let i = 0; i < length; i++) bytes[at + i] = buf[start + i]!;
    table.lengths[slot] = length;
    table.strings[slot] = text;
    if (table.tries < TRIAL) this.tried(table, false);
    return text;
  }

  private tried(table: ColumnTable, found: boolean): void {
    if (found) table.found++;
    if (++table.tries === TRIAL) table.on = table.found * 2 >= TRIAL;
  }
}

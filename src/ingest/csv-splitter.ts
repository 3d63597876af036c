/**
 * The CSV reader (issue 8): bytes → records, one pass over the bytes, no per-character objects.
 * It reads exactly what csv-parse 6 reads with the options cs-audit used before (`bom`, one
 * delimiter, `"` as quote and escape, the record delimiter found from the first line ending,
 * `skip_empty_lines`, `relax_column_count`), and it fails where csv-parse fails, with csv-parse's
 * messages; test/ingest/csv-splitter.test.ts holds both to the same records and errors. After a
 * broken record it resumes on the line after that record's first line, as the csv-parse reader
 * did, so one stray quote costs one line, not the rest of the file.
 */

import { ColumnStrings, utf8Slice } from './column-strings.js';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** The record delimiter, found from the first line ending outside quotes (csv-parse's order). */
const enum RecordEnd {
  Unknown = 0,
  Lf = 1,
  CrLf = 2,
  Cr = 3,
}

/** One record (its fields, and the line it starts on), or a record that could not be read. */
export type CsvItem = { fields: string[]; line: number } | { line: number; error: string };

/** What reading one record from a position came to. */
const enum Outcome {
  Record,
  /** The bytes end inside the record: give more (or say they are the last). */
  More,
  /** Only empty lines were left. */
  Eof,
  Error,
}

export class CsvSplitter {
  private recordEnd = RecordEnd.Unknown;
  private bomPending: boolean;
  /** The line the last record ended on (records count lines as the csv-parse reader did). */
  private lastEnd = 0;
  /** A broken record left no line to resume on: nothing after it is read. */
  private stopped = false;
  /** The record delimiter once the first record (the header) was read; -1 before. */
  private headerState = -1;

  // The record being read: set by readRecord, read by split.
  private fields: string[] = [];
  private next = 0;
  private emptyLines = 0;
  private newlines = 0;
  private error = '';
  private readonly strings = new ColumnStrings();
  /** 1 for the bytes that mean something outside quotes: the quote, CR, LF and the delimiter. */
  private readonly special = new Uint8Array(256);

  constructor(
    private readonly delimiter: number,
    /** Skip a UTF-8 byte order mark at the very start. */
    bom = true,
  ) {
    this.bomPending = bom;
    for (const b of [QUOTE, CR, LF, delimiter]) this.special[b] = 1;
  }

  /**
   * Read the whole records at the start of `buf` into `out`; returns where the unread bytes
   * begin (a record cut off by the end of `buf`). Give those bytes again, followed by more, or
   * with `last` set when there are no more.
   */
  split(buf: Buffer, last: boolean, out: CsvItem[]): number {
    let p = 0;
    if (this.bomPending) {
      if (buf.length < 3 && !last) return 0;
      this.bomPending = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) p = 3;
    }
    while (!this.stopped && p < buf.length) {
      const outcome = this.readRecord(buf, p, last);
      if (outcome === Outcome.More) return p;
      if (outcome === Outcome.Eof) return buf.length;
      if (outcome === Outcome.Record) {
        const line = this.lastEnd + 1 + this.emptyLines;
        this.lastEnd = line + this.newlines;
        if (this.headerState === -1) this.headerState = this.recordEnd;
        out.push({ fields: this.fields, line });
        p = this.next;
        continue;
      }
      // A broken record: csv-parse's reader skipped the empty lines before it and resumed after
      // its first line, with a fresh parser (its record delimiter found again).
      const found = resumeAfterFirstLine(buf, p);
      if (found.resume === -1 && !last) return p;
      const line = this.lastEnd + 1 + found.emptyLines;
      this.lastEnd = line;
      out.push({ line, error: this.error });
      if (found.resume === -1) {
        this.stopped = true;
        return buf.length;
      }
      this.recordEnd = RecordEnd.Unknown;
      p = found.resume;
    }
    return this.stopped ? buf.length : p;
  }

  /** Whether the reader stopped at a broken record with nothing after its first line. */
  get done(): boolean {
    return this.stopped;
  }

  /** The line the last record ended on (a part read on its own counts from its start, see restart). */
  get lineRead(): number {
    return this.lastEnd;
  }

  /**
   * What, besides the position, decides how the bytes after the last record read are read: the
   * record delimiter in use. Two readers in the same state at the same position read the rest alike.
   */
  get state(): number {
    return this.recordEnd;
  }

  /** The state right after the first record (the header), or -1 before it. */
  get stateAfterHeader(): number {
    return this.headerState;
  }

  /**
   * Go on at another record start (pass 1 on several cores) in the state right after the header,
   * whatever the bytes read since did: lines count from there, as line 1.
   */
  restart(): void {
    this.lastEnd = 0;
    this.bomPending = false;
    this.stopped = false;
    this.recordEnd = this.headerState as RecordEnd;
  }

  /** The length of a record delimiter at `pos`, finding the delimiter first if not known yet. */
  private recordEndAt(buf: Buffer, pos: number): number {
    const c = buf[pos];
    switch (this.recordEnd) {
      case RecordEnd.Lf:
        return c === LF ? 1 : 0;
      case RecordEnd.CrLf:
        return c === CR && buf[pos + 1] === LF ? 2 : 0;
      case RecordEnd.Cr:
        return c === CR ? 1 : 0;
      default:
        return this.discover(buf, pos);
    }
  }

  /** csv-parse's discovery: CRLF before LF before CR, at the first line ending outside quotes. */
  private discover(buf: Buffer, pos: number): number {
    const c = buf[pos];
    if (c === CR && buf[pos + 1] === LF) {
      this.recordEnd = RecordEnd.CrLf;
      return 2;
    }
    if (c === LF) {
      this.recordEnd = RecordEnd.Lf;
      return 1;
    }
    if (c === CR) {
      this.recordEnd = RecordEnd.Cr;
      return 1;
    }
    return 0;
  }

  private readRecord(buf: Buffer, start: number, last: boolean): Outcome {
    const len = buf.length;
    // Deciding a byte can look two bytes ahead (a closing quote before CRLF): short of the end,
    // stop two bytes early and read the record again with more bytes.
    const limit = last ? len : len - 2;
    const delimiter = this.delimiter;
    const fields: string[] = [];
    let emptyLines = 0;
    let newlines = 0;
    // The field being read: text of earlier runs, plus the run of bytes [runStart, pos).
    let text = '';
    let runStart = start;
    let fieldBytes = 0;
    let quoting = false;
    let wasQuoting = false;
    let pos = start;
    for (;;) {
      if (pos >= limit) {
        if (!last) return Outcome.More;
        if (quoting) {
          this.error = 'Quote Not Closed: the parsing is finished with an opening quote';
          return Outcome.Error;
        }
        if (wasQuoting || fields.length > 0 || fieldBytes > 0) {
          fields.push(this.field(text, buf, runStart, pos, fields.length));
          return this.record(fields, len, emptyLines, newlines);
        }
        return Outcome.Eof;
      }
      if (quoting) {
        // Inside quotes only a quote means anything.
        let q = indexOfByte(buf, QUOTE, pos, limit);
        if (q === -1) q = limit;
        newlines += countByte(buf, LF, pos, q);
        fieldBytes += q - pos;
        pos = q;
        if (pos >= limit) continue;
        if (pos + 1 < len && buf[pos + 1] === QUOTE) {
          // An escaped quote: the second one is the field's.
          text += utf8(buf, runStart, pos);
          runStart = pos + 1;
          fieldBytes++;
          pos += 2;
          continue;
        }
        const next = pos + 1 < len ? buf[pos + 1]! : 0;
        if (next === 0 || next === delimiter || this.recordEndAt(buf, pos + 1) !== 0) {
          text += utf8(buf, runStart, pos);
          runStart = pos + 1;
          quoting = false;
          wasQuoting = true;
          pos++;
          continue;
        }
        this.error =
          `Invalid Closing Quote: got "${String.fromCharCode(next)}" instead of delimiter, record delimiter, ` +
          'trimable character (if activated) or comment';
        return Outcome.Error;
      }
      // Bytes that mean nothing here (not a quote, a line ending or the delimiter) go by in a
      // tight loop: most of a chat log's bytes are content.
      const special = this.special;
      let ordinary = pos;
      while (ordinary < limit && special[buf[ordinary]!] === 0) ordinary++;
      if (ordinary !== pos) {
        fieldBytes += ordinary - pos;
        pos = ordinary;
        continue;
      }
      const c = buf[pos]!;
      if (c === QUOTE) {
        if (fieldBytes !== 0) {
          const value = text + utf8(buf, runStart, pos);
          this.error = `Invalid Opening Quote: a quote is found on field ${fields.length}, value is ${JSON.stringify(value)}${value === '\uFEFF' ? ' (utf8 bom)' : ''}`;
          return Outcome.Error;
        }
        quoting = true;
        pos++;
        runStart = pos;
        continue;
      }
      if (c === CR || c === LF) {
        const ending = this.recordEndAt(buf, pos);
        if (ending !== 0) {
          if (fields.length === 0 && fieldBytes === 0 && !wasQuoting) {
            emptyLines++;
            pos += ending;
            runStart = pos;
            continue;
          }
          fields.push(this.field(text, buf, runStart, pos, fields.length));
          return this.record(fields, pos + ending, emptyLines, newlines);
        }
        if (c === LF) newlines++;
      } else if (c === delimiter) {
        fields.push(this.field(text, buf, runStart, pos, fields.length));
        text = '';
        fieldBytes = 0;
        wasQuoting = false;
        pos++;
        runStart = pos;
        continue;
      }
      fieldBytes++;
      pos++;
    }
  }

  /** A field read whole: `text` (what quotes held) and the bytes [start, end) after it. */
  private field(text: string, buf: Buffer, start: number, end: number, column: number): string {
    return text === '' ? this.strings.get(buf, start, end, column) : text + utf8(buf, start, end);
  }

  private record(fields: string[], next: number, emptyLines: number, newlines: number): Outcome {
    this.fields = fields;
    this.next = next;
    this.emptyLines = emptyLines;
    this.newlines = newlines;
    return Outcome.Record;
  }
}

/**
 * Where a broken record's first line ends (after the empty lines before it, which it counts):
 * the csv-parse reader resumed on the next line. -1 when the bytes end first.
 */
function resumeAfterFirstLine(buf: Buffer, from: number): { emptyLines: number; resume: number } {
  let emptyLines = 0;
  let atLineStart = true;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c === LF) {
      if (atLineStart) emptyLines++;
      else return { emptyLines, resume: i + 1 };
    } else if (c !== CR) atLineStart = false;
  }
  return { emptyLines, resume: -1 };
}

function utf8(buf: Buffer, start: number, end: number): string {
  return start >= end ? '' : utf8Slice.call(buf, start, end);
}

function indexOfByte(buf: Buffer, byte: number, from: number, to: number): number {
  const i = buf.indexOf(byte, from);
  return i === -1 || i >= to ? -1 : i;
}

function countByte(buf: Buffer, byte: number, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte, from); i !== -1 && i < to; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}

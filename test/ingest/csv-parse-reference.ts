import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { CsvItem } from '../../src/ingest/csv-splitter.js';

/**
 * The reader cs-audit used before issue 8, kept as the reference the CSV reader is held to:
 * csv-parse 6 with the same options, resumed after a broken record on the line after its first
 * line, lines counted from the records (csv-parse's own count drifts when a quoted field holds
 * CRLF). `chunk` cuts the input into pieces of that many bytes, as a file stream would.
 */
export async function referenceItems(data: Buffer, delimiter: string, chunk = 65_536): Promise<CsvItem[]> {
  const out: CsvItem[] = [];
  let lastEnd = 0;
  let base = 0;
  for (;;) {
    const parser = parse({
      bom: base === 0,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
    });
    let broken: { afterRecords: number; message: string } | null = null;
    parser.on('skip', (err: Error) => {
      broken ??= { afterRecords: parser.info.records, message: err.message };
    });
    const rest = data.subarray(base);
    const pieces: Buffer[] = [];
    for (let at = 0; at < rest.length; at += chunk) pieces.push(rest.subarray(at, at + chunk));
    Readable.from(pieces).pipe(parser);
    let emptySeen = 0;
    let consumed = 0;
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { empty_lines: number; records: number; bytes: number } }>) {
      const stop = broken as { afterRecords: number } | null;
      if (stop !== null && stop.afterRecords < item.info.records) break;
      const line = lastEnd + 1 + (item.info.empty_lines - emptySeen);
      emptySeen = item.info.empty_lines;
      lastEnd = line + newlinesIn(item.record);
      consumed = item.info.bytes;
      out.push({ fields: item.record, line });
    }
    parser.destroy();
    const stop = broken as { message: string } | null;
    if (stop === null) return out;
    const { emptyLines, resume } = locateBroken(data, base + consumed);
    const line = lastEnd + 1 + emptyLines;
    lastEnd = line;
    out.push({ line, error: stop.message.replace(/ at line \d+/, '') });
    if (resume === null) return out;
    base = resume;
  }
}

function locateBroken(data: Buffer, offset: number): { emptyLines: number; resume: number | null } {
  let emptyLines = 0;
  let atLineStart = true;
  for (let i = offset; i < data.length; i++) {
    const c = data[i];
    if (c === 0x0a) {
      if (atLineStart) emptyLines++;
      else return { emptyLines, resume: i + 1 };
    } else if (c !== 0x0d) atLineStart = false;
  }
  return { emptyLines, resume: null };
}

function newlinesIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

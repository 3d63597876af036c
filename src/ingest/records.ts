import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';
import { readBytes } from './encoding.js';
import type { InputSource } from './sources.js';

/**
 * Readers turn a file into records: field name → raw value, with the line the record starts
 * on. They know file formats, never platforms or field meanings (beyond the required columns
 * they are told to insist on).
 */
export interface RawRecord {
  line: number;
  values: Record<string, unknown>;
}

/** A record the reader could not make sense of (a CSV quote error, a JSON line that is not JSON). */
export interface UnreadableRecord {
  line: number;
  unreadable: string;
}

export type ReaderItem = RawRecord | UnreadableRecord;

/** How a file is laid out: JSON, or delimited text with its separator. */
export type FileLayout = { kind: 'json' } | { kind: 'csv'; delimiter: string };

const DELIMITERS = [',', '\t', ';'] as const;

/** The separator of a header line: the most frequent of comma, tab and semicolon outside quotes. */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** JSON when the content starts with [ or {, else delimited text (the extension is only a hint). */
export function detectLayout(name: string, head: string): FileLayout {
  const body = head.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  if (first === '[' || first === '{') return { kind: 'json' };
  if (/\.(json|ndjson|jsonl)$/i.test(name) && body.trim() === '') return { kind: 'json' };
  const headerLine = body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return { kind: 'csv', delimiter: detectDelimiter(headerLine) };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function readHead(path: string): Promise<string> {
  const stream = createReadStream(path, { start: 0, end: 4095 });
  return (await readAll(stream)).toString('utf8');
}

/** A source's layout, from its first bytes. */
export async function layoutOf(source: InputSource): Promise<FileLayout> {
  const head = source.data !== null ? source.data.subarray(0, 4096).toString('utf8') : await readHead(source.path!);
  return detectLayout(source.name, head);
}

/** What a delimited file's header must give: names mapped (e.g. by an import profile), then checked. */
export interface HeaderShape {
  required: readonly string[];
  /** Header names (trimmed, lower-cased) → the names records are keyed by. */
  map?: (names: string[]) => string[];
}

/**
 * Read one (UTF-8) input as records. Delimited text is streamed through csv-parse and its header
 * checked against `shape`; JSON (an array, an object holding an array of records, or NDJSON) is
 * parsed whole, each record carrying the document's other top-level values as `$context`.
 */
export async function* readRecords(source: InputSource, shape: HeaderShape): AsyncGenerator<ReaderItem> {
  const layout = await layoutOf(source);
  if (layout.kind === 'json') {
    const text = (source.data ?? (await readAll(createReadStream(source.path!)))).toString('utf8');
    yield* jsonItems(source.name, text);
    return;
  }
  const bytes = source.data !== null ? bufferBytes(source.data) : fileBytes(source.path!);
  yield* csvRecords(source.name, bytes, layout.delimiter, shape);
}

/** Header names are matched case-insensitively, ignoring surrounding spaces. */
export function normalizeHeader(name: string): string {
  return name.trim().toLowerCase();
}

/** A CSV input that can be read again from any byte offset (to resume after a broken record). */
interface ByteSource {
  open(offset: number): Readable;
  /** Up to `length` bytes from `offset` (fewer at the end). */
  bytes(offset: number, length: number): Promise<Buffer>;
}

function fileBytes(path: string): ByteSource {
  return {
    open: (offset) => createReadStream(path, { start: offset }),
    bytes: (offset, length) => readBytes(path, offset, length),
  };
}

function bufferBytes(data: Buffer): ByteSource {
  return {
    open: (offset) => Readable.from([data.subarray(offset)]),
    bytes: async (offset, length) => data.subarray(offset, offset + length),
  };
}

/**
 * Where a broken record starts (after empty lines) and where the line after its first line
 * starts: parsing resumes there, so one broken quote costs one line, not the rest of the file.
 */
async function locateBroken(source: ByteSource, offset: number): Promise<{ emptyLines: number; resume: number | null }> {
  let emptyLines = 0;
  let pos = offset;
  let atLineStart = true;
  for (;;) {
    const chunk = await source.bytes(pos, 65_536);
    if (chunk.length === 0) return { emptyLines, resume: null };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === 0x0a) {
        if (atLineStart) emptyLines++;
        else return { emptyLines, resume: pos + i + 1 };
      } else if (c !== 0x0d) atLineStart = false;
    }
    pos += chunk.length;
  }
}

interface ParsedItem {
  record: string[];
  info: { lines: number; empty_lines: number; records: number; bytes: number };
}

async function* csvRecords(
  name: string,
  source: ByteSource,
  delimiter: string,
  shape: HeaderShape,
): AsyncGenerator<ReaderItem> {
  // csv-parse's own line count drifts when a quoted field holds CRLF, so lines are counted here:
  // a record starts after the previous one ends plus the empty lines skipped between them, and
  // ends after the newlines inside its fields.
  let lastEnd = 0;
  let header: string[] | null = null;
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
    // Skip events fire while parsing, ahead of the records still buffered for us: remember how
    // many records came before the first, and stop there.
    let broken: { afterRecords: number; message: string } | null = null;
    parser.on('skip', (err: Error) => {
      broken ??= { afterRecords: parser.info.records, message: err.message };
    });
    const input = source.open(base);
    input.on('error', (err) => parser.destroy(err));
    input.pipe(parser);
    let emptySeen = 0;
    let consumed = 0;
    try {
      for await (const item of parser as AsyncIterable<ParsedItem>) {
        const stop = broken as { afterRecords: number } | null;
        if (stop !== null && stop.afterRecords < item.info.records) break;
        const line = lastEnd + 1 + (item.info.empty_lines - emptySeen);
        emptySeen = item.info.empty_lines;
        lastEnd = line + newlinesIn(item.record);
        consumed = item.info.bytes;
        if (header === null) {
          const names = item.record.map(normalizeHeader);
          header = shape.map ? shape.map(names) : names;
          // Read after mapping: an import profile may require its own columns.
          const required = shape.required;
          const missing = required.filter((col) => !header!.includes(col));
          if (missing.length > 0) {
            throw new InputError(
              `${name}: the header has no ${missing.map((c) => `"${c}"`).join(', ')} column` +
                ` (required: ${required.join(', ')}; found: ${item.record.join(', ') || 'nothing'});` +
              ` name your columns with --map field=header,... or pick a format with --input-format`,
            );
          }
          continue;
        }
        if (item.record.length !== header.length) {
          yield { line, unreadable: `has ${item.record.length} fields, the header has ${header.length}` };
          continue;
        }
        const values: Record<string, unknown> = {};
        for (let i = 0; i < header.length; i++) values[header[i]!] = item.record[i];
        yield { line, values };
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new InputError(`${name}: cannot read (${e.code ?? e.message})`);
    } finally {
      input.unpipe(parser);
      input.destroy();
      parser.destroy();
    }
    const stop = broken as { message: string } | null;
    if (stop === null) break;
    const { emptyLines, resume } = await locateBroken(source, base + consumed);
    const line = lastEnd + 1 + emptyLines;
    lastEnd = line;
    if (header === null) throw new InputError(`${name}:${line}: unreadable CSV header (${stop.message})`);
    yield { line, unreadable: `unreadable CSV: ${stop.message.replace(/ at line \d+/, '')}` };
    if (resume === null) break;
    base = resume;
  }
  if (header === null) throw new InputError(`${name}: empty file (no header row)`);
}

function newlinesIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

function jsonItems(name: string, text: string): ReaderItem[] {
  const body = text.replace(/^\uFEFF/, '');
  const out: ReaderItem[] = [];
  let whole: unknown;
  let parsed = true;
  try {
    whole = JSON.parse(body);
  } catch {
    parsed = false;
  }
  if (parsed) {
    let items: unknown[];
    let arrayStart: number;
    let context: Record<string, unknown> | null = null;
    if (Array.isArray(whole)) {
      items = whole;
      arrayStart = body.indexOf('[');
    } else if (whole !== null && typeof whole === 'object') {
      const found = recordArray(whole as Record<string, unknown>);
      if (found) {
        items = found.items;
        context = found.context;
        arrayStart = findArrayStart(body, found.key);
      } else {
        items = [whole];
        arrayStart = -1;
      }
    } else {
      throw new InputError(`${name}: JSON holds neither an array of messages nor {"messages": [...]}`);
    }
    const lines = arrayStart >= 0 ? elementLines(body, arrayStart) : [firstContentLine(body)];
    for (let i = 0; i < items.length; i++) {
      const line = lines[i] ?? 0;
      const item = items[i];
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        out.push({ line, unreadable: `element ${i} is not an object` });
      } else {
        const values = item as Record<string, unknown>;
        out.push({ line, values: context === null ? values : { ...values, $context: context } });
      }
    }
    return out;
  }
  // NDJSON: one object a line.
  const rows = body.split('\n');
  let sawObject = false;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!.trim();
    if (row === '') continue;
    try {
      const value: unknown = JSON.parse(row);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.push({ line: i + 1, unreadable: 'not a JSON object' });
      } else {
        sawObject = true;
        out.push({ line: i + 1, values: value as Record<string, unknown> });
      }
    } catch (err) {
      out.push({ line: i + 1, unreadable: `not JSON (${(err as Error).message})` });
    }
  }
  if (!sawObject) throw new InputError(`${name}: not readable as JSON, {"messages": [...]} or NDJSON`);
  return out;
}

function firstContentLine(text: string): number {
  const idx = text.search(/\S/);
  return idx < 0 ? 1 : lineAt(text, idx);
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The array of records inside a JSON document: the first property (breadth first, three levels
 * down at most) whose value is a non-empty array of objects, e.g. `messages`, `chats` or an API's
 * `chatLogList`. The document's top-level scalar values come along as context (e.g. qianniu's
 * `user`).
 */
function recordArray(doc: Record<string, unknown>): { key: string; items: unknown[]; context: Record<string, unknown> } | null {
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (v === null || typeof v !== 'object') context[k] = v;
  let level: Record<string, unknown>[] = [doc];
  let empty: string | null = null;
  for (let depth = 0; depth < 3 && level.length > 0; depth++) {
    const next: Record<string, unknown>[] = [];
    for (const obj of level) {
      for (const [k, v] of Object.entries(obj)) {
        if (Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) {
          return { key: k, items: v, context };
        }
        // An export with nothing in it (e.g. {"chats": []}) has no records, not one empty record.
        if (Array.isArray(v) && v.length === 0) empty ??= k;
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) next.push(v as Record<string, unknown>);
      }
    }
    level = next;
  }
  return empty === null ? null : { key: empty, items: [], context };
}

/** Offset of the `[` opening the array under `key` (string-aware, first occurrence at any depth). */
function findArrayStart(text: string, key: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    const end = skipString(text, i);
    let name: string;
    try {
      name = JSON.parse(text.slice(i, end + 1)) as string;
    } catch {
      name = '';
    }
    let j = end + 1;
    while (/\s/.test(text[j] ?? '')) j++;
    if (name === key && text[j] === ':') {
      j++;
      while (/\s/.test(text[j] ?? '')) j++;
      if (text[j] === '[') return j;
    }
    i = end;
  }
  return -1;
}

function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}

/** Line number where each element of the array opening at `start` begins. */
function elementLines(text: string, start: number): number[] {
  const lines: number[] = [];
  let line = lineAt(text, start);
  let depth = 0;
  let expectElement = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    if (depth === 1 && expectElement && c !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') {
      const end = skipString(text, i);
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      expectElement = true;
    }
  }
  return lines;
}

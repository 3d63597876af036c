import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { cannotRead, InputError } from '../errors.js';
import { CsvSplitter, type CsvItem } from './csv-splitter.js';
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

/** A source's layout, from its first bytes (read synchronously: a folder may hold thousands of small files). */
export async function layoutOf(source: InputSource): Promise<FileLayout> {
  const head = source.data !== null ? source.data.subarray(0, 4096) : readBytes(source.path!, 0, 4096);
  return detectLayout(source.name, head.toString('utf8'));
}

/** What a delimited file's header must give: names mapped (e.g. by an import profile), then checked. */
export interface HeaderShape {
  required: readonly string[];
  /** Header names (trimmed, lower-cased) → the names records are keyed by. */
  map?: (names: string[]) => string[];
}

/**
 * Read one (UTF-8) input as records, a batch at a time (a chunk of a delimited file, or a whole
 * JSON document): batches keep the per-record cost of the pipeline down. Delimited text is
 * streamed through the CSV reader and its header checked against `shape`; JSON (an array, an
 * object holding an array of records, or NDJSON) is parsed whole, each record carrying the
 * document's other top-level values as `$context`.
 */
export async function* readRecordBatches(source: InputSource, shape: HeaderShape, part: FilePart | null = null): AsyncGenerator<ReaderItem[]> {
  const whole = source.data === null && part === null ? smallFile(source.path!) : null;
  const from = whole === null ? source : { ...source, data: whole };
  const layout = await layoutOf(from);
  if (layout.kind === 'json') {
    if (part !== null) throw new Error(`${source.name}: a JSON file is read whole, not in parts`);
    const text = (from.data ?? readFileSync(from.path!)).toString('utf8');
    yield jsonItems(source.name, text);
    return;
  }
  yield* csvRecords(source.name, from, layout.delimiter, shape, part);
}

/** Files up to this size are read whole at once (see smallFile). */
const WHOLE_BYTES = 1 << 20;

/**
 * A small file's bytes, read at once, or null: its head and its records then come from one read
 * (a folder of 58 000 per-buyer exports spent seconds opening each file again).
 */
function smallFile(path: string): Buffer | null {
  const bytes = readBytes(path, 0, WHOLE_BYTES + 1);
  return bytes.length > WHOLE_BYTES ? null : bytes;
}

/** Header names are matched case-insensitively, ignoring surrounding spaces. */
export function normalizeHeader(name: string): string {
  return name.trim().toLowerCase();
}

/** How many bytes the CSV reader takes at a time. */
const CHUNK_BYTES = 1 << 16;

/**
 * A part of a delimited file read on its own, so that pass 1 can read a large file on several
 * cores (read-chat.ts). The header is always read from the file's start. A part that starts
 * later counts its lines from `start` (line 1 is the line at `start`): the reader of the part
 * before knows where they really are.
 */
export interface FilePart {
  /** Where the part's first record starts: 0, or just after a line ending. */
  start: number;
  /** Where the next part starts (just after a line ending), or null: the part reads to the end. */
  end: number | null;
  /**
   * Set once read, when `end` is given: the part's records ended exactly at `end`, with the
   * reader in the state it was in after the header. Only then did the next part start where
   * this one would have gone on. Else the parts after it must be read again with this one.
   */
  reachedEnd?: boolean;
  /** Set once read: the line its last record ended on (counted as above). */
  lastLine?: number;
}

/**
 * A CSV input's bytes from `from`, chunk by chunk (a file read in place, or a buffer already in
 * memory), stopping at `to` (exclusive) or the end.
 */
async function* byteChunks(source: InputSource, from = 0, to = Infinity): AsyncGenerator<Buffer> {
  if (source.data !== null) {
    const stop = Math.min(to, source.data.length);
    for (let at = from; at < stop; at += CHUNK_BYTES) yield source.data.subarray(at, Math.min(stop, at + CHUNK_BYTES));
    return;
  }
  // Read synchronously: a batch job has nothing to do while it waits, and a thread-pool round
  // trip per 64 KB chunk cost more than the read itself.
  const fd = openSync(source.path!, 'r');
  try {
    for (let at = from; at < to; ) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const bytesRead = readSync(fd, chunk, 0, Math.min(CHUNK_BYTES, to - at), at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A delimited input's records through the CSV reader (csv-splitter.ts), the first one checked
 * as the header against `shape`. Rows whose field count differs from the header's are
 * unreadable; so is a record the reader cannot read (e.g. a stray quote), which costs its
 * first line only. With a `part`, only that part's records (see FilePart).
 */
async function* csvRecords(name: string, source: InputSource, delimiter: string, shape: HeaderShape, part: FilePart | null): AsyncGenerator<ReaderItem[]> {
  const splitter = new CsvSplitter(delimiter.charCodeAt(0));
  let header: string[] | null = null;
  let toValues: ((fields: string[]) => Record<string, unknown>) | null = null;
  // The reader looks up to two bytes past a record before it ends it: a part reads that far past
  // its end, and never decides the bytes there (they are not the last).
  const stop = part === null || part.end === null ? Infinity : part.end + 2;
  // Bytes not read into records yet: the tail of a record cut by a chunk end, and chunks after it.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  // Where the bytes in `pending` start in the input.
  let at = 0;
  // A record longer than a chunk (or a quote never closed) is read again only once the bytes
  // waiting have doubled, so its bytes are copied a few times, not once per chunk.
  let readAgainAt = 0;
  const items: CsvItem[] = [];
  let chunks = byteChunks(source, 0, stop);
  try {
    for (let last = false; !last && !splitter.done; ) {
      let step: IteratorResult<Buffer>;
      try {
        step = await chunks.next();
      } catch (err) {
        throw cannotRead(name, err);
      }
      // Bytes that end at the part's end are not the input's last.
      const ended = step.done === true;
      last = ended && at + pendingBytes < stop;
      if (!ended) {
        pending.push(step.value!);
        pendingBytes += step.value!.length;
        if (pendingBytes < readAgainAt) continue;
      }
      const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      const used = splitter.split(bytes, last, items);
      pending = used < bytes.length ? [bytes.subarray(used)] : [];
      pendingBytes = bytes.length - used;
      at += used;
      readAgainAt = used === 0 ? 2 * bytes.length : 0;
      const batch: ReaderItem[] = [];
      let skipTo = -1;
      for (const item of items) {
        if ('error' in item) {
          if (header === null) throw new InputError(`${name}:${item.line}: unreadable CSV header (${item.error})`);
          batch.push({ line: item.line, unreadable: `unreadable CSV: ${item.error}` });
          continue;
        }
        const fields = item.fields;
        if (header === null) {
          header = readHeader(name, fields, shape);
          toValues = recordMaker(header);
          // A later part: its records start at part.start (the ones read with the header are not its own).
          if (part !== null && part.start > 0) skipTo = part.start;
          if (skipTo >= 0) break;
          continue;
        }
        if (fields.length !== header.length) {
          batch.push({ line: item.line, unreadable: `has ${fields.length} fields, the header has ${header.length}` });
          continue;
        }
        batch.push({ line: item.line, values: toValues!(fields) });
      }
      items.length = 0;
      if (batch.length > 0) yield batch;
      if (skipTo >= 0) {
        await chunks.return(undefined);
        chunks = byteChunks(source, skipTo, stop);
        pending = [];
        pendingBytes = 0;
        at = skipTo;
        readAgainAt = 0;
        last = false;
        splitter.restart();
      } else if (ended && !last) break;
    }
  } finally {
    // Also when reading stops early (a bad header, --strict, a consumer that stops): the file closes.
    await chunks.return(undefined);
  }
  if (header === null) throw new InputError(`${name}: empty file (no header row)`);
  if (part !== null) {
    part.reachedEnd = part.end !== null && at === part.end && !splitter.done && splitter.state === splitter.stateAfterHeader;
    part.lastLine = splitter.lineRead;
  }
}

/**
 * Fields → a record keyed by the header's names. A record is made for every row twice (both
 * passes): an object literal with the header's keys, compiled once, is several times faster than
 * setting keys one by one. Names that an object literal would read otherwise (__proto__) take
 * the slow way; a repeated name keeps its last field either way.
 */
function recordMaker(header: readonly string[]): (fields: string[]) => Record<string, unknown> {
  const keyByKey = (fields: string[]): Record<string, unknown> => {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) values[header[i]!] = fields[i];
    return values;
  };
  if (header.includes('__proto__')) return keyByKey;
  const body = `return {${header.map((name, i) => `${JSON.stringify(name)}: f[${i}]`).join(', ')}};`;
  try {
    return new Function('f', body) as (fields: string[]) => Record<string, unknown>;
  } catch {
    // node --disallow-code-generation-from-strings
    return keyByKey;
  }
}

/** The header's names, mapped (e.g. by an import profile) and checked for the required columns. */
function readHeader(name: string, fields: string[], shape: HeaderShape): string[] {
  const names = fields.map(normalizeHeader);
  const header = shape.map ? shape.map(names) : names;
  // Read after mapping: an import profile may require its own columns.
  const required = shape.required;
  const missing = required.filter((col) => !header.includes(col));
  if (missing.length > 0) {
    throw new InputError(
      `${name}: the header has no ${missing.map((c) => `"${c}"`).join(', ')} column` +
        ` (required: ${required.join(', ')}; found: ${fields.join(', ') || 'nothing'});` +
        ` name your columns with --map field=header,... or pick a format with --input-format`,
    );
  }
  return header;
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

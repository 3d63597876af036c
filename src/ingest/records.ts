import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';

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

export interface InputSource {
  /** Name used in messages: the path as given, or "<stdin>". */
  name: string;
  path: string | null;
}

export type FileKind = 'csv' | 'tsv' | 'json';

const STDIN_NAME = '<stdin>';

export function sourceOf(arg: string): InputSource {
  return arg === '-' ? { name: STDIN_NAME, path: null } : { name: arg, path: arg };
}

export async function checkReadable(source: InputSource): Promise<void> {
  if (source.path === null) return;
  let info;
  try {
    info = await stat(source.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT'
        ? `${source.name}: no such file`
        : `${source.name}: cannot read (${code ?? String(err)})`,
    );
  }
  if (info.isDirectory()) throw new InputError(`${source.name}: is a directory; name the files inside it`);
}

function kindFromName(name: string): FileKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.json') || lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'json';
  return null;
}

function kindFromContent(head: string): FileKind {
  const first = head.replace(/^\uFEFF/, '').trimStart()[0];
  if (first === '[' || first === '{') return 'json';
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  return firstLine.includes('\t') && !firstLine.includes(',') ? 'tsv' : 'csv';
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

function openStream(source: InputSource, stdin: Readable): Readable {
  if (source.path === null) return stdin;
  const stream = createReadStream(source.path);
  return stream;
}

/**
 * Read one input as records. CSV is streamed through csv-parse; JSON (array, `{"messages": [...]}`
 * or NDJSON) is parsed whole. `required` names header columns a CSV file must have.
 */
export async function* readRecords(
  source: InputSource,
  stdin: Readable,
  required: readonly string[],
): AsyncGenerator<ReaderItem> {
  let kind = kindFromName(source.name);
  let buffered: Buffer | null = null;
  if (source.path === null) {
    buffered = await readAll(stdin);
    kind = kindFromContent(buffered.subarray(0, 4096).toString('utf8'));
  } else if (kind === null) {
    kind = kindFromContent(await readHead(source.path));
  }
  if (kind === 'json') {
    const text = (buffered ?? (await readAll(openStream(source, stdin)))).toString('utf8');
    yield* jsonRecords(source.name, text);
    return;
  }
  const stream = buffered ? Readable.from([buffered]) : openStream(source, stdin);
  yield* csvRecords(source.name, stream, kind === 'tsv' ? '\t' : ',', required);
}

/** Header names are matched case-insensitively, ignoring surrounding spaces. */
export function normalizeHeader(name: string): string {
  return name.trim().toLowerCase();
}

async function* csvRecords(
  name: string,
  input: Readable,
  delimiter: string,
  required: readonly string[],
): AsyncGenerator<ReaderItem> {
  const parser = parse({
    bom: true,
    delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
  });
  // csv-parse's own line count drifts when a quoted field holds CRLF, so lines are counted here:
  // a record starts after the previous one ends plus the empty lines skipped between them, and
  // ends after the newlines inside its fields. `drift` maps the parser's count back to ours
  // (used only to resynchronize after a record it could not read).
  let lastEnd = 0;
  let emptySeen = 0;
  let drift = 0;
  // Skip events fire while parsing, ahead of the records still buffered for us: remember how
  // many records came before each, and place it when the reader gets there.
  const skips: { afterRecords: number; lines: number; message: string }[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => {
    skips.push({ afterRecords: parser.info.records, lines: err.lines ?? 0, message: err.message });
  });
  const placeSkip = (skip: (typeof skips)[number]): UnreadableRecord => {
    const first = lastEnd + 1;
    const last = Math.max(first, skip.lines - drift);
    lastEnd = last;
    const where = last > first ? ` (lines ${first}-${last} could not be read)` : '';
    return { line: first, unreadable: `unreadable CSV: ${skip.message}${where}` };
  };
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  let header: string[] | null = null;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number; records: number } }>) {
      while (skips.length > 0 && skips[0]!.afterRecords < item.info.records) yield placeSkip(skips.shift()!);
      const line = lastEnd + 1 + (item.info.empty_lines - emptySeen);
      emptySeen = item.info.empty_lines;
      lastEnd = line + newlinesIn(item.record);
      drift = item.info.lines - lastEnd;
      if (header === null) {
        header = item.record.map(normalizeHeader);
        const missing = required.filter((col) => !header!.includes(col));
        if (missing.length > 0) {
          throw new InputError(
            `${name}: the header has no ${missing.map((c) => `"${c}"`).join(', ')} column` +
              ` (required: ${required.join(', ')}; found: ${item.record.join(', ') || 'nothing'})`,
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
  }
  while (skips.length > 0) yield placeSkip(skips.shift()!);
  if (header === null) throw new InputError(`${name}: empty file (no header row)`);
}

function newlinesIn(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  return n;
}

function* jsonRecords(name: string, text: string): Generator<ReaderItem> {
  const body = text.replace(/^\uFEFF/, '');
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
    if (Array.isArray(whole)) {
      items = whole;
      arrayStart = body.indexOf('[');
    } else if (whole !== null && typeof whole === 'object' && Array.isArray((whole as { messages?: unknown }).messages)) {
      items = (whole as { messages: unknown[] }).messages;
      arrayStart = findMessagesArray(body);
    } else if (whole !== null && typeof whole === 'object') {
      items = [whole];
      arrayStart = -1;
    } else {
      throw new InputError(`${name}: JSON holds neither an array of messages nor {"messages": [...]}`);
    }
    const lines = arrayStart >= 0 ? elementLines(body, arrayStart) : [firstContentLine(body)];
    for (let i = 0; i < items.length; i++) {
      const line = lines[i] ?? 0;
      const item = items[i];
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        yield { line, unreadable: `element ${i} is not an object` };
      } else {
        yield { line, values: item as Record<string, unknown> };
      }
    }
    return;
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
        yield { line: i + 1, unreadable: 'not a JSON object' };
      } else {
        sawObject = true;
        yield { line: i + 1, values: value as Record<string, unknown> };
      }
    } catch (err) {
      yield { line: i + 1, unreadable: `not JSON (${(err as Error).message})` };
    }
  }
  if (!sawObject) throw new InputError(`${name}: not readable as JSON, {"messages": [...]} or NDJSON`);
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

/** Offset of the `[` of the top-level "messages" array (the document already parsed). */
function findMessagesArray(text: string): number {
  // Walk the top-level object's keys; string-aware so a "messages" inside content is skipped.
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = skipString(text, i);
      if (depth === 1) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        let j = end + 1;
        while (/\s/.test(text[j] ?? '')) j++;
        if (key === 'messages' && text[j] === ':') {
          j++;
          while (/\s/.test(text[j] ?? '')) j++;
          return j;
        }
      }
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
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

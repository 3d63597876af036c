import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
import { isUtf8 as isUtf8Buffer } from 'node:buffer';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cannotRead, InputError, systemError } from '../errors.js';
import { loadOnUse } from '../load-on-use.js';
import { GbToUtf8 } from './gb-to-utf8.js';

export const iconv = loadOnUse<typeof import('iconv-lite')>('iconv-lite');
const jschardet = loadOnUse<typeof import('jschardet')>('jschardet');

/** Encodings cs-audit reads; everything is turned into UTF-8 before parsing. */
export const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'gb18030', 'gbk'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const HEAD_BYTES = 65_536;

/** Cut a trailing partial UTF-8 sequence so a head sample can be validated on its own. */
function trimPartialUtf8(head: Buffer): Buffer {
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  return head.subarray(0, end);
}

function isUtf8(bytes: Buffer): boolean {
  return isUtf8Buffer(trimPartialUtf8(bytes));
}

/** Characters GBK chat text is made of: CJK, CJK and full-width punctuation, general punctuation. */
function chineseish(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x3000 && c <= 0x303f) ||
    (c >= 0xff00 && c <= 0xffef) ||
    (c >= 0x2000 && c <= 0x206f) ||
    (c >= 0x2460 && c <= 0x24ff) ||
    c === 0xb7
  );
}

/** Whether bytes read as GB18030 decode cleanly into Chinese-looking text. */
function plausibleGb18030(bytes: Buffer): boolean {
  const text = iconv().decode(bytes, 'gb18030');
  let nonAscii = 0;
  let chinese = 0;
  for (const ch of text.slice(0, text.length - 1)) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd) return false;
    if (c < 0x80) continue;
    nonAscii++;
    if (chineseish(c)) chinese++;
  }
  return nonAscii > 0 && chinese / nonAscii >= 0.9;
}

/**
 * Valid UTF-8 that is really GBK: every non-ASCII character decodes to U+0080-U+07FF (Latin,
 * Greek, Cyrillic, …: GBK byte pairs that happen to be valid UTF-8), while the same bytes read as
 * GB18030 are Chinese. Real UTF-8 Chinese is three bytes a character.
 */
function gbkDisguisedAsUtf8(bytes: Buffer): boolean {
  const text = new TextDecoder('utf-8').decode(bytes);
  let nonAscii = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) continue;
    nonAscii++;
    if (c >= 0x800) return false;
  }
  return nonAscii > 0 && plausibleGb18030(bytes);
}

/** The first bytes from the first non-ASCII byte on: what an encoding guess should look at. */
function nonAsciiSample(bytes: Buffer): Buffer {
  const at = bytes.findIndex((b) => b >= 0x80);
  if (at < 0) return bytes.subarray(0, 0);
  const start = Math.max(0, bytes.lastIndexOf(0x0a, at) + 1);
  return bytes.subarray(start, start + HEAD_BYTES);
}

/**
 * The encoding of some text, given a sample that starts at or before its first non-ASCII byte:
 * a BOM decides; else valid UTF-8 (unless it is GBK that happens to be valid UTF-8); else GB18030
 * when a charset detector (jschardet) says GB2312/GBK/GB18030 and the bytes decode cleanly.
 * Anything else is an error naming the file and the detector's guess.
 */
export function detectEncoding(head: Buffer, name: string): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const sample = nonAsciiSample(head);
  if (sample.length === 0) return 'utf-8';
  if (isUtf8(sample) && !gbkDisguisedAsUtf8(trimPartialUtf8(sample))) return 'utf-8';
  const guess = jschardet().detect(sample);
  const family = (guess.encoding ?? '').toUpperCase();
  const clean = sample.subarray(0, lastLineEnd(sample));
  if (plausibleGb18030(clean)) {
    // The detector decides, except on little text, where its single-byte guesses are noise; it
    // is never overruled when it recognizes another East Asian encoding.
    const otherEastAsian = /SHIFT_JIS|EUC-JP|EUC-KR|BIG5|ISO-2022|EUC-TW/.test(family);
    const little = clean.filter((b) => b >= 0x80).length < 200;
    if (family.startsWith('GB') || (!otherEastAsian && (little || guess.confidence < 0.5))) return 'gb18030';
  }
  const seems = family === '' ? '' : ` (it looks like ${guess.encoding})`;
  throw new InputError(
    `${name}: neither UTF-8 nor plausible GBK/GB18030 text${seems}; if you know the encoding, pass --encoding (${ENCODINGS.join(', ')})`,
  );
}

/** Cut a sample at its last line end, so no character is split at the sample's edge. */
function lastLineEnd(bytes: Buffer): number {
  const nl = bytes.lastIndexOf(0x0a);
  return nl < 0 ? bytes.length : nl + 1;
}

/**
 * A whole file's encoding: from its head, then (for UTF-8 without BOM) checked to the end, since a
 * GBK row may come after many ASCII ones: the first stretch that is not UTF-8 decides again.
 */
export async function detectFileEncoding(file: string, name: string): Promise<Encoding> {
  const head = readBytes(file, 0, HEAD_BYTES);
  const first = detectEncoding(head, name);
  if (first !== 'utf-8' || (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)) return first;
  // A file no larger than its head was read whole: it is checked in memory, not opened again.
  const bad = head.length < HEAD_BYTES ? nonUtf8In(head) : firstNonUtf8(file);
  return bad < 0 ? 'utf-8' : redetect(readBytes(file, lineStart(readBytes(file, Math.max(0, bad - 4096), 4096), bad), HEAD_BYTES), name);
}

/** Where a whole file's bytes stop being UTF-8 (a character cut at its end too), or -1: firstNonUtf8 in memory. */
function nonUtf8In(bytes: Buffer): number {
  const whole = trimPartialUtf8(bytes);
  if (!isUtf8(whole)) return firstInvalidUtf8(whole);
  return whole.length < bytes.length ? whole.length : -1;
}

/** Whole in-memory input (standard input, a zip entry): the same checks on all of it. */
export function detectBufferEncoding(data: Buffer, name: string): Encoding {
  const first = detectEncoding(data.subarray(0, HEAD_BYTES), name);
  if (first !== 'utf-8' || isUtf8(data)) return first;
  const bad = firstInvalidUtf8(data);
  const start = Math.max(0, data.lastIndexOf(0x0a, bad) + 1);
  return redetect(data.subarray(start, start + HEAD_BYTES), name);
}

/** The start of the line holding byte `at`, given the 4 KB before it. */
function lineStart(before: Buffer, at: number): number {
  const nl = before.lastIndexOf(0x0a);
  return nl < 0 ? Math.max(0, at - before.length) : at - before.length + nl + 1;
}

/** A later stretch that is not UTF-8 decides the file's encoding; it cannot be UTF-8 itself. */
function redetect(sample: Buffer, name: string): Encoding {
  const encoding = detectEncoding(sample, name);
  if (encoding === 'utf-8') {
    throw new InputError(`${name}: starts as UTF-8 but later is not; pass --encoding (${ENCODINGS.join(', ')})`);
  }
  return encoding;
}

/** Up to `length` bytes of a file from `start` (fewer at its end), read synchronously (see firstNonUtf8). */
export function readBytes(file: string, start: number, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, fstatSync(fd).size - start)));
    const bytesRead = buffer.length === 0 ? 0 : readSync(fd, buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

function firstInvalidUtf8(data: Buffer): number {
  let lo = 0;
  let hi = data.length;
  // isUtf8 on prefixes: the first prefix that fails (ignoring a partial character at its end).
  while (hi - lo > 4) {
    const mid = (lo + hi) >> 1;
    if (isUtf8(trimPartialUtf8(data.subarray(0, mid)))) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Byte offset of the first chunk that is not valid UTF-8, or -1. Files can be large: read a few
 * megabytes at a time into one buffer (a stream's chunks and their joins took twice as long:
 * 0.47 s against 0.19 s on 533 MB, issue 8). Read synchronously into a buffer no larger than the
 * file: a folder of 58 000 small exports (one per buyer) spent most of its time waiting on the
 * thread pool and collecting a 4 MB buffer per file.
 */
function firstNonUtf8(file: string): number {
  const fd = openSync(file, 'r');
  try {
    // (Room for a character cut at the end, and at least one byte: a file that grows meanwhile is
    // still read to its end, in small reads.)
    const buffer = Buffer.allocUnsafe(Math.min(CHECK_BYTES, fstatSync(fd).size + 4));
    // The file offset of buffer[0], and the bytes kept there: a character the last read cut.
    let start = 0;
    let kept = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, kept, buffer.length - kept, start + kept);
      if (bytesRead === 0) return kept > 0 ? start : -1;
      const length = kept + bytesRead;
      const whole = trimPartialUtf8(buffer.subarray(0, length));
      if (!isUtf8(whole)) return start + firstInvalidUtf8(whole);
      buffer.copy(buffer, 0, whole.length, length);
      start += whole.length;
      kept = length - whole.length;
    }
  } finally {
    closeSync(fd);
  }
}

const CHECK_BYTES = 4 << 20;

export function parseEncoding(value: string): Encoding {
  const v = value.trim().toLowerCase().replace(/^utf8$/, 'utf-8').replace(/^utf16(le|be)$/, 'utf-16$1');
  if ((ENCODINGS as readonly string[]).includes(v)) return v as Encoding;
  throw new InputError(`--encoding "${value}" is not supported (use one of: ${ENCODINGS.join(', ')})`);
}

export const HEAD_SIZE = HEAD_BYTES;

/** Decode a whole buffer (standard input, a zip entry) into UTF-8. */
export function toUtf8(data: Buffer, encoding: Encoding): Buffer {
  if (encoding === 'utf-8') return data;
  if (encoding === 'gbk' || encoding === 'gb18030') {
    const decoder = new GbToUtf8(encoding);
    const lines = Buffer.from(decoder.push(data));
    return Buffer.concat([lines, decoder.end()]);
  }
  return Buffer.from(iconv().decode(data, encoding), 'utf8');
}

/** GBK or GB18030 `file` into UTF-8 `out`, a megabyte at a time through the same two buffers. */
async function gbToUtf8File(file: string, encoding: 'gbk' | 'gb18030', out: string): Promise<void> {
  const decoder = new GbToUtf8(encoding);
  const input = await open(file, 'r');
  try {
    const output = await open(out, 'w');
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (;;) {
        const { bytesRead } = await input.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        await writeAll(output, decoder.push(chunk.subarray(0, bytesRead)));
      }
      await writeAll(output, decoder.end());
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

async function writeAll(output: FileHandle, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; ) at += (await output.write(bytes, at, bytes.length - at)).bytesWritten;
}

/** Temporary UTF-8 copies of files in other encodings, removed by dispose(). */
export class Transcoder {
  private dir: string | null = null;
  private count = 0;

  /** Stream `file` from `encoding` into a UTF-8 temporary file; returns its path. */
  async toUtf8File(file: string, encoding: Encoding): Promise<string> {
    try {
      this.dir ??= await mkdtemp(path.join(tmpdir(), 'cs-audit-'));
      const out = path.join(this.dir, `${this.count++}.utf8`);
      if (encoding === 'gbk' || encoding === 'gb18030') await gbToUtf8File(file, encoding, out);
      else await pipeline(createReadStream(file), iconv().decodeStream(encoding), iconv().encodeStream('utf8'), createWriteStream(out));
      return out;
    } catch (err) {
      if (!systemError(err)) throw err;
      // Reading the input (it was readable when its encoding was found), or the machine's: no room or no temporary folder.
      if (err.path === file) throw cannotRead(file, err);
      throw new InputError(`${file}: cannot make its UTF-8 copy in ${this.dir ?? tmpdir()} (${err.code}); TMPDIR names the folder used`);
    }
  }

  async dispose(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { InputError } from '../errors.js';

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

function isUtf8(head: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(head));
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether bytes read as GB18030 look like Chinese text: no undecodable sequence, and nearly all
 * non-ASCII characters are CJK ideographs or CJK/full-width punctuation.
 */
function plausibleGb18030(head: Buffer): boolean {
  const text = iconv.decode(head, 'gb18030');
  let nonAscii = 0;
  let cjk = 0;
  for (const ch of text.slice(0, text.length - 1)) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd) return false;
    if (c < 0x80) continue;
    nonAscii++;
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef) || (c >= 0x3400 && c <= 0x4dbf)) cjk++;
  }
  return nonAscii > 0 && cjk / nonAscii >= 0.9;
}

/**
 * The encoding of a file from its first bytes: a BOM decides; else valid UTF-8; else GB18030 when
 * it decodes cleanly into Chinese text. Anything else is an error naming the file.
 */
export function detectEncoding(head: Buffer, name: string): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (isUtf8(head)) return 'utf-8';
  if (plausibleGb18030(head)) return 'gb18030';
  throw new InputError(
    `${name}: neither UTF-8 nor plausible GBK/GB18030 text; if you know the encoding, pass --encoding (${ENCODINGS.join(', ')})`,
  );
}

export function parseEncoding(value: string): Encoding {
  const v = value.trim().toLowerCase().replace(/^utf8$/, 'utf-8').replace(/^utf16(le|be)$/, 'utf-16$1');
  if ((ENCODINGS as readonly string[]).includes(v)) return v as Encoding;
  throw new InputError(`--encoding "${value}" is not supported (use one of: ${ENCODINGS.join(', ')})`);
}

export const HEAD_SIZE = HEAD_BYTES;

/** Decode a whole buffer (standard input, a zip entry) into UTF-8. */
export function toUtf8(data: Buffer, encoding: Encoding): Buffer {
  if (encoding === 'utf-8') return data;
  return Buffer.from(iconv.decode(data, encoding), 'utf8');
}

/** Temporary UTF-8 copies of files in other encodings, removed by dispose(). */
export class Transcoder {
  private dir: string | null = null;
  private count = 0;

  /** Stream `file` from `encoding` into a UTF-8 temporary file; returns its path. */
  async toUtf8File(file: string, encoding: Encoding): Promise<string> {
    this.dir ??= await mkdtemp(path.join(tmpdir(), 'cs-audit-'));
    const out = path.join(this.dir, `${this.count++}.utf8`);
    await pipeline(createReadStream(file), iconv.decodeStream(encoding), iconv.encodeStream('utf8'), createWriteStream(out));
    return out;
  }

  async dispose(): Promise<void> {
    if (this.dir !== null) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

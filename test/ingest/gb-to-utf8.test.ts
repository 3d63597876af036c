// Issue 8 (GBK input): GbToUtf8 turns GBK and GB18030 into UTF-8 through tables instead of
// iconv-lite's decoder. It must give exactly the bytes of iconv-lite decoding the whole text, for
// every byte pair, for four-byte sequences, for broken sequences, however the input is cut into
// chunks, and in time linear in the input however long its lines.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { toUtf8, Transcoder } from '../../src/ingest/encoding.js';
import { GbToUtf8 } from '../../src/ingest/gb-to-utf8.js';

const ENCODINGS = ['gbk', 'gb18030'] as const;

/** What iconv-lite makes of the bytes, as UTF-8 (what cs-audit read before GbToUtf8). */
const reference = (bytes: Buffer, encoding: string): Buffer => Buffer.from(iconv.decode(bytes, encoding), 'utf8');

/** GbToUtf8 fed `bytes` in chunks of `size` (the pieces copied: each is valid until the next call). */
function fed(bytes: Buffer, encoding: 'gbk' | 'gb18030', size = bytes.length): Buffer {
  const decoder = new GbToUtf8(encoding);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += Math.max(1, size)) pieces.push(Buffer.from(decoder.push(bytes.subarray(at, at + Math.max(1, size)))));
  pieces.push(Buffer.from(decoder.end()));
  return Buffer.concat(pieces);
}

/** The same bytes (vitest's deep equality is slow on large buffers): -1, or where they first differ. */
function firstDifference(actual: Buffer, expected: Buffer): number {
  if (actual.equals(expected)) return -1;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  return at;
}

function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe.each(ENCODINGS)('GbToUtf8 %s: the same UTF-8 as iconv-lite', (encoding) => {
  it('every byte alone and every byte pair, between ASCII and at line ends', () => {
    const parts: number[] = [];
    for (let b = 0; b < 256; b++) parts.push(0x61, b, 0x0a);
    for (let lead = 0x80; lead < 0x100; lead++) {
      for (let trail = 0; trail < 256; trail++) parts.push(0x78, lead, trail, 0x79);
      parts.push(lead, 0x0a); // a lead byte cut by the line end
    }
    const bytes = Buffer.from(parts);
    const expected = reference(bytes, encoding);
    expect(expected.toString('utf8')).toContain('\ufffd');
    expect(firstDifference(fed(bytes, encoding), expected)).toBe(-1);
  });

  it("GB18030's four-byte sequences (emoji among them), whole and broken", () => {
    const parts: number[] = [];
    for (const b1 of [0x81, 0x82, 0x84, 0x8f, 0x90, 0x95, 0xe3, 0xfe]) {
      for (let b2 = 0x30; b2 <= 0x39; b2++) {
        for (const b3 of [0x81, 0x9a, 0xfe, 0x41]) {
          for (const b4 of [0x30, 0x33, 0x39, 0x2c]) parts.push(b1, b2, b3, b4, 0x2c);
        }
      }
    }
    // Every four bytes (lead, digit, byte from 0x80, digit) under six leads, whole and cut after three.
    for (const b1 of [0x81, 0x84, 0x90, 0xe3, 0xf4, 0xfe]) {
      for (let b2 = 0x30; b2 <= 0x39; b2++) {
        for (let b3 = 0x80; b3 <= 0xff; b3++) for (let b4 = 0x30; b4 <= 0x39; b4++) parts.push(b1, b2, b3, b4, 0x0a, b1, b2, b3, 0x0a);
      }
    }
    const emoji = iconv.encode('好😀,🎉👍\n€', 'gb18030');
    const bytes = Buffer.concat([Buffer.from(parts), emoji, Buffer.from([0x95, 0x32, 0x82]), Buffer.from('\nend')]);
    const expected = reference(bytes, encoding);
    expect(firstDifference(fed(bytes, encoding), expected)).toBe(-1);
    if (encoding === 'gb18030') expect(expected.toString('utf8')).toContain('😀,🎉👍');
    // Four bytes iconv-lite reads as one sequence though no table has them: GBK's one four-byte
    // character, and GB18030's four bytes past its last character (one U+FFFD for all four).
    expect(fed(Buffer.from('8135f437', 'hex'), encoding).toString('utf8')).toBe(iconv.decode(Buffer.from('8135f437', 'hex'), encoding));
    expect(fed(Buffer.from('8431a437', 'hex'), encoding)).toEqual(reference(Buffer.from('8431a437', 'hex'), encoding));
    if (encoding === 'gbk') expect(iconv.decode(Buffer.from('8135f437', 'hex'), 'gbk')).toBe('\ue7c7');
    if (encoding === 'gb18030') expect(iconv.decode(Buffer.from('8431a437', 'hex'), 'gb18030')).toBe('\ufffd');
  });

  it('without line feeds (CR line ends, one-line JSON) a chunk is given back as it comes, only a cut character waits', () => {
    const line = iconv.encode('店铺,客服,你好，请问有什么可以帮您？\r', encoding);
    const bytes = Buffer.concat(Array.from({ length: 2000 }, () => line));
    const decoder = new GbToUtf8(encoding);
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 4099) {
      const chunk = bytes.subarray(at, at + 4099);
      const piece = Buffer.from(decoder.push(chunk));
      // Chinese text is longer in UTF-8; only the bytes of a character cut at the chunk's end wait.
      expect(piece.length).toBeGreaterThanOrEqual(chunk.length - 1);
      pieces.push(piece);
    }
    pieces.push(Buffer.from(decoder.end()));
    expect(firstDifference(Buffer.concat(pieces), reference(bytes, encoding))).toBe(-1);
  });

  it("a sequence cut by a chunk and broken by the next byte: iconv-lite's own decoder, fed so, loses that byte; the whole text keeps it", () => {
    const bytes = Buffer.from('e024', 'hex');
    const own = iconv.getDecoder(encoding);
    expect(own.write(bytes.subarray(0, 1)) + own.write(bytes.subarray(1)) + (own.end() ?? '')).toBe('\ufffd');
    expect(fed(bytes, encoding, 1).toString('utf8')).toBe('\ufffd$');
    expect(fed(bytes, encoding, 1)).toEqual(reference(bytes, encoding));
  });

  it('random bytes (ASCII, lead bytes, digits, line feeds), cut into chunks of any size', () => {
    const rand = random(encoding === 'gbk' ? 7 : 8);
    const pick = [0x0a, 0x2c, 0x22, 0x30, 0x35, 0x39, 0x41, 0x7f, 0x80, 0x81, 0x84, 0xa1, 0xb0, 0xd7, 0xfe, 0xff];
    const bytes = Buffer.from(Array.from({ length: 60_000 }, () => (rand(3) === 0 ? rand(256) : pick[rand(pick.length)]!)));
    const expected = reference(bytes, encoding);
    for (const size of [1, 2, 3, 7, 4096, bytes.length]) expect(firstDifference(fed(bytes, encoding, size), expected), `chunks of ${size}`).toBe(-1);
  });

  it('a chat export in that encoding decodes back to its text, in chunks, as a buffer and as a file', async () => {
    const text = [
      'id,time,shop,buyer,sender,agent,type,content',
      'm1,2026-11-02 09:00:00,旗舰店,买家小王,buyer,,text,"在吗，有货吗？\n尺码 M 还有吗"',
      `m2,2026-11-02 09:01:00,旗舰店,买家小王,agent,旗舰店:小李,text,"亲，有的～${encoding === 'gb18030' ? '😊' : ''}全场满 99 减 10"`,
      'm3,2026-11-02 09:02:00,旗舰店,买家小王,buyer,,text,价格 €12 ¥80 “好的” 《说明书》 ①②③',
    ].join('\r\n');
    const bytes = iconv.encode(text, encoding);
    // GB18030 encodes all of Unicode; GBK not the emoji, and iconv-lite writes "?" for what it lacks.
    if (encoding === 'gb18030') expect(fed(bytes, encoding).toString('utf8')).toBe(text);
    for (const size of [1, 5, 64]) expect(fed(bytes, encoding, size)).toEqual(reference(bytes, encoding));
    expect(toUtf8(bytes, encoding)).toEqual(reference(bytes, encoding));
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-gb-'));
    const file = path.join(dir, 'chat.csv');
    // Over a megabyte: the file is read in more than one chunk.
    const big = Buffer.concat(Array.from({ length: 4000 }, () => bytes));
    writeFileSync(file, big);
    const transcoder = new Transcoder();
    try {
      expect(firstDifference(readFileSync(await transcoder.toUtf8File(file, encoding)), reference(big, encoding))).toBe(-1);
    } finally {
      await transcoder.dispose();
    }
  });
});

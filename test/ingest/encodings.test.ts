// Issue 4: real exports in, as they are. Each fixture is built here from a canonical log (encoded
// with iconv-lite, re-delimited, zipped) and must give the canonical log's report.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { detectFileEncoding } from '../../src/ingest/encoding.js';
import { auditFiles, verdict } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-enc-'));
let n = 0;
function file(name: string, content: Buffer | string): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}

const COLUMNS = ['time', 'shop', 'buyer', 'sender', 'agent', 'content'];
const ROWS = [
  ['2026-11-02 10:00:00', '云朵家居', '买家小王', 'buyer', '', '这个沙发有灰色吗,多少钱'],
  ['2026-11-02 10:01:30', '云朵家居', '买家小王', 'agent', '云朵家居:小美', '有的亲;灰色 1999 元'],
  ['2026-11-02 11:00:00', '云朵家居', '买家老李', 'buyer', '', '发货了吗'],
  ['2026-11-02 11:10:00', '云朵家居', '买家老李', 'agent', '云朵家居:阿强', '今天发'],
];

function delimited(sep: string, eol = '\n'): string {
  const cell = (v: string) => (v.includes(sep) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v);
  return [COLUMNS, ...ROWS].map((r) => r.map(cell).join(sep)).join(eol) + eol;
}

async function reference() {
  return verdict(await auditFiles([file('canonical.csv', delimited(','))]));
}

describe('encodings (issue 4 §1)', () => {
  it('GBK/GB18030 without BOM is detected and gives the UTF-8 report', async () => {
    const gbk = file('gbk.csv', iconv.encode(delimited(','), 'gbk'));
    const r = await auditFiles([gbk]);
    expect(verdict(r)).toEqual(await reference());
    expect(r.shops[0]!.shop).toBe('云朵家居');
  });

  it('UTF-16LE and UTF-16BE with BOM, tab-separated (Excel "Unicode text") give the same report', async () => {
    const le = file('unicode-le.txt', iconv.encode(delimited('\t', '\r\n'), 'utf-16le', { addBOM: true }));
    const be = file('unicode-be.txt', iconv.encode(delimited('\t', '\r\n'), 'utf-16be', { addBOM: true }));
    expect(verdict(await auditFiles([le]))).toEqual(await reference());
    expect(verdict(await auditFiles([be]))).toEqual(await reference());
  });

  it('UTF-8 with a BOM and semicolons gives the same report', async () => {
    const semi = file('semi.csv', `\uFEFF${delimited(';', '\r\n')}`);
    expect(verdict(await auditFiles([semi]))).toEqual(await reference());
  });

  it('--encoding forces a decoding', async () => {
    const gbk = file('forced.csv', iconv.encode(delimited(','), 'gb18030'));
    expect(verdict(await auditFiles([gbk], { encoding: 'gb18030' }))).toEqual(await reference());
  });

  it('Japanese (Shift-JIS) and Korean (EUC-KR) files are refused, not read as GB18030', async () => {
    const header = 'time,buyer,sender,content\n';
    const sjis = file('sjis.csv', Buffer.concat([Buffer.from(header), iconv.encode('2026-11-02 10:00:00,田中,buyer,こんにちは、元気ですか\n', 'shift_jis')]));
    const kr = file('euckr.csv', Buffer.concat([Buffer.from(header), iconv.encode('2026-11-02 10:00:00,김철수,buyer,안녕하세요 반갑습니다\n', 'euc-kr')]));
    await expect(auditFiles([sjis])).rejects.toThrow('(it looks like SHIFT_JIS); if you know the encoding, pass --encoding');
    await expect(auditFiles([kr])).rejects.toThrow('neither UTF-8 nor plausible GBK/GB18030 text');
  });

  it('GBK chat text with punctuation, GBK that happens to be valid UTF-8, and GBK after 64 KB of ASCII are all GBK', async () => {
    const header = 'time,buyer,sender,content\n';
    const punct = file('punct.csv', iconv.encode(`${header}2026-11-02 10:00:00,小王,buyer,“在吗”……亲·您好——谢谢\n`, 'gbk'));
    const short = file('short.csv', iconv.encode(`${header}2026-11-02 10:00:00,b1,buyer,谢谢\n`, 'gbk'));
    const ascii = Array.from({ length: 1500 }, (_, i) => `2026-11-02 10:00:00,b${i},buyer,hello there ${i}`).join('\n');
    const late = file('late.csv', Buffer.concat([Buffer.from(`${header}${ascii}\n`), iconv.encode('2026-11-02 10:00:00,小王,buyer,在吗\n', 'gbk')]));
    for (const p of [punct, short, late]) {
      const r = await auditFiles([p], { details: true });
      expect(r.input.files[0]!.encoding, p).toBe('gb18030');
      expect(r.input.bad_rows).toBe(0);
    }
    const r = await auditFiles([short], { details: true });
    expect(r.details![0]!.text).toBe('谢谢');
  });

  it('the whole file is checked a few megabytes at a time: a character cut by a read is no stray byte; GBK after 5 MB is found', async () => {
    const header = 'time,buyer,sender,content\n';
    // Rows of 3-byte characters whose length is not a divisor of 4 MiB: reads cut characters.
    const row = '2026-11-02 10:00:00,小王,buyer,亲，您的订单已发出，请注意查收～\n';
    const rows = Buffer.from(row.repeat(Math.ceil((5 << 20) / Buffer.byteLength(row))));
    expect(Buffer.byteLength(row) % 3).not.toBe(0);
    const utf8 = file('long-utf8.csv', Buffer.concat([Buffer.from(header), rows]));
    expect(await detectFileEncoding(utf8, 'long-utf8.csv')).toBe('utf-8');
    const ascii = Buffer.from('2026-11-02 10:00:00,b1,buyer,hello there\n'.repeat((5 << 20) / 40));
    const late = file('late-gbk.csv', Buffer.concat([Buffer.from(header), ascii, iconv.encode('2026-11-02 10:00:00,小王,buyer,在吗，有货吗\n', 'gbk')]));
    expect(await detectFileEncoding(late, 'late-gbk.csv')).toBe('gb18030');
    const cut = file('cut-at-end.csv', Buffer.concat([Buffer.from(header), rows, Buffer.from('小').subarray(0, 2)]));
    await expect(detectFileEncoding(cut, 'cut-at-end.csv')).rejects.toThrow('cut-at-end.csv: starts as UTF-8 but later is not');
  });

  it('a file smaller than its head is checked whole in memory, with the same verdicts: UTF-8, a cut character at its end, a stray byte', async () => {
    const header = 'time,buyer,sender,content\n';
    const row = '2026-11-02 10:00:00,小王,buyer,亲，您的订单已发出\n';
    const rows = Buffer.from(row.repeat(100));
    expect(rows.length).toBeLessThan(65_536);
    expect(await detectFileEncoding(file('small-utf8.csv', Buffer.concat([Buffer.from(header), rows])), 'small-utf8.csv')).toBe('utf-8');
    const cut = file('small-cut.csv', Buffer.concat([Buffer.from(header), rows, Buffer.from('小').subarray(0, 2)]));
    await expect(detectFileEncoding(cut, 'small-cut.csv')).rejects.toThrow('small-cut.csv: starts as UTF-8 but later is not');
    // A byte that is no UTF-8 in the middle of a UTF-8 row: not GBK either, from that line on.
    const stray = file('small-stray.csv', Buffer.concat([Buffer.from(header), rows, Buffer.from([0x32, 0xff, 0x0a]), rows]));
    await expect(detectFileEncoding(stray, 'small-stray.csv')).rejects.toThrow('small-stray.csv');
  });

  it('a file that is neither UTF-8 nor plausible GB18030 is an error naming the file and what to do', async () => {
    const noise = Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 151 + 7) % 256));
    const p = file('noise.csv', noise);
    await expect(auditFiles([p])).rejects.toThrow(`${p}: neither UTF-8 nor plausible GBK/GB18030 text; if you know the encoding, pass --encoding`);
  });
});

describe('directories and archives (issue 4 §3)', () => {
  it('a directory is read recursively, and a zip of exports without unpacking, both like the files themselves', async () => {
    const root = path.join(dir, 'exports');
    mkdirSync(path.join(root, 'day1'), { recursive: true });
    const [head, ...rows] = delimited(',').trim().split('\n');
    writeFileSync(path.join(root, 'day1', 'a.csv'), `${head}\n${rows.slice(0, 2).join('\n')}\n`);
    writeFileSync(path.join(root, 'b.csv'), iconv.encode(`${head}\n${rows.slice(2).join('\n')}\n`, 'gbk'));
    writeFileSync(path.join(root, 'notes.md'), 'ignored: not a log');
    expect(verdict(await auditFiles([root]))).toEqual(await reference());

    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(`${head}\n${rows.slice(0, 2).join('\n')}\n`), 'export/part1.csv');
    zip.addBuffer(iconv.encode(`${head}\n${rows.slice(2).join('\n')}\n`, 'gbk'), 'export/part2.csv');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const archive = file('exports.zip', Buffer.concat(chunks));
    const r = await auditFiles([archive]);
    expect(verdict(r)).toEqual(await reference());
    expect(r.input.files.map((f) => f.file)).toEqual([`${archive}:export/part1.csv`, `${archive}:export/part2.csv`]);
  });
});

// Issue 2 "Readers": CSV (BOM, CRLF, quotes), JSON array, {"messages": [...]}, NDJSON, stdin,
// several files, overlapping exports, bad rows with file and line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError, StrictError } from '../../src/errors.js';
import { auditFiles, counts, day, dedent, verdict } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-readers-'));
let n = 0;
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, content);
  return p;
}

const run = auditFiles;

const ROWS = [
  { time: '2026-11-02 10:00:00', buyer: 'b1', sender: 'buyer', agent: '', content: '你好, "在吗"\n急' },
  { time: '2026-11-02 10:01:00', buyer: 'b1', sender: 'agent', agent: 'shop:alice', content: '在的' },
  { time: '2026-11-02 10:00:00', buyer: 'b2', sender: 'buyer', agent: '', content: '发货' },
  { time: '2026-11-02 10:05:00', buyer: 'b2', sender: 'agent', agent: 'shop:bob', content: '好' },
];

function csvOf(rows: Record<string, string>[], eol = '\n'): string {
  const cols = Object.keys(rows[0]!);
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c]!)).join(','))].join(eol) + eol;
}

describe('CSV reader', () => {
  it('handles a BOM, CRLF line ends, quoted commas, quotes and newlines inside content', async () => {
    const plain = await run([file('plain.csv', csvOf(ROWS))]);
    const excel = await run([file('excel.csv', `\uFEFF${csvOf(ROWS, '\r\n')}`)]);
    expect(counts(plain, 'response_3min', '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(verdict(excel)).toEqual(verdict(plain));
    expect(excel.input).toMatchObject({ messages: 4, bad_rows: 0, rows: 4 });
  });

  it('matches header names case-insensitively and ignores unknown columns', async () => {
    const r = await run([
      file(
        'upper.csv',
        dedent(`
          Time,BUYER,Sender,Agent,Remark
          2026-11-02 10:00:00,b1,buyer,,x
          2026-11-02 10:01:00,b1,agent,shop:a,y
        `),
      ),
    ]);
    expect(counts(r, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });

  it('reports bad rows with file, the line they start on, and the reason; the run goes on', async () => {
    const p = file(
      'bad.csv',
      dedent(`
        time,buyer,sender,agent,content
        2026-11-02 10:00:00,b1,buyer,,"two
        lines"
        2026-13-02 10:00:00,b1,buyer,,bad month
        2026-11-02 10:00:00,,buyer,,no buyer
        2026-11-02 10:00:00,b1,customer,,unknown sender
        2026-11-02 10:00:00,b1,buyer
        2026-11-02 10:01:00,b1,agent,shop:a,ok
      `),
    );
    const r = await run([p]);
    expect(r.input.errors).toEqual([
      { file: p, line: 4, reason: 'unreadable time "2026-13-02 10:00:00"' },
      { file: p, line: 5, reason: 'missing buyer' },
      { file: p, line: 6, reason: 'unknown sender "customer" (expected one of: buyer, agent, bot, system, platform)' },
      { file: p, line: 7, reason: 'has 3 fields, the header has 5' },
    ]);
    expect(r.input).toMatchObject({ rows: 6, messages: 2, bad_rows: 4 });
    expect(counts(r, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });

    // The same file with CRLF line ends, a BOM and blank lines: the same lines are reported.
    const crlf = file('bad-crlf.csv', `\uFEFF${readFileSync(p, 'utf8').replace(/\n/g, '\r\n')}\r\n\r\n`);
    const r2 = await run([crlf]);
    expect(r2.input.errors.map((e) => e.line)).toEqual([4, 5, 6, 7]);
  });

  it('a broken quote costs its own line only: reading resumes on the next line', async () => {
    // Line 3 has a stray character after its closing quote, line 4 unescaped quotes inside a
    // quoted field. Both are bad rows; every other line is read.
    const p = file(
      'quote.csv',
      [
        'time,buyer,sender,agent,content',
        '2026-11-02 10:00:00,b1,buyer,,"fine"',
        '2026-11-02 10:00:05,b1,buyer,,"bro"ken',
        '2026-11-02 10:00:06,b1,buyer,,"他说"好的"谢谢"',
        '2026-11-02 10:01:00,b1,agent,shop:a,ok',
        '2026-11-02 10:05:00,b2,buyer,,"hi" ',
        '2026-11-02 10:05:00,b3,buyer,,q',
        '2026-11-02 10:06:00,b3,agent,shop:a,r',
        '',
      ].join('\n'),
    );
    const r = await run([p]);
    expect(r.input.errors.map((e) => [e.line, e.reason.slice(0, 36)])).toEqual([
      [3, 'unreadable CSV: Invalid Closing Quot'],
      [4, 'unreadable CSV: Invalid Closing Quot'],
      [6, 'unreadable CSV: Invalid Closing Quot'],
    ]);
    expect(r.input).toMatchObject({ rows: 7, messages: 4, bad_rows: 3 });
    expect(counts(r, 'response_3min', '2026-11-02')).toEqual({ eligible: 2, passed: 2, pending: 0 });
  });

  it('a quoted field that never closes costs its first line; the lines after it are read', async () => {
    const p = file(
      'unclosed.csv',
      'time,buyer,sender,agent,content\r\n2026-11-02 10:00:00,b1,buyer,,hi\r\n2026-11-02 10:00:30,b1,agent,a,"oops\r\n' +
        '2026-11-02 10:05:00,b2,buyer,,q\r\n2026-11-02 10:06:00,b2,agent,a,r\r\n',
    );
    const r = await run([p]);
    expect(r.input.errors.map((e) => e.line)).toEqual([3]);
    expect(r.input).toMatchObject({ rows: 4, messages: 3, bad_rows: 1 });
    expect(r.input.rows).toBe(r.input.messages + r.input.bad_rows + r.input.duplicates);
  });

  it('--strict makes the first bad row fatal, naming file and line', async () => {
    const p = file('strict.csv', 'time,buyer,sender\n2026-11-02 10:00:00,b1,buyer\nnope,b1,buyer\n');
    await expect(run([p], { strict: true })).rejects.toThrow(StrictError);
    await expect(run([p], { strict: true })).rejects.toThrow(`${p}:3: unreadable time "nope" (--strict)`);
  });

  it('a header without a required column is an input error naming the file and the column', async () => {
    const p = file('nohdr.csv', 'time,customer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    await expect(run([p])).rejects.toThrow(InputError);
    await expect(run([p])).rejects.toThrow(`${p}: the header has no "buyer" column`);
  });

  it('a missing file, a directory and an empty file are input errors', async () => {
    await expect(run([path.join(dir, 'nope.csv')])).rejects.toThrow('nope.csv: no such file');
    const empty = mkdtempSync(path.join(tmpdir(), 'cs-audit-empty-'));
    await expect(run([empty])).rejects.toThrow('no CSV, JSON or zip files in this directory');
    await expect(run([file('empty.csv', '')])).rejects.toThrow('empty file');
  });
});

describe('JSON readers', () => {
  it('a JSON array, {"messages": [...]} and NDJSON give the same report as the CSV', async () => {
    const csv = await run([file('a.csv', csvOf(ROWS))]);
    const array = await run([file('a.json', JSON.stringify(ROWS, null, 2))]);
    const wrapped = await run([file('b.json', JSON.stringify({ exported: 'x', messages: ROWS }))]);
    const ndjson = await run([file('c.ndjson', ROWS.map((r) => JSON.stringify(r)).join('\n'))]);
    expect(verdict(array)).toEqual(verdict(csv));
    expect(verdict(wrapped)).toEqual(verdict(csv));
    expect(verdict(ndjson)).toEqual(verdict(csv));
  });

  it('JSON values may be numbers and booleans (epoch times, recalled: true, flags as a list)', async () => {
    const t = Date.UTC(2026, 10, 2, 2, 0, 0);
    const r = await run([
      file(
        'typed.json',
        JSON.stringify([
          { time: t, buyer: 'b1', sender: 'buyer' },
          { time: t + 30_000, buyer: 'b1', sender: 'agent', agent: 'shop:a', recalled: true },
          { time: t / 1000 + 60, buyer: 'b1', sender: 'agent', agent: 'shop:a', flags: [] },
          { time: t, buyer: 'b2', sender: 'buyer', flags: ['abusive'] },
        ]),
      ),
    ]);
    expect(counts(r, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });

  it('a JSON log in which no record has a required field is an input error, like a CSV header', async () => {
    const p = file('presence.json', JSON.stringify([{ time: '2026-11-02 10:00:00', agent: 'a', status: 'online' }]));
    await expect(run([p])).rejects.toThrow(`${p}: no record has a "buyer", "sender" field (required: time, buyer, sender;`);
  });

  it('bad JSON elements and NDJSON lines are bad rows with their line', async () => {
    const arr = file('bad.json', '[\n  {"time": "2026-11-02 10:00:00", "buyer": "b1", "sender": "buyer"},\n  42,\n  {"time": "x", "buyer": "b1", "sender": "buyer"}\n]\n');
    const r1 = await run([arr]);
    expect(r1.input.errors).toEqual([
      { file: arr, line: 3, reason: 'element 1 is not an object' },
      { file: arr, line: 4, reason: 'unreadable time "x"' },
    ]);
    const nd = file('bad.ndjson', '{"time": "2026-11-02 10:00:00", "buyer": "b1", "sender": "buyer"}\n{oops\n\n[1]\n');
    const r2 = await run([nd]);
    expect(r2.input.errors.map((e) => [e.line, e.reason.slice(0, 7)])).toEqual([
      [2, 'not JSO'],
      [4, 'not a J'],
    ]);
  });
});

describe('several inputs', () => {
  it('- reads standard input', async () => {
    const r = await run(['-'], { stdin: Readable.from([Buffer.from(csvOf(ROWS))]) });
    const direct = await run([file('s.csv', csvOf(ROWS))]);
    expect(verdict(r)).toEqual(verdict(direct));
    expect(r.input.files[0]!.file).toBe('<stdin>');
  });

  it('rows split over files, unsorted, and overlapping exports (same id) give the report of one sorted file', async () => {
    const rows = ROWS.map((r, i) => ({ ...r, id: `m${i}` }));
    const one = await run([file('one.csv', csvOf(rows))]);
    const partA = file('partA.csv', csvOf([rows[3]!, rows[0]!, rows[1]!]));
    const partB = file('partB.json', JSON.stringify([rows[2]!, rows[1]!, rows[3]!]));
    const split = await run([partA, partB]);
    expect(verdict(split)).toEqual(verdict(one));
    expect(split.input).toMatchObject({ rows: 6, messages: 4, duplicates: 2 });
    expect(split.input.files.map((f) => [f.messages, f.duplicates])).toEqual([
      [3, 0],
      [1, 2],
    ]);
  });

  it('messages with the same timestamp keep file order', async () => {
    // Question then reply in the same second: a 0-second round (not counted).
    const q = '2026-11-02 10:00:00,b1,buyer,';
    const a = '2026-11-02 10:00:00,b1,agent,shop:a';
    const asked = await run([file('qa.csv', `time,buyer,sender,agent\n${q}\n${a}\n2026-11-02 11:00:00,b9,agent,shop:a\n`)]);
    expect(day(asked, 'response_3min', '2026-11-02').excluded).toEqual({ zero_second: 1 });
    // Reply first: a seller-first round, then an unanswered question (failed by 11:00).
    const replied = await run([file('aq.csv', `time,buyer,sender,agent\n${a}\n${q}\n2026-11-02 11:00:00,b9,agent,shop:a\n`)]);
    expect(counts(replied, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
  });

  it('a missing shop takes the only shop named elsewhere in the input', async () => {
    const r = await run([
      file('shop.csv', 'time,shop,buyer,sender,agent\n2026-11-02 10:00:00,myshop,b1,buyer,\n2026-11-02 10:01:00,,b1,agent,myshop:a\n'),
    ]);
    expect(r.shops.map((s) => s.shop)).toEqual(['myshop']);
    expect(counts(r, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('--tz', () => {
  it('reads local input times in the given zone; days stay the platform\'s', async () => {
    // 02:30 UTC = 10:30 Shanghai (in the window); read as Shanghai time it would be 02:30 (outside).
    const p = file('utc.csv', 'time,buyer,sender,agent\n2026-11-02 02:30:00,b1,buyer,\n2026-11-02 02:31:00,b1,agent,shop:a\n');
    const asUtc = await run([p], { tz: 'UTC' });
    expect(counts(asUtc, 'response_3min', '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(asUtc.input_timezone).toBe('UTC');
    expect(asUtc.timezone).toBe('Asia/Shanghai');
    const asLocal = await run([p]);
    expect(counts(asLocal, 'response_3min', '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    await expect(run([p], { tz: 'Mars/Olympus' })).rejects.toThrow('--tz "Mars/Olympus" is not a known time zone');
  });
});

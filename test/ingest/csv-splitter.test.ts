import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSplitter, type CsvItem } from '../../src/ingest/csv-splitter.js';
import { readRecordBatches } from '../../src/ingest/records.js';
import type { InputSource } from '../../src/ingest/sources.js';
import { referenceItems } from './csv-parse-reference.js';

/** The CSV reader over `data`, given `chunk` bytes at a time (the unread rest given again). */
function splitterItems(data: Buffer, delimiter: string, chunk = 1 << 22): CsvItem[] {
  const splitter = new CsvSplitter(delimiter.charCodeAt(0));
  const out: CsvItem[] = [];
  let rest = Buffer.alloc(0);
  for (let at = 0; ; at += chunk) {
    const last = at + chunk >= data.length;
    const bytes = Buffer.concat([rest, data.subarray(at, at + chunk)]);
    const used = splitter.split(bytes, last, out);
    rest = bytes.subarray(used);
    if (last || splitter.done) return out;
  }
}

/**
 * The same items as the csv-parse reader. A broken first record (the header) stops a run, so
 * there only the error must agree: the old reader counted a byte order mark as a line of its own
 * when it looked for where to resume, and resumed where a run never goes on.
 */
function expectEqual(received: CsvItem[], expected: CsvItem[]): void {
  const first = expected[0];
  if (first !== undefined && 'error' in first) {
    expect(received[0]).toMatchObject({ error: first.error });
    return;
  }
  expect(received).toEqual(expected);
}

async function expectSame(text: string | Buffer, delimiter = ',', chunk?: number): Promise<void> {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  expectEqual(splitterItems(data, delimiter, chunk), await referenceItems(data, delimiter, chunk));
}

// Issue 8 "What must work" 2: the reader is held to csv-parse's records and errors.
const EDGE_CASES: Record<string, string> = {
  'plain rows': 'a,b,c\n1,2,3\n4,5,6\n',
  'no final newline': 'a,b\n1,2',
  'quoted fields with commas': 'a,b\n"x,y",z\n',
  'escaped quotes': 'a,b\n"say ""hi""",2\n"""",""\n',
  'embedded LF': 'a,b\n"line one\nline two",2\n3,4\n',
  'embedded CRLF in a CRLF file': 'a,b\r\n"one\r\ntwo",2\r\n3,4\r\n',
  'CRLF rows': 'a,b\r\n1,2\r\n3,4\r\n',
  'CR-only rows': 'a,b\r1,2\r3,4\r',
  'lone CR inside an LF file': 'a,b\n1\r,2\n3,4\n',
  'lone LF inside an unquoted CRLF field': 'a,b\r\n1\n2,3\r\n4,5\r\n',
  'BOM': '\uFEFFa,b\n1,2\n',
  'BOM then quoted header': '\uFEFF"a","b"\n1,2\n',
  'empty fields': 'a,b,c\n,,\n1,,\n,,3\n',
  'empty lines': '\n\na,b\n\n1,2\n\r\n\n3,4\n\n\n',
  'blank-looking line of spaces': 'a,b\n   \n1,2\n',
  'empty quoted field alone': 'a\n""\n1\n',
  'ragged rows': 'a,b,c\n1,2\n1,2,3,4\n5\n',
  'unicode content': 'a,b\n你好，世界,"引号""中文"""\n',
  'tab-separated': 'a\tb\n1\t"x\ty"\n',
  'semicolon-separated': 'a;b\n1;"x;y"\n',
  'stray quote inside an unquoted field': 'a,b\nx,y"z\n1,2\n',
  'text after a closing quote': 'a,b\n"x"q,1\n1,2\n',
  'quote never closed': 'a,b\n"x,1\n1,2\n',
  'quote never closed, no newline after': 'a,b\n1,2\n"open',
  'broken record after empty lines': 'a,b\n1,2\n\n\nx"y,3\n4,5\n',
  'broken record spanning lines': 'a,b\n"x\ny"z,1\n2,3\n',
  'two broken records': 'a,b\nx"1,2\n3,"4"5\n6,7\n',
  'broken header': 'a,b"c\n1,2\n',
  'closing quote before CRLF': 'a,b\r\n"x","y"\r\n1,2\r\n',
  'closing quote before a lone CR': 'a,b\n"x"\r,1\n',
  'closing quote at the end of data': 'a,b\n1,"2"',
  'NUL after a closing quote': 'a,b\n"x"\u0000y,1\n',
  'quote after NUL after a closing quote': 'a,b\n"x"\u0000"y,1\n',
  'only a header': 'a,b,c\n',
  'nothing at all': '',
  'only empty lines': '\n\n\r\n',
  'CR then LF discovered after a quoted first field': '"a"\r\nb\r\n',
};

describe('CSV reader: the same records and errors as csv-parse', () => {
  for (const [name, text] of Object.entries(EDGE_CASES)) {
    it(name, async () => {
      await expectSame(text);
      // Cut anywhere: the reader reads the record again with more bytes.
      for (const chunk of [1, 2, 3, 7]) await expectSame(text, text.startsWith('a\t') ? '\t' : text.startsWith('a;') ? ';' : ',', chunk);
    });
  }

  it('bytes that are not UTF-8 decode the same way', async () => {
    await expectSame(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xe5, 0x22, 0x22, 0x2c, 0xff, 0x0a, 0x22, 0xe4, 0xbd, 0x22, 0x2c, 0x31, 0x0a]));
  });

  it('generated inputs over the characters that matter, cut at random places', async () => {
    const alphabet = fc.constantFrom('a', 'b', '中', ',', ';', '\t', '"', '"', '""', '\n', '\n', '\r', '\r\n', ' ', '\uFEFF', '\u0000');
    await fc.assert(
      fc.asyncProperty(
        fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join('')),
        fc.constantFrom(',', ';', '\t'),
        fc.integer({ min: 1, max: 16 }),
        async (text, delimiter, chunk) => {
          const data = Buffer.from(text);
          const expected = await referenceItems(data, delimiter, chunk);
          expectEqual(splitterItems(data, delimiter, chunk), expected);
          expectEqual(splitterItems(data, delimiter), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('generated chat rows: quoted commas, quotes and newlines in content', async () => {
    const field = fc.stringMatching(/^[a-z0-9 ,"\n中文：]{0,12}$/).map((v) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { maxLength: 30 }), fc.boolean(), async (rows, crlf) => {
        const text = rows.map((r) => r.join(',')).join(crlf ? '\r\n' : '\n');
        await expectSame(text, ',', 64);
      }),
      { numRuns: 500 },
    );
  });

  it('short fields repeated down a column (decoded once, see column-strings.ts) still read as written', async () => {
    // Mostly a few values and now and then one of a thousand, so the columns' tables stay on and
    // values of the same length share slots; values one byte apart, multibyte, longer than a
    // slot holds, and a row wider than the columns looked at.
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const pick = (few: string[], many: (i: number) => string): string => (next(5) === 0 ? many(next(1000)) : few[next(few.length)]!);
    const rows = ['id,shop,sender,agent,note'];
    for (let i = 0; i < 20_000; i++) {
      rows.push(
        [
          `m${i}`,
          pick(['shop0'], (k) => `shop${k}`),
          pick(['buyer', 'agent', 'bot'], (k) => `ab${String.fromCharCode(97 + (k % 26))}${k % 7}`),
          pick(['店铺:客服1', '店铺:客服2'], (k) => `店铺:客服${k}`),
          pick(['x'.repeat(33), '在吗'], (k) => `${'长'.repeat(k % 20)}${k}`),
        ].join(','),
      );
    }
    rows.push(Array.from({ length: 70 }, (_, i) => `c${i % 3}`).join(','));
    rows.push(Array.from({ length: 70 }, (_, i) => `c${(i + 1) % 3}`).join(','));
    await expectSame(rows.join('\n'), ',', 4096);
  });

  it('every sample export reads the same', async () => {
    const files = readdirSync('samples', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.csv'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) await expectSame(readFileSync(join('samples', file)), ',', 4096);
  });
});

describe('records keyed by the header', () => {
  async function records(text: string) {
    const source = { name: 'x.csv', path: null, data: Buffer.from(text), encoding: 'utf-8' } as unknown as InputSource;
    const out = [];
    for await (const batch of readRecordBatches(source, { required: [] })) out.push(...batch);
    return out;
  }

  it('names with quotes, spaces and backslashes; a repeated name keeps its last field; __proto__ is a plain key', async () => {
    expect(await records('a,"b ""c""",d\\e,a\n1,2,3,4\n')).toEqual([{ line: 2, values: { a: '4', 'b "c"': '2', 'd\\e': '3' } }]);
    const [proto] = await records('__proto__,b\n1,2\n');
    expect(Object.getPrototypeOf((proto as { values: object }).values)).toBe(Object.prototype);
    expect(Object.entries((proto as { values: object }).values)).toEqual([['b', '2']]);
  });

  it('node --disallow-code-generation-from-strings reads records key by key, with the same report', () => {
    const run = (flags: string[]) =>
      execFileSync(process.execPath, [...flags, 'bin/cs-audit.js', 'run', '--platform', 'tmall', '--format', 'json', 'samples/tmall/chat-2026-11.csv'], { encoding: 'utf8' });
    expect(run(['--disallow-code-generation-from-strings'])).toBe(run([]));
  });
});

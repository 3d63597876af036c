// Issue 2: "Unsorted rows, rows split over several files, and overlapping exports give exactly
// the same report as one sorted file." Property tests over generated chat logs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditFiles, verdict } from '../helpers/audit.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-order-'));
let n = 0;

interface Row {
  id: string;
  time: string;
  buyer: string;
  sender: string;
  agent: string;
  type: string;
  content: string;
  card: string;
  bot_mode: string;
  recalled: string;
  flags: string;
}

const BASE = Date.UTC(2026, 10, 1, 0, 0, 0); // 2026-11-01 08:00 Shanghai

function local(ms: number): string {
  // Shanghai has no DST: shift by 8 hours and print.
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const rowKind = fc.constantFrom(
  'question',
  'question',
  'question',
  'reply',
  'reply',
  'reply',
  'bot',
  'assist',
  'assign',
  'blacklist',
  'evaluation',
  'recalled',
  'red_packet',
  'abusive',
  'greeting',
);

/** A chat log with distinct times (ties would legitimately depend on file order). */
const chatLog = fc
  .uniqueArray(fc.integer({ min: 0, max: 3 * 86_400 }), { minLength: 1, maxLength: 60 })
  .chain((seconds) =>
    fc.tuple(
      fc.constant(seconds),
      fc.array(fc.tuple(rowKind, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })), {
        minLength: seconds.length,
        maxLength: seconds.length,
      }),
    ),
  )
  .map(([seconds, kinds]) =>
    seconds.map((s, i): Row => {
      const [kind, buyer, agent] = kinds[i]!;
      const row: Row = {
        id: `m${i}`,
        time: local(BASE + s * 1000),
        buyer: `b${buyer}`,
        sender: 'buyer',
        agent: '',
        type: 'text',
        content: `message ${i}, "quoted"`,
        card: '',
        bot_mode: '',
        recalled: '',
        flags: '',
      };
      const account = `shop:a${agent}`;
      switch (kind) {
        case 'reply':
          return { ...row, sender: 'agent', agent: account };
        case 'bot':
          return { ...row, sender: 'bot', agent: 'shop:bot', bot_mode: 'auto' };
        case 'assist':
          return { ...row, sender: 'bot', agent: account, bot_mode: 'assist' };
        case 'assign':
          return { ...row, sender: 'system', agent: account, type: 'assign' };
        case 'blacklist':
          return { ...row, sender: 'system', type: 'blacklist' };
        case 'evaluation':
          return { ...row, agent: account, type: 'evaluation', content: agent === 1 ? '不满意' : '满意', card: `c${buyer}` };
        case 'recalled':
          return { ...row, recalled: '1' };
        case 'red_packet':
          return { ...row, sender: 'agent', agent: account, type: 'red_packet' };
        case 'abusive':
          return { ...row, flags: 'abusive' };
        case 'greeting':
          return { ...row, sender: 'agent', agent: account, type: 'auto_greeting' };
        default:
          return row;
      }
    }),
  );

function csv(rows: Row[]): string {
  const cols = ['id', 'time', 'buyer', 'sender', 'agent', 'type', 'content', 'card', 'bot_mode', 'recalled', 'flags'] as const;
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => cell(r[c])).join(',')).join('\n')}\n`;
}

function write(rows: Row[], kind: 'csv' | 'json'): string {
  const p = path.join(dir, `${n++}.${kind}`);
  writeFileSync(p, kind === 'csv' ? csv(rows) : JSON.stringify(rows));
  return p;
}

async function decided(inputs: string[]): Promise<unknown> {
  const r = await auditFiles(inputs);
  expect(r.input.bad_rows).toBe(0);
  // Issue 4 row accounting: every row read is used, excluded (by reason) or a bad row.
  for (const f of r.input.files) {
    const excluded = Object.values(f.excluded ?? {}).reduce((a, b) => a + b, 0);
    expect(f.rows).toBe((f.used ?? 0) + excluded + f.bad_rows);
  }
  return verdict(r);
}

describe('order invariance (property)', () => {
  it('shuffling the rows never changes the report', async () => {
    await fc.assert(
      fc.asyncProperty(chatLog, fc.infiniteStream(fc.nat()), async (rows, randoms) => {
        const shuffled = rows
          .map((r) => ({ r, k: randoms.next().value as number }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.r);
        // The sorted file takes the streaming path, the shuffled one is sorted in memory.
        const sorted = [...rows].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
        expect(await decided([write(shuffled, 'csv')])).toEqual(await decided([write(sorted, 'csv')]));
      }),
      { numRuns: 40 },
    );
  });

  it('splitting the rows over several files (CSV and JSON, overlapping) never changes the report', async () => {
    await fc.assert(
      fc.asyncProperty(chatLog, fc.array(fc.integer({ min: 0, max: 2 })), fc.array(fc.boolean()), async (rows, parts, overlap) => {
        const files: Row[][] = [[], [], []];
        rows.forEach((r, i) => {
          const k = parts[i % Math.max(parts.length, 1)] ?? 0;
          files[k]!.push(r);
          // An overlapping export repeats some rows (same id) in another file.
          if (overlap[i % Math.max(overlap.length, 1)]) files[(k + 1) % 3]!.push(r);
        });
        const inputs = files.filter((f) => f.length > 0).map((f, i) => write(f, i % 2 === 0 ? 'csv' : 'json'));
        const sorted = [...rows].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
        expect(await decided(inputs)).toEqual(await decided([write(sorted, 'csv')]));
      }),
      { numRuns: 40 },
    );
  });
});

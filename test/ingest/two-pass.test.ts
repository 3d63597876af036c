// The two passes over chat files: the first checks every row and learns the shops; the second
// streams files already in time order and sorts the others (within a memory bound: external-sort.test.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Transcoder } from '../../src/ingest/encoding.js';
import { chatMessages, scanChat } from '../../src/ingest/read-chat.js';
import { resolveSources } from '../../src/ingest/sources.js';
import { Zone } from '../../src/time/zone.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-scan-'));
const options = { zone: new Zone('Asia/Shanghai'), strict: false, profiles: { profile: null, map: null } };

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function collect(paths: string[]) {
  const sources = await resolveSources(paths, { stdin: Readable.from([]), encoding: null, transcoder: new Transcoder() });
  const scan = await scanChat(sources, options);
  const messages = [];
  for await (const batch of chatMessages(scan)) for (const m of batch) messages.push(`${m.shop}/${m.buyer}/${m.content}`);
  return { scan, messages };
}

describe('scanChat / chatMessages', () => {
  it('detects which files are in time order and merges them all in time order, ties in file order', async () => {
    const a = file('a.csv', 'time,buyer,sender,content\n2026-11-02 10:00:00,b1,buyer,a1\n2026-11-02 10:02:00,b1,buyer,a2\n');
    const b = file('b.csv', 'time,buyer,sender,content\n2026-11-02 10:03:00,b2,buyer,b1\n2026-11-02 10:00:00,b2,buyer,b2\n2026-11-02 10:02:00,b2,buyer,b3\n');
    const { scan, messages } = await collect([a, b]);
    expect(scan.sorted).toEqual([true, false]);
    expect(messages).toEqual(['(shop)/b1/a1', '(shop)/b2/b2', '(shop)/b1/a2', '(shop)/b2/b3', '(shop)/b2/b1']);
    expect(scan.firstT).toBe(Date.UTC(2026, 10, 2, 2, 0, 0));
    expect(scan.lastT).toBe(Date.UTC(2026, 10, 2, 2, 3, 0));
  });

  it('learns each shop\'s own accounts and merchant buyers, rows without a shop going to the only named shop', async () => {
    const a = file(
      'shops.csv',
      'time,shop,buyer,sender,agent,flags\n2026-11-02 10:00:00,s1,b1,buyer,s1:x,\n2026-11-02 10:01:00,,b2,agent,helper,\n2026-11-02 10:02:00,s1,m1,buyer,,merchant\n',
    );
    const { scan, messages } = await collect([a]);
    expect(scan.fallbackShop).toBe('s1');
    expect([...scan.directories.keys()]).toEqual(['s1']);
    expect([...scan.directories.get('s1')!.accounts].sort()).toEqual(['helper', 's1:x']);
    expect([...scan.directories.get('s1')!.merchantBuyers]).toEqual(['m1']);
    expect(messages.every((m) => m.startsWith('s1/'))).toBe(true);
  });

  it('with no shop named anywhere, the main account shared by every main:sub account is the shop', async () => {
    const one = file('noshop.csv', 'time,buyer,sender,agent\n2026-11-02 10:00:00,myshop:carol,buyer,myshop:alice\n2026-11-02 10:01:00,b1,agent,myshop:bob\n');
    expect((await collect([one])).scan.fallbackShop).toBe('myshop');
    const two = file('twoshops.csv', 'time,buyer,sender,agent\n2026-11-02 10:00:00,b1,buyer,a:x\n2026-11-02 10:01:00,b1,agent,b:y\n');
    expect((await collect([two])).scan.fallbackShop).toBe('(shop)');
  });

  it('drops a repeated (shop, id) and counts it against the file it came from', async () => {
    const row = '2026-11-02 10:00:00,b1,buyer,x,m1\n';
    const a = file('d1.csv', `time,buyer,sender,content,id\n${row}`);
    const b = file('d2.csv', `time,buyer,sender,content,id\n${row}2026-11-02 10:00:00,b1,buyer,y,m2\n`);
    const { scan, messages } = await collect([a, b]);
    expect(messages).toEqual(['(shop)/b1/x', '(shop)/b1/y']);
    expect(scan.files.map((f) => [f.rows, f.messages, f.duplicates])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
    ]);
  });
});

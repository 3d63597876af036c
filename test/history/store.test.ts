// The history store's bulk writes (issue 8: a month's day facts written row by row took 0.30 s a
// night): the rows of one insert go in one transaction, so they are all written or none.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/history/store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-store-'));

describe('HistoryStore.insert', () => {
  it('writes every row of one call, or none when a row is refused (the rows before it are taken back)', async () => {
    const store = await HistoryStore.open(path.join(dir, 'insert.sqlite'));
    try {
      const row = (day: string, missing: number | null) => ({ shop: 's', day, buyers: 1, buyer_messages: 2, shop_messages: 3, rounds: 1, seller_first_rounds: 0, sessions: 1, missing });
      store.insert('activity', [row('2026-11-01', 0), row('2026-11-02', 0)]);
      // `missing` is NOT NULL: the third row is refused.
      expect(() => store.insert('activity', [row('2026-11-03', 0), row('2026-11-04', 1), row('2026-11-05', null)])).toThrow(/NOT NULL/);
      expect(store.all('SELECT day FROM activity ORDER BY day').map((r) => r.day)).toEqual(['2026-11-01', '2026-11-02']);
      // The store goes on: later writes are kept.
      store.insert('activity', [row('2026-11-06', 0)]);
      expect(store.all('SELECT count(*) AS n FROM activity')[0]!.n).toBe(3);
    } finally {
      store.close();
    }
  });
});

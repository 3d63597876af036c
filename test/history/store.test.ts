// The history store's writes (issue 8): the rows of one insert go in one transaction (a month's
// day facts written row by row took 0.30 s a night), so they are all written or none; and a store
// kept nightly is not compacted each night once old states are dropped (0.5-0.9 s and 50-100 MB a
// night): the next states take the pages given back, and only a large drop compacts the file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
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

describe('HistoryStore.save', () => {
  /** Run `run` of shop s, covering one November day, with a state of 200 KB that does not compress. */
  const night = (store: HistoryStore, run: number): void => {
    const day = `2026-11-${String(run).padStart(2, '0')}`;
    expect(store.addRun('2026-12-01T00:00:00Z', 'test', [], { first: day, last: day }, true, null)).toBe(run);
    store.addCoverage({ run, shop: 's', firstDay: day, lastDay: day, dataEnd: null }, randomBytes(200_000));
  };

  it('dropping the oldest state of eight frees an eighth of the file: not compacted, and the next state takes those pages', async () => {
    const file = path.join(dir, 'nightly.sqlite');
    const store = await HistoryStore.open(file);
    try {
      for (let run = 1; run <= 8; run++) night(store, run);
      store.save();
      const full = statSync(file).size;
      expect(full).toBeGreaterThan(8 * 200_000);
      store.pruneStates('s', 7);
      expect(store.freePageShare()).toBeGreaterThan(0.1);
      expect(store.freePageShare()).toBeLessThan(0.25);
      store.save();
      expect(statSync(file).size).toBe(full);
      night(store, 9);
      store.pruneStates('s', 8);
      store.save();
      // Within a few pages of the full store, not a state larger.
      expect(statSync(file).size).toBeLessThan(full + 100_000);
      expect(store.state(1, 's')).toBeNull();
      expect(store.state(9, 's')!.length).toBe(200_000);
    } finally {
      store.close();
    }
  });

  it('dropping most states compacts the file', async () => {
    const file = path.join(dir, 'drop.sqlite');
    const store = await HistoryStore.open(file);
    try {
      for (let run = 1; run <= 8; run++) night(store, run);
      store.save();
      const full = statSync(file).size;
      store.pruneStates('s', 2);
      store.save();
      expect(statSync(file).size).toBeLessThan(full / 3);
      expect(store.freePageShare()).toBe(0);
      expect(store.state(8, 's')!.length).toBe(200_000);
    } finally {
      store.close();
    }
  });
});

import { closeSync, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Database, SqlValue } from 'sql.js';
import { InputError } from '../errors.js';

/**
 * The history store (`--history FILE`): one SQLite file, no server. It holds, per shop, the
 * chain of runs that fed it (which days each covered, and the engine state at the end of those
 * days, so the next run continues open conversations), the presence and review rows (small: kept
 * whole), and, rewritten after every run, the day facts the reports are built from (counts per
 * day, metric and agent, online time, day statuses with their cycle notes, penalties) for anyone
 * who wants to query them with SQL.
 *
 * SQLite through sql.js (WebAssembly): nothing to compile at install, so `npm ci` works on any
 * machine Node runs on (better-sqlite3 builds from source here). The file is read whole and
 * written whole to a temporary file renamed over the old one: a run killed half way (cron
 * timeouts) leaves the previous store intact. A lock file keeps two runs from writing at once.
 */

export const STORE_FORMAT = 'cs-audit/history@1';

/** Free pages beyond this share of the file are given back when the store is saved. */
const COMPACT_WHEN_FREE = 0.25;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  cs_audit TEXT NOT NULL,
  inputs TEXT NOT NULL,
  first_day TEXT NOT NULL,
  last_day TEXT NOT NULL,
  -- 1: the run's input was the whole export of its days, for every shop (a shop without rows
  -- had a quiet day); 0: it spoke only for the shops it fed (--shop, --shop-folders)
  every_shop INTEGER NOT NULL,
  data_end INTEGER
);
CREATE TABLE IF NOT EXISTS coverage (
  run INTEGER NOT NULL REFERENCES runs(id),
  shop TEXT NOT NULL,
  first_day TEXT NOT NULL,
  last_day TEXT NOT NULL,
  data_end INTEGER,
  -- the engine state at the end of these days; NULL once older than the states kept
  state BLOB,
  PRIMARY KEY (run, shop)
);
CREATE TABLE IF NOT EXISTS presence (
  run INTEGER NOT NULL, shop TEXT NOT NULL, t INTEGER NOT NULL, seq INTEGER NOT NULL,
  agent TEXT NOT NULL, status TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
  run INTEGER NOT NULL, shop TEXT NOT NULL, t INTEGER NOT NULL, seq INTEGER NOT NULL,
  review_id TEXT NOT NULL, rating INTEGER NOT NULL, has_content INTEGER NOT NULL, content TEXT NOT NULL,
  reply_t INTEGER, agent TEXT, file TEXT NOT NULL, line INTEGER NOT NULL
);
-- a later export's reply to a review an earlier run recorded (kept apart, so replacing the later
-- run takes its reply back)
CREATE TABLE IF NOT EXISTS review_replies (
  run INTEGER NOT NULL, shop TEXT NOT NULL, review_id TEXT NOT NULL, reply_t INTEGER NOT NULL, agent TEXT
);
CREATE TABLE IF NOT EXISTS day_metrics (
  shop TEXT NOT NULL, metric TEXT NOT NULL, day TEXT NOT NULL, agent TEXT NOT NULL,
  eligible INTEGER, passed INTEGER, pending INTEGER, hours REAL,
  status TEXT, window_rate REAL, window_hours REAL, missing INTEGER NOT NULL, note TEXT,
  PRIMARY KEY (shop, metric, day, agent)
);
CREATE TABLE IF NOT EXISTS activity (
  shop TEXT NOT NULL, day TEXT NOT NULL, buyers INTEGER, buyer_messages INTEGER, shop_messages INTEGER,
  rounds INTEGER, seller_first_rounds INTEGER, sessions INTEGER, missing INTEGER NOT NULL,
  PRIMARY KEY (shop, day)
);
CREATE TABLE IF NOT EXISTS penalties (
  shop TEXT NOT NULL, date TEXT NOT NULL, metric TEXT NOT NULL, kind TEXT NOT NULL,
  amount_cny REAL NOT NULL, points REAL NOT NULL, days INTEGER, clause TEXT NOT NULL, reason TEXT NOT NULL
);
`;

export interface CoverageRow {
  run: number;
  shop: string;
  firstDay: string;
  lastDay: string;
  dataEnd: number | null;
}

export type Row = Record<string, SqlValue>;

export class HistoryStore {
  /** States were dropped: the file is compacted when saved. */
  private pruned = false;

  private constructor(
    readonly file: string,
    private readonly db: Database,
    private readonly lockFile: string,
  ) {}

  /** Open (or create) the store and take its lock; close() releases it. */
  static async open(file: string): Promise<HistoryStore> {
    const lockFile = `${file}.lock`;
    takeLock(lockFile, file);
    try {
      // Loaded here, not at start: only --history runs need SQLite.
      const { default: initSqlJs } = await import('sql.js');
      const SQL = await initSqlJs();
      let db: Database;
      if (existsSync(file)) {
        const bytes = readFileSync(file);
        try {
          db = new SQL.Database(bytes);
          db.exec('SELECT count(*) FROM sqlite_master');
        } catch (err) {
          throw new InputError(`--history ${file}: not a SQLite database (${(err as Error).message})`);
        }
        if (!tableExists(db, 'meta')) throw new InputError(`--history ${file}: a SQLite database, but not a cs-audit history store`);
        const format = scalar(db, "SELECT value FROM meta WHERE key = 'format'", []);
        if (format !== STORE_FORMAT) {
          throw new InputError(`--history ${file}: store format ${JSON.stringify(format)}, this cs-audit reads ${STORE_FORMAT}; rebuild it from the raw logs`);
        }
      } else {
        db = new SQL.Database();
        db.exec(SCHEMA);
        db.run('INSERT INTO meta (key, value) VALUES (?, ?)', ['format', STORE_FORMAT]);
      }
      return new HistoryStore(file, db, lockFile);
    } catch (err) {
      releaseLock(lockFile);
      throw err;
    }
  }

  meta(key: string): string | null {
    const v = scalar(this.db, 'SELECT value FROM meta WHERE key = ?', [key]);
    return v === null ? null : String(v);
  }

  setMeta(key: string, value: string): void {
    this.db.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', [key, value]);
  }

  coverage(): CoverageRow[] {
    return this.all('SELECT run, shop, first_day, last_day, data_end FROM coverage ORDER BY shop, first_day').map((r) => ({
      run: Number(r.run),
      shop: String(r.shop),
      firstDay: String(r.first_day),
      lastDay: String(r.last_day),
      dataEnd: r.data_end === null ? null : Number(r.data_end),
    }));
  }

  /** Days of the runs whose input spoke for every shop. */
  everyShopDays(): { firstDay: string; lastDay: string }[] {
    return this.all('SELECT first_day, last_day FROM runs WHERE every_shop = 1').map((r) => ({ firstDay: String(r.first_day), lastDay: String(r.last_day) }));
  }

  /** The engine state a run left for a shop; null when it is no longer kept. */
  state(run: number, shop: string): Uint8Array | null {
    const v = scalar(this.db, 'SELECT state FROM coverage WHERE run = ? AND shop = ?', [run, shop]);
    return v instanceof Uint8Array ? v : null;
  }

  /** Keep the engine states of a shop's latest `keep` runs only (each is a whole state: they add up). */
  pruneStates(shop: string, keep: number): void {
    this.db.run(
      'UPDATE coverage SET state = NULL WHERE shop = ? AND state IS NOT NULL AND run NOT IN (SELECT run FROM coverage WHERE shop = ? ORDER BY last_day DESC LIMIT ?)',
      [shop, shop, keep],
    );
    if (this.db.getRowsModified() > 0) this.pruned = true;
  }

  addRun(at: string, version: string, inputs: string[], days: { first: string; last: string }, everyShop: boolean, dataEnd: number | null): number {
    this.db.run('INSERT INTO runs (at, cs_audit, inputs, first_day, last_day, every_shop, data_end) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      at,
      version,
      JSON.stringify(inputs),
      days.first,
      days.last,
      everyShop ? 1 : 0,
      dataEnd,
    ]);
    return Number(scalar(this.db, 'SELECT last_insert_rowid()', []));
  }

  addCoverage(c: CoverageRow, state: Uint8Array): void {
    this.db.run('INSERT INTO coverage (run, shop, first_day, last_day, data_end, state) VALUES (?, ?, ?, ?, ?, ?)', [
      c.run,
      c.shop,
      c.firstDay,
      c.lastDay,
      c.dataEnd,
      state,
    ]);
  }

  /**
   * Forget what a run recorded for one shop (the days are being fed again). The run itself goes
   * once no shop's days remain in it, unless it spoke for every shop and the replacing run does
   * not (a --shop re-run): its days stay covered for the shops it did not name.
   */
  dropCoverage(run: number, shop: string, byEveryShopRun: boolean): void {
    for (const table of ['coverage', 'presence', 'reviews', 'review_replies']) this.db.run(`DELETE FROM ${table} WHERE run = ? AND shop = ?`, [run, shop]);
    this.db.run(`DELETE FROM runs WHERE id = ? AND id NOT IN (SELECT run FROM coverage)${byEveryShopRun ? '' : ' AND every_shop = 0'}`, [run]);
  }

  insert(table: 'presence' | 'reviews' | 'review_replies' | 'day_metrics' | 'activity' | 'penalties', rows: readonly Row[]): void {
    if (rows.length === 0) return;
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const statement = this.db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    // One transaction for the rows: alone, each row is one (a month's 3 425 day rows took 0.30 s,
    // in one 0.05 s). A savepoint, so that it nests in a transaction of the caller's.
    this.db.exec('SAVEPOINT insert_rows');
    try {
      for (const row of rows) statement.run(columns.map((c) => row[c] ?? null));
      this.db.exec('RELEASE insert_rows');
    } catch (err) {
      try {
        this.db.exec('ROLLBACK TO insert_rows; RELEASE insert_rows');
      } catch {
        // SQLite ended the transaction itself (out of memory, a full disk): the first error says why.
      }
      throw err;
    } finally {
      statement.free();
    }
  }

  /** Forget a shop's day facts of these days (they are about to be written again). */
  clearDays(shop: string, from: string, to: string): void {
    for (const [table, day] of [['day_metrics', 'day'], ['activity', 'day'], ['penalties', 'date']] as const) {
      this.db.run(`DELETE FROM ${table} WHERE shop = ? AND ${day} BETWEEN ? AND ?`, [shop, from, to]);
    }
  }

  run(sql: string, params: SqlValue[] = []): void {
    this.db.run(sql, params);
  }

  all(sql: string, params: SqlValue[] = []): Row[] {
    const statement = this.db.prepare(sql);
    const rows: Row[] = [];
    try {
      statement.bind(params);
      while (statement.step()) rows.push(statement.getAsObject());
    } finally {
      statement.free();
    }
    return rows;
  }

  /** Write the whole database next to the file, then rename it over: never half a store. */
  save(): void {
    // SQLite reuses the pages of dropped states for the next run's, so a store kept nightly stays
    // the same size without compacting; compacting every night once old states are dropped took
    // 0.5-0.9 s and 50-100 MB more (issue 8). Only when many pages are free (a large drop) is the
    // file compacted.
    if (this.pruned && this.freePageShare() > COMPACT_WHEN_FREE) this.db.exec('VACUUM');
    const bytes = this.db.export();
    const temporary = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeFileSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.file);
  }

  /** The share of the file's pages that hold nothing. */
  freePageShare(): number {
    const pages = Number(scalar(this.db, 'PRAGMA page_count', []));
    return pages === 0 ? 0 : Number(scalar(this.db, 'PRAGMA freelist_count', [])) / pages;
  }

  close(): void {
    this.db.close();
    releaseLock(this.lockFile);
  }
}

function scalar(db: Database, sql: string, params: SqlValue[]): SqlValue {
  try {
    const result = db.exec(sql, params);
    return result[0]?.values[0]?.[0] ?? null;
  } catch {
    return null;
  }
}

function tableExists(db: Database, name: string): boolean {
  return scalar(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name]) !== null;
}

/**
 * One writer at a time. A lock left by a run that no longer exists on this machine (killed by
 * cron) is taken over; a live one is an error naming it.
 */
function takeLock(lockFile: string, store: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, `${process.pid}@${hostname()}\n`);
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new InputError(`--history ${store}: cannot create the lock ${lockFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      }
    }
    const holder = readFileSync(lockFile, 'utf8').trim() || 'unknown: the lock file is empty';
    const [pid, host] = holder.split('@');
    if (host === hostname() && pid !== undefined && !alive(Number(pid))) {
      unlinkSync(lockFile);
      continue;
    }
    throw new InputError(`--history ${store}: another cs-audit run (${holder}) is using it; if that run is gone, remove ${lockFile}`);
  }
  throw new InputError(`--history ${store}: cannot take the lock ${lockFile}`);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(lockFile: string): void {
  try {
    unlinkSync(lockFile);
  } catch {
    // already gone
  }
}

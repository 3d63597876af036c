import { StrictError } from '../errors.js';
import type { BadRow, Origin } from '../model.js';
import type { FileStats } from './read-chat.js';
import { canonicalRecords, type LogKind, type ProfileOptions, type SourceInfo } from './profiles.js';
import type { InputSource } from './sources.js';

export interface LogInput<T> {
  items: T[];
  badRows: BadRow[];
  files: FileStats[];
}

/**
 * Read presence or review logs: small next to chat logs, so they are held in memory. Every row
 * becomes an item or a bad row with file and line.
 */
export async function readLog<T extends { shop: string }>(
  sources: readonly InputSource[],
  log: LogKind,
  normalize: (values: Record<string, unknown>, origin: Origin, seq: number) => T | string,
  options: { strict: boolean; profiles: ProfileOptions },
): Promise<LogInput<T>> {
  const out: LogInput<T> = { items: [], badRows: [], files: [] };
  let seq = 0;
  for (const source of sources) {
    const info: SourceInfo = { profile: null, layout: '', mapping: {} };
    const stats: FileStats = { file: source.name, encoding: source.encoding, profile: null, rows: 0, messages: 0, duplicates: 0, bad_rows: 0 };
    out.files.push(stats);
    for await (const item of canonicalRecords(source, log, options.profiles, info)) {
      stats.rows++;
      const result =
        'unreadable' in item ? item.unreadable : normalize(item.values, { file: source.name, line: item.line }, seq++);
      if (typeof result === 'string') {
        const bad = { file: source.name, line: item.line, reason: result };
        if (options.strict) throw new StrictError(`${bad.file}:${bad.line}: ${bad.reason} (--strict)`);
        out.badRows.push(bad);
        stats.bad_rows++;
      } else {
        stats.messages++;
        if (result.shop === '' && source.shop !== undefined) result.shop = source.shop;
        out.items.push(result);
      }
    }
    stats.profile = info.profile;
  }
  return out;
}

// Helpers shared by the sample generators: deterministic, no dependencies.
import { writeFileSync } from 'node:fs';

/** A small deterministic pseudo-random sequence (LCG), so samples never change by accident. */
export function random(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
}

export function clock(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h, m, s].map((x) => String(x).padStart(2, '0')).join(':');
}

/** "YYYY-MM-DD" plus `n` days. */
export function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

const cell = (v) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Write rows (objects) as CSV with the given columns. */
export function writeCsv(url, columns, rows) {
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))];
  writeFileSync(url, `${lines.join('\n')}\n`);
  return rows.length;
}

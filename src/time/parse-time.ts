import type { Zone } from './zone.js';

// FORMAT.md "Times": local date-times (with - or /, T or space, optional seconds and fraction),
// ISO 8601 with an offset or Z, epoch seconds (10 digits) or epoch milliseconds (13 digits).
const DATE_TIME =
  /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const EPOCH = /^\d{10}$|^\d{13}$/;
/** ISO 8601 basic format (20261102T090500Z), rewritten to the extended form. */
const BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?([.,]\d{1,9})?(Z|[+-]\d{2}(?:\d{2})?)?$/i;
const MIN_YEAR = 1970;
/** Excel serial date-times: days since 1899-12-30 with the time as a fraction (e.g. 46328.4375). */
const EXCEL_SERIAL = /^\d{5}(\.\d+)?$/;
const EXCEL_EPOCH_DAYS = 25_569; // 1899-12-30 → 1970-01-01

/** Parse one time value; returns epoch ms or a reason string. */
export function parseTime(raw: string, zone: Zone): number | string {
  const text = raw.trim();
  if (text === '') return 'empty time';
  if (EPOCH.test(text)) return text.length === 10 ? Number(text) * 1000 : Number(text);
  if (EXCEL_SERIAL.test(text)) {
    if (Number(text) < EXCEL_EPOCH_DAYS) return `unreadable time "${raw}" (as an Excel serial date it is before 1970)`;
    // Local wall-clock time; Excel stores it as a float, so round to the millisecond.
    return zone.fromLocal(Math.round((Number(text) - EXCEL_EPOCH_DAYS) * 86_400_000));
  }
  const basic = BASIC.exec(text);
  const extended = basic
    ? `${basic[1]}-${basic[2]}-${basic[3]}T${basic[4]}:${basic[5]}${basic[6] === undefined ? '' : `:${basic[6]}`}${basic[7] ?? ''}${basic[8] ?? ''}`
    : text;
  const m = DATE_TIME.exec(extended);
  if (!m) return `unreadable time "${raw}"`;
  const year = Number(m[1]);
  const month = Number(m[3]);
  const day = Number(m[4]);
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = m[7] === undefined ? 0 : Number(m[7]);
  const ms = m[8] === undefined ? 0 : Number(m[8].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return `unreadable time "${raw}"`;
  }
  // Date.UTC reads years 0-99 as 1900-1999; no chat log predates 1970.
  if (year < MIN_YEAR) return `unreadable time "${raw}" (year before ${MIN_YEAR})`;
  const naive = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(naive).getUTCDate() !== day) return `unreadable time "${raw}" (no such date)`;
  const offset = m[9];
  if (offset === undefined) return zone.fromLocal(naive);
  if (offset.toUpperCase() === 'Z') return naive;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (oh > 14 || om > 59) return `unreadable time "${raw}" (bad offset)`;
  return naive - sign * (oh * 60 + om) * 60_000;
}

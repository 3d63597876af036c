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
  // Nearly every row of a large export is "YYYY-MM-DD HH:mm:ss": read it without a regex.
  if (raw.length === 19) {
    const naive = plainLocal(raw);
    if (naive >= 0) return zone.fromLocal(naive);
  }
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

const ZERO = 48;

/** Digits at [from, from + n) as a number, or -1 when one is not a digit. */
function digits(s: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * "YYYY-MM-DD HH:mm:ss" (or with T) as naive UTC milliseconds, when it is exactly that and a
 * real date and time from 1970 on; -1 otherwise, for the general parser to read or reject.
 */
function plainLocal(s: string): number {
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return -1;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return -1;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  // Rows come a day at a time: the day's start is worked out once.
  const date = (year * 100 + month) * 100 + day;
  if (date !== lastDate) {
    lastDate = date;
    lastDateMs = Date.UTC(year, month - 1, day);
  }
  return lastDateMs + ((hour * 60 + minute) * 60 + second) * 1000;
}

let lastDate = -1;
let lastDateMs = 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

import type { PresenceEvent } from '../normalize/presence-row.js';
import { MS_PER_DAY, type Zone } from '../time/zone.js';

export type Interval = readonly [number, number];

/**
 * FORMAT.md presence: an account is online from an `online` row until its next `offline` or
 * `away` row; an account whose last row is `online` stays online until `end`. The shop is online
 * while at least one account is: the union of the accounts' intervals, merged and sorted.
 */
export function onlineIntervals(events: readonly PresenceEvent[], end: number): Interval[] {
  const sorted = [...events].sort((a, b) => a.t - b.t || a.seq - b.seq);
  const since = new Map<string, number>();
  const intervals: [number, number][] = [];
  for (const e of sorted) {
    const start = since.get(e.agent);
    if (e.status === 'online') {
      if (start === undefined) since.set(e.agent, e.t);
    } else if (start !== undefined) {
      if (e.t > start) intervals.push([start, e.t]);
      since.delete(e.agent);
    }
  }
  for (const start of since.values()) if (end > start) intervals.push([start, end]);
  intervals.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of intervals) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/**
 * Milliseconds online on each local day from `fromDay` to `toDay`, within the daily window
 * [windowFrom, windowTo) given as milliseconds after local midnight (wall clock; 24:00 allowed).
 */
export function onlineMsPerDay(
  intervals: readonly Interval[],
  zone: Zone,
  fromDay: number,
  toDay: number,
  windowFrom: number,
  windowTo: number,
): Map<number, number> {
  const out = new Map<number, number>();
  let i = 0;
  for (let day = fromDay; day <= toDay; day++) {
    const ws = zone.fromLocal(day * MS_PER_DAY + windowFrom);
    const we = zone.fromLocal(day * MS_PER_DAY + windowTo);
    while (i < intervals.length && intervals[i]![1] <= ws) i++;
    let ms = 0;
    for (let k = i; k < intervals.length && intervals[k]![0] < we; k++) {
      const [s, e] = intervals[k]!;
      ms += Math.max(0, Math.min(e, we) - Math.max(s, ws));
    }
    out.set(day, ms);
  }
  return out;
}

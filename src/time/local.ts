import type { Zone } from './zone.js';

/** "YYYY-MM-DD HH:mm:ss" (with ".SSS" when not whole seconds) on the zone's wall clock. */
export function localTime(t: number, zone: Zone): string {
  const iso = new Date(t + zone.offsetAt(t)).toISOString();
  return t % 1000 === 0 ? iso.slice(0, 19).replace('T', ' ') : iso.slice(0, 23).replace('T', ' ');
}

import { DateTime, IANAZone } from 'luxon';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Wall-clock arithmetic in one IANA zone. Offsets come from luxon; they are cached per UTC
 * hour (and per local hour for the reverse), but only where the offset is the same at both
 * ends of the hour, so a transition inside an hour is still computed exactly.
 */
export class Zone {
  readonly name: string;
  private readonly zone: IANAZone;
  private readonly utcHourOffset = new Map<number, number>();
  private readonly localHourOffset = new Map<number, number>();
  // The last hour looked up, each way: messages come in time order, and every one asks for its
  // day (a map look-up per message was 5 % of the engine's time on 1 M messages).
  private lastUtcHour = Number.NaN;
  private lastUtcOffset = 0;
  private lastLocalHour = Number.NaN;
  private lastLocalOffset = 0;

  constructor(name: string) {
    if (!IANAZone.isValidZone(name)) throw new Error(`unknown time zone "${name}"`);
    this.name = name;
    this.zone = IANAZone.create(name);
  }

  static isValid(name: string): boolean {
    return IANAZone.isValidZone(name);
  }

  /** Offset from UTC in milliseconds at instant t. */
  offsetAt(t: number): number {
    const hour = Math.floor(t / HOUR);
    if (hour === this.lastUtcHour) return this.lastUtcOffset;
    const cached = this.utcHourOffset.get(hour);
    if (cached !== undefined) {
      this.lastUtcHour = hour;
      return (this.lastUtcOffset = cached);
    }
    const a = this.zone.offset(hour * HOUR) * 60_000;
    const b = this.zone.offset(hour * HOUR + HOUR - 1) * 60_000;
    if (a === b) {
      this.utcHourOffset.set(hour, a);
      this.lastUtcHour = hour;
      return (this.lastUtcOffset = a);
    }
    return this.zone.offset(t) * 60_000;
  }

  /** Local day number (days since 1970-01-01 on the local calendar). */
  dayOf(t: number): number {
    return Math.floor((t + this.offsetAt(t)) / DAY);
  }

  /** Milliseconds since local midnight (wall clock). */
  timeOfDayMs(t: number): number {
    const local = t + this.offsetAt(t);
    return local - Math.floor(local / DAY) * DAY;
  }

  /**
   * Epoch ms of a local wall-clock time given as "naive UTC" milliseconds (Date.UTC of the
   * local fields). Times in a DST gap or overlap resolve as luxon does.
   */
  fromLocal(naive: number): number {
    const hour = Math.floor(naive / HOUR);
    if (hour === this.lastLocalHour) return naive - this.lastLocalOffset;
    const cached = this.localHourOffset.get(hour);
    if (cached !== undefined) {
      this.lastLocalHour = hour;
      this.lastLocalOffset = cached;
      return naive - cached;
    }
    const offsetFor = (n: number): number => {
      const d = new Date(n);
      const dt = DateTime.fromObject(
        {
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          hour: d.getUTCHours(),
          minute: d.getUTCMinutes(),
          second: d.getUTCSeconds(),
          millisecond: d.getUTCMilliseconds(),
        },
        { zone: this.zone },
      );
      return n - dt.toMillis();
    };
    const a = offsetFor(hour * HOUR);
    const b = offsetFor(hour * HOUR + HOUR - 1);
    if (a === b) {
      this.localHourOffset.set(hour, a);
      this.lastLocalHour = hour;
      this.lastLocalOffset = a;
      return naive - a;
    }
    return naive - offsetFor(naive);
  }

  /** Epoch ms of local midnight starting the given local day. */
  startOfDay(day: number): number {
    return this.fromLocal(day * DAY);
  }
}

/** "YYYY-MM-DD" of a local day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local day number of "YYYY-MM-DD", or null when it is not a real date. */
export function isoToDay(iso: string): number | null {
  const m = ISO_DATE.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY;
}

/** Clocks read so far: a pack's few window bounds are read for every round. */
const CLOCKS = new Map<string, number | null>();

/** "HH:mm" or "HH:mm:ss" (24:00 allowed) → milliseconds since midnight, or null. */
export function clockToMs(clock: string): number | null {
  let ms = CLOCKS.get(clock);
  if (ms === undefined) {
    ms = readClock(clock);
    if (CLOCKS.size < 1024) CLOCKS.set(clock, ms);
  }
  return ms;
}

function readClock(clock: string): number | null {
  const m = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(clock);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (mi > 59 || s > 59 || h > 24 || (h === 24 && (mi > 0 || s > 0))) return null;
  return ((h * 60 + mi) * 60 + s) * 1000;
}

export const MS_PER_DAY = DAY;

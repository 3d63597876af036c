import type { Target } from '../rules/pack-types.js';

/** Counts of one ratio metric over some span (a day, an agent, a window). */
export interface Tally {
  eligible: number;
  passed: number;
  pending: number;
}

export function emptyTally(): Tally {
  return { eligible: 0, passed: 0, pending: 0 };
}

export function addInto(into: Tally, from: Tally): void {
  into.eligible += from.eligible;
  into.passed += from.passed;
  into.pending += from.pending;
}

/** passed / eligible rounded to 4 decimals for the report; null when nothing is eligible. */
export function rate(t: Tally): number | null {
  return t.eligible === 0 ? null : Math.round((t.passed / t.eligible) * 10_000) / 10_000;
}

/**
 * Whether passed/eligible meets the target, compared exactly on integers (targets are given
 * to at most 6 decimals), never on a rounded rate.
 */
export function meetsTarget(t: Tally, target: Target): boolean {
  const scale = 1_000_000;
  const lhs = t.passed * scale;
  const rhs = Math.round(target.value * scale) * t.eligible;
  return compare(target.op, lhs, rhs);
}

/** `lhs op rhs` for a target's comparison. */
export function compare(op: Target['op'], lhs: number, rhs: number): boolean {
  switch (op) {
    case '>=':
      return lhs >= rhs;
    case '>':
      return lhs > rhs;
    case '<=':
      return lhs <= rhs;
    case '<':
      return lhs < rhs;
  }
}

export type Status = 'pass' | 'fail' | 'n/a';

/** Judged against the target, not assessed below the minimum volume. */
export function judge(t: Tally, target: Target, minVolume: number): Status {
  if (t.eligible === 0 || t.eligible < minVolume) return 'n/a';
  return meetsTarget(t, target) ? 'pass' : 'fail';
}

/** A map of tallies keyed by anything, created on first touch. */
export class TallyMap<K> {
  private readonly map = new Map<K, Tally>();

  get(key: K): Tally {
    let t = this.map.get(key);
    if (!t) this.map.set(key, (t = emptyTally()));
    return t;
  }

  peek(key: K): Tally | undefined {
    return this.map.get(key);
  }

  entries(): IterableIterator<[K, Tally]> {
    return this.map.entries();
  }

  /** A copy of every tally, for a saved engine state (src/history). */
  toMap(): Map<K, Tally> {
    return new Map([...this.map].map(([k, t]) => [k, { ...t }]));
  }

  /** Replace the tallies with saved ones. */
  load(saved: ReadonlyMap<K, Tally>): void {
    this.map.clear();
    for (const [k, t] of saved) this.map.set(k, { ...t });
  }
}

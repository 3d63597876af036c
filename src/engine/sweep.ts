/**
 * When to look at everything a map keeps for what can be let go (issue 8: memory follows what is
 * open): once a local day at most, and only when the map holds half as many again as the last
 * look left (and at least 1024), so a look at every entry is paid for by the entries added since.
 * Plain data: it is saved with the state that holds it (src/history).
 */
export interface SweepMark {
  day: number;
  left: number;
}

export function sweepMark(): SweepMark {
  return { day: Number.NaN, left: 0 };
}

export function sweepDue(mark: SweepMark, day: number, size: number): boolean {
  return day !== mark.day && size >= Math.max(1024, mark.left * 1.5);
}

/** The look on `day` left `size` entries. */
export function swept(mark: SweepMark, day: number, size: number): void {
  mark.day = day;
  mark.left = size;
}


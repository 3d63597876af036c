// RULES.md §1, the two timing clauses every response metric shares, written once.

/** Whole seconds from a message to its reply: the floor of the difference (RULES.md §1). */
export function wholeSeconds(from: number, to: number): number {
  return Math.floor((to - from) / 1000);
}

/**
 * RULES.md §1 Pending: an unanswered item is pending while its deadline lies after the end of
 * the data; a deadline equal to the end has already passed, so the item has failed.
 */
export function isPending(deadline: number, dataEnd: number): boolean {
  return deadline > dataEnd;
}

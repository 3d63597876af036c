import type { KeyFigure } from '../summary.js';

// Numbers as the people-facing formats (table, markdown, html) write them. Formats only.

/** A target's comparison as people read it: ≥, ≤, >, <. */
export function opSymbol(op: string): string {
  return op === '>=' ? '≥' : op === '<=' ? '≤' : op;
}

/** A rate as a percentage with two decimals; – when nothing was assessed. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${(rate * 100).toFixed(2)}%`;
}

/** A portfolio cell's parts: the headline figure, and the target it is held against. */
export function keyFigureText(f: KeyFigure): { value: string; target: string } {
  const hours = f.unit === 'hours';
  const value = hours ? (f.value === null ? '–' : `${f.value.toFixed(2)} h`) : percent(f.value);
  return { value, target: `${opSymbol(f.target.op)} ${hours ? `${f.target.value} h` : percent(f.target.value)}` };
}

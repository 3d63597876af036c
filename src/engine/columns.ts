/**
 * Issue 8: per-buyer and per-card state is kept in columns, typed arrays indexed by a number given
 * once, not an object each (see Segmenter). A column grows by doubling, copying what it held.
 */
export function withRoom<T extends Float64Array | Int32Array | Uint8Array>(column: T, length: number): T {
  if (length <= column.length) return column;
  const grown = new (column.constructor as new (length: number) => T)(Math.max(length, column.length * 2));
  grown.set(column);
  return grown;
}

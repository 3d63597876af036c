import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS dependency loaded the first time it is used, not when cs-audit starts (issue 8):
 * the charset detector, the GBK decoder and the zip reader are needed by few runs, and each
 * loaded costs every run about 5 MB of memory, in each thread that imports the reader.
 */
export function loadOnUse<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

// Issue 8: the CLI loads the charset detector, the GBK decoder, the zip reader, SQLite and the
// progress bar only when a run needs them: each costs every run memory and start-up time, in
// each thread that imports the reader. A static import of one of them would undo that silently.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const LAZY = ['iconv-lite', 'jschardet', 'yauzl', 'cli-progress', 'sql.js'];

/** The packages under node_modules that importing these built modules loads (run in a fresh node). */
function loadedBy(modules: string[]): string[] {
  const script = `
    const { createRequire } = await import('node:module');
    for (const m of ${JSON.stringify(modules)}) await import(m);
    const require = createRequire(import.meta.url);
    const loaded = new Set(Object.keys(require.cache).map((f) => /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(f)?.[1]).filter(Boolean));
    console.log(JSON.stringify([...loaded]));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('dependencies loaded on first use', () => {
  it('importing the CLI and the reading threads loads none of them', () => {
    const built = (f: string) => path.resolve('dist', f);
    const loaded = loadedBy([built('cli.js'), built('ingest/read-chat.js'), built('ingest/sources.js'), built('ingest/encoding.js'), built('history/store.js')].map((f) => pathToFileURL(f).href));
    // The check sees CommonJS packages: commander is one, and the CLI needs it at once.
    expect(loaded).toContain('commander');
    for (const name of LAZY) expect(loaded).not.toContain(name);
  });
});

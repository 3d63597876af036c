#!/usr/bin/env node
// Thin launcher: hand argv and streams to main(), turn its result into the exit code.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

// V8 lets the old generation grow to about 4× what its last full collection kept; 15 % keeps
// cs-audit's peak memory on months of logs near what it holds, at no measured cost in time (40 %
// took 15 MB more on 5 M messages; below 15 % nothing changes, bench/README.md). The flag given
// to node itself (node --heap-growing-percent=N bin/cs-audit.js) wins.
if (!process.execArgv.some((a) => a.includes('heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=15');
}
// On two cores the engine and its reading thread keep both busy, and a young-generation collection
// shared out to helper threads waits for the core the other thread holds: one thread per
// collection was 4–7 % faster on 1 M, 5 M and 20 M messages, at the same peak (bench/README.md).
// With more cores the helpers have cores of their own, and V8's default stays.
if (availableParallelism() <= 2 && !process.execArgv.some((a) => a.includes('parallel-scavenge'))) {
  setFlagsFromString('--no-parallel-scavenge');
}
const { main } = await import('../dist/cli.js');

// A reader that stops early (cs-audit run … | head) closes the pipe: the rest is not wanted,
// and that is no error to report with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

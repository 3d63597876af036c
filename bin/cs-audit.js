#!/usr/bin/env node
// Thin launcher: hand argv and streams to main(), turn its result into the exit code.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

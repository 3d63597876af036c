#!/usr/bin/env node
// Regenerate every sample and its expected report (npm run samples). Review the diff: the
// expected reports are checked by test/cli/samples.test.ts against the hand-worked numbers in
// each samples/<platform>/README.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('samples/manifest.json', root), 'utf8'));
for (const { platform, args, expected } of manifest) {
  execFileSync(process.execPath, [`samples/${platform}/generate.mjs`], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, ['bin/cs-audit.js', 'run', '--platform', platform, '--format', 'json', '--out', expected, ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  process.stdout.write(`${platform}: ${expected}\n`);
}

// Issue 6: the README's cron recipe works as written. The crontab line and the rebuild loop are
// read from README.md and run by /bin/sh as cron would, with the paths moved into a temporary
// directory and `date -d yesterday` answering the night being simulated.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'cs-audit-cron-'));
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function between(begin: string, end: string): string {
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  expect(from, `README.md has ${begin}`).toBeGreaterThan(0);
  return readme
    .slice(from + begin.length, to)
    .split('\n')
    .filter((l) => !l.trim().startsWith('```'))
    .map((l) => l.replace(/^ {2}/, ''))
    .join('\n')
    .trim();
}

/** The README's paths, moved under the temporary directory (the clone stands in for /opt/cs-audit). */
function relocate(command: string): string {
  return command
    .replaceAll('/opt/cs-audit', ROOT)
    .replaceAll('/var/lib/cs-audit', path.join(tmp, 'var-lib'))
    .replaceAll('/var/log/cs-audit', path.join(tmp, 'log'))
    .replaceAll('/srv/exports', path.join(tmp, 'exports'));
}

// A `date` that answers `date -d yesterday +%F` with the simulated night, anything else as date does.
const bin = path.join(tmp, 'bin');
mkdirSync(bin);
writeFileSync(path.join(bin, 'date'), '#!/bin/sh\nif [ "$1" = "-d" ] && [ "$2" = "yesterday" ]; then echo "$FAKE_YESTERDAY"; else exec /bin/date "$@"; fi\n');
chmodSync(path.join(bin, 'date'), 0o755);

function sh(command: string, yesterday: string): { status: number; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', command], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_YESTERDAY: yesterday },
    encoding: 'utf8',
  });
  return { status: r.status ?? -1, stderr: r.stderr };
}

function exportNight(day: string): void {
  const dir = path.join(tmp, 'exports', 'tmall', day);
  mkdirSync(dir, { recursive: true });
  const rows = [
    `${day} 10:00:00,云朵家居旗舰店,b1,buyer,云朵家居旗舰店:amy,在吗`,
    `${day} 10:01:00,云朵家居旗舰店,b1,agent,云朵家居旗舰店:amy,在的`,
    `${day} 22:58:00,星河数码专营店,b2,buyer,星河数码专营店:bob,发货了吗`,
  ];
  writeFileSync(path.join(dir, 'chat.csv'), `time,shop,buyer,sender,agent,content\n${rows.join('\n')}\n`);
}

describe('README cron recipe', () => {
  it('runs night by night as written; a missing export is a gap reported as missing data; the rebuild loop fills it', () => {
    const line = between('<!-- cron:begin -->', '<!-- cron:end -->');
    const fields = line.split(/\s+/);
    expect(fields.slice(0, 5)).toEqual(['30', '6', '*', '*', '*']);
    // cron passes the rest to /bin/sh, with \% standing for %.
    const command = relocate(line.replace(/^(\S+\s+){5}/, '').replaceAll('\\%', '%'));
    mkdirSync(path.join(tmp, 'var-lib', 'reports'), { recursive: true });
    mkdirSync(path.join(tmp, 'log'), { recursive: true });

    exportNight('2026-11-02');
    exportNight('2026-11-04'); // the export of 11-03 never arrived
    expect(sh(command, '2026-11-02').status).toBe(0);
    const first = JSON.parse(readFileSync(path.join(tmp, 'var-lib', 'reports', 'tmall-2026-11-02.json'), 'utf8')) as Report;
    // b2 asked at 22:58, the last row of the night: its 180 s run past the end of the data.
    expect(first.shops[1]!.metrics[0]!.days[0]).toMatchObject({ eligible: 0, pending: 1 });
    expect(sh(command, '2026-11-03').status).toBe(2);
    expect(readFileSync(path.join(tmp, 'log', 'tmall.log'), 'utf8')).toContain('2026-11-03: no such file');
    expect(sh(command, '2026-11-04').status).toBe(0);

    const reports = path.join(tmp, 'var-lib', 'reports');
    expect(existsSync(path.join(reports, 'tmall-2026-11-03.json'))).toBe(false);
    const r = JSON.parse(readFileSync(path.join(reports, 'tmall-2026-11-04.json'), 'utf8')) as Report;
    expect(r.period).toEqual({ from: '2026-11-04', to: '2026-11-04' });
    expect(r.shops.map((s) => s.shop)).toEqual(['云朵家居旗舰店', '星河数码专营店']);
    expect(r.history!.shops.map((s) => s.missing_days)).toEqual([['2026-11-03'], ['2026-11-03']]);
    // b2's 22:58 question of 11-02 was still open when that night's export ended, and the
    // export of 11-03 is missing: it stays pending (its answer would be in that export), as does
    // 11-04's own 22:58 question.
    const bob = r.shops.find((s) => s.shop === '星河数码专营店')!;
    expect(bob.metrics[0]!.days.at(-1)!.window).toMatchObject({ eligible: 0, passed: 0, pending: 2, missing_days: 1 });

    // The export of 11-03 turns up: rebuild the store from the raw logs, as the README says.
    exportNight('2026-11-03');
    const rebuild = relocate(between('<!-- rebuild:begin -->', '<!-- rebuild:end -->'));
    const done = sh(rebuild, '2026-11-04');
    expect(done.stderr).toBe('');
    expect(existsSync(path.join(tmp, 'var-lib', 'tmall.sqlite.old'))).toBe(true);
    expect(sh(command, '2026-11-04').status).toBe(0);
    const after = JSON.parse(readFileSync(path.join(reports, 'tmall-2026-11-04.json'), 'utf8')) as Report;
    expect(after.history!.shops.map((s) => s.missing_days)).toEqual([[], []]);
    // With 11-03 known, b2's questions of 11-02 and 11-03 went unanswered: failed; 11-04's pending.
    const bobAfter = after.shops.find((s) => s.shop === '星河数码专营店')!;
    expect(bobAfter.metrics[0]!.days.at(-1)!.window).toMatchObject({ eligible: 2, passed: 0, pending: 1 });
  });
});

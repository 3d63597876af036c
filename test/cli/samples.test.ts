// End to end: the real CLI on every sample (samples/manifest.json) gives its expected report, and
// that report carries the numbers worked out by hand in samples/<platform>/README.md.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AmountMetricReport, RatioMetricReport, Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'samples/manifest.json'), 'utf8')) as {
  name?: string;
  platform: string;
  args: string[];
  expected: string;
}[];
/** A sample's name in the manifest: its own, or its platform's. */
const names = manifest.map((m) => m.name ?? m.platform);
const entryOf = (name: string) => manifest.find((m) => (m.name ?? m.platform) === name)!;

function runSample(name: string): Report {
  const entry = entryOf(name);
  const r = spawnSync(process.execPath, ['bin/cs-audit.js', 'run', '--platform', entry.platform, '--format', 'json', ...entry.args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}
const ratio = (r: Report, id: string) => r.metrics.find((m) => m.id === id) as RatioMetricReport;
const amount = (r: Report, id: string) => r.metrics.find((m) => m.id === id) as AmountMetricReport;
const daysOf = (m: RatioMetricReport) => m.days.map((d) => [d.eligible, d.passed, d.status]);
const fines = (r: Report) => r.penalties.map((p) => `${p.date} ${p.metric} ${p.kind}${p.amount_cny ? ` ${p.amount_cny}` : ''}${p.days ? ` ${p.days}d` : ''}`);

describe('every sample gives its expected report', () => {
  it.each(names)('%s', (name) => {
    const entry = entryOf(name);
    const actual = runSample(name) as unknown as Record<string, unknown>;
    const expected = JSON.parse(readFileSync(path.join(ROOT, entry.expected), 'utf8')) as Record<string, unknown>;
    delete actual.generator;
    delete expected.generator;
    expect(actual).toEqual(expected);
  });

  it.each(names)('%s: every row is used, excluded by reason, or a bad row', (name) => {
    for (const f of runSample(name).input.files) {
      const excluded = Object.values(f.excluded ?? {}).reduce((a, b) => a + b, 0);
      expect(f.rows, f.file).toBe((f.used ?? 0) + excluded + f.bad_rows);
      expect(f.rows).toBeGreaterThan(0);
    }
  });
});

describe('the samples carry their hand-worked numbers', () => {
  it('pinduoduo: 82/123 pass, 50/110 fail → 1000 CNY, 40/60 not assessed', () => {
    const r = runSample('pinduoduo');
    expect(daysOf(ratio(r, 'effective_reply_1h'))).toEqual([
      [123, 82, 'pass'],
      [110, 50, 'fail'],
      [60, 40, 'n/a'],
    ]);
    expect(fines(r)).toEqual(['2026-11-03 effective_reply_1h fine 1000']);
  });

  it('taojiji: online 13.5/11/11.5/11/12 h, reply rate 66/71 58/70 63/70 60/70 70/70, 5-minute 271/351 → 500 CNY', () => {
    const r = runSample('taojiji');
    expect(amount(r, 'online_hours').days.map((d) => d.value)).toEqual([13.5, 11, 11.5, 11, 12]);
    expect(amount(r, 'online_hours').total.value).toBe(11.8);
    expect(daysOf(ratio(r, 'reply_rate')).map(([e, p]) => `${p}/${e}`)).toEqual(['66/71', '58/70', '63/70', '60/70', '70/70']);
    expect(ratio(r, 'effective_reply_5min').total).toMatchObject({ eligible: 351, passed: 271 });
    expect(fines(r)).toEqual([
      '2026-11-03 online_hours warning',
      '2026-11-03 reply_rate warning',
      '2026-11-04 online_hours warning',
      '2026-11-05 online_hours warning',
      '2026-11-05 online_hours fine 1000',
      '2026-11-06 effective_reply_5min fine 500',
    ]);
  });

  it('xiaohongshu: 11-08 125/140 pass, 11-09 115/140 pass, 11-10 107/140 fail → 3-day course; dissatisfaction fails from 11-11', () => {
    const r = runSample('xiaohongshu');
    const m = ratio(r, 'response_3min');
    expect(m.days.slice(7).map((d) => [d.window?.passed, d.status])).toEqual([
      [125, 'pass'],
      [115, 'pass'],
      [107, 'fail'],
      [99, 'n/a'],
      [96, 'n/a'],
    ]);
    expect(fines(r)).toEqual(['2026-11-10 response_3min restriction 3d']);
    expect(ratio(r, 'dissatisfaction').days.map((d) => d.status).slice(9)).toEqual(['pass', 'fail', 'fail']);
  });

  it('suning: December averages 8.5 h (fail), January 9 h (pass); robot take-over on 12-29; 45-second rate 10/12 a day', () => {
    const r = runSample('suning');
    const online = amount(r, 'online_hours');
    expect(online.days.find((d) => d.date === '2023-12-31')!.window!.value).toBe(8.5);
    expect(online.days.find((d) => d.date === '2024-01-05')!.window!.value).toBe(9);
    expect(fines(r)).toEqual(['2023-12-29 online_hours restriction']);
    expect(ratio(r, 'first_response_45s').days.find((d) => d.date === '2024-01-02')).toMatchObject({ eligible: 13, passed: 11 });
    expect(r.rules.versions.map((v) => v.version)).toEqual(['2023-12-21']);
  });

  it('kuaishou: 35 negative reviews with content, one late (11-04) and one never answered (11-06) → 2 warnings', () => {
    const r = runSample('kuaishou');
    expect(ratio(r, 'negative_review_reply_24h').total).toMatchObject({ eligible: 35, passed: 33 });
    expect(fines(r)).toEqual(['2026-11-04 negative_review_reply_24h warning', '2026-11-06 negative_review_reply_24h warning']);
  });
});

describe('samples/conduct: one finding per detector, penalties as samples/conduct/README.md works them out', () => {
  it('every detector finds something in the sample, quoting the matched text; the innocent row finds nothing', () => {
    const r = runSample('conduct-pinduoduo');
    const found = new Set(r.findings!.map((f) => f.detector));
    expect([...found].sort()).toEqual(
      ['abusive_language', 'bank_card', 'credential_request', 'email_address', 'impatience', 'late_night_contact', 'off_platform_link', 'payment_account', 'phone_number', 'qr_code', 'threat', 'unanswered_messages', 'wechat_qq'].sort(),
    );
    expect(r.findings!.find((f) => f.detector === 'bank_card')!.matched).toBe('6222021234567890128');
    expect(r.findings!.filter((f) => f.origin?.line === 28)).toEqual([]);
  });

  it('pinduoduo: 3-day restrictions for the insult and the unanswered run, 7 days for the threat and the second night contact', () => {
    expect(fines(runSample('conduct-pinduoduo')).filter((p) => p.includes('conduct'))).toEqual([
      '2026-11-02 conduct restriction 3d',
      '2026-11-02 conduct restriction 7d',
      '2026-11-02 conduct restriction 3d',
      '2026-11-03 conduct restriction 7d',
    ]);
  });

  it('xiaohongshu: 10 points per impatient reply (2), 25 each for the insult, the threat, the code request, the unanswered run and the second night contact: 145 points', () => {
    const r = runSample('conduct-xiaohongshu');
    const conduct = r.penalties.filter((p) => p.metric === 'conduct');
    expect(conduct.map((p) => [p.detector, p.points])).toEqual([
      ['impatience', 10],
      ['abusive_language', 25],
      ['impatience', 10],
      ['threat', 25],
      ['credential_request', 25],
      ['unanswered_messages', 25],
      ['late_night_contact', 25],
    ]);
    expect(conduct.reduce((n, p) => n + p.points, 0)).toBe(145);
    // General and serious points are separate ledgers on Xiaohongshu.
    expect(r.totals.points_by_ledger).toEqual({ general: 20, serious: 125 });
  });
});

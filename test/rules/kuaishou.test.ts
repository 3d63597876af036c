// RULES.md §7 Kuaishou negative_review_reply_24h (seed 001, 快手小店评价管理规则 第三章 3). Hand-worked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles, counts, day, metric } from '../helpers/audit.js';

const M = 'negative_review_reply_24h';
const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-ks-'));
let n = 0;
function reviews(csv: string): string {
  const p = path.join(dir, `${n++}.csv`);
  writeFileSync(p, csv);
  return p;
}
const run = (csv: string) => auditFiles([], { platform: 'kuaishou', reviews: [reviews(csv)] });

describe('RULES.md §7 negative reviews with content need a written reply within 24 h', () => {
  it('1-2 stars with content count; 3-5 stars and reviews without content do not; exactly 24 h passes, 24 h + 1 s fails', async () => {
    const r = await run(
      [
        'time,review_id,rating,content,has_content,reply_time',
        '2026-11-02 10:00:00,r1,1,质量差,,2026-11-03 10:00:00',
        '2026-11-02 10:00:00,r2,2,不好,,2026-11-03 10:00:01',
        '2026-11-02 11:00:00,r3,1,,,',
        '2026-11-02 11:00:00,r4,2,,1,2026-11-02 12:00:00',
        '2026-11-02 12:00:00,r5,3,一般,,',
        '2026-11-02 12:00:00,r6,5,很好,,',
        '2026-11-05 12:00:00,r7,5,很好,,',
      ].join('\n'),
    );
    // r1 passed (86400 s), r2 failed (86401 s), r4 (picture only, has_content=1) passed.
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 3, passed: 2, pending: 0 });
    expect(day(r, M, '2026-11-02').excluded).toEqual({ no_content: 1, rating_3: 1, rating_5: 1 });
    expect(day(r, M, '2026-11-02').status).toBe('fail');
  });

  it('each review not replied in time is one warning dated on the review’s day', async () => {
    const r = await run(
      [
        'time,review_id,rating,content,reply_time',
        '2026-11-02 10:00:00,r1,1,差,',
        '2026-11-02 11:00:00,r2,2,差,2026-11-04 11:00:00',
        '2026-11-03 10:00:00,r3,1,差,2026-11-03 11:00:00',
        '2026-11-06 10:00:00,r9,5,好,',
      ].join('\n'),
    );
    expect(r.penalties.map((p) => [p.date, p.kind])).toEqual([
      ['2026-11-02', 'warning'],
      ['2026-11-02', 'warning'],
    ]);
    expect(r.penalties[0]!.reason).toContain('review r1 (1★) not replied within 86400 s');
    expect(day(r, M, '2026-11-03').status).toBe('pass');
    expect(metric(r, M).agents).toMatchObject([{ agent: '(unassigned)', eligible: 3, passed: 1 }]);
  });

  it('an unreplied review whose 24 h run past the end of the data is pending; a repeated review id counts once', async () => {
    const r = await run(
      [
        'time,review_id,rating,content,reply_time',
        '2026-11-02 10:00:00,r1,1,差,',
        '2026-11-02 10:00:00,r1,1,差,',
        '2026-11-02 20:00:00,r2,5,好,',
      ].join('\n'),
    );
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 1 });
    expect(r.input).toMatchObject({ rows: 3, messages: 2, duplicates: 1 });
    expect(r.penalties).toEqual([]);
  });

  it('a review exported again after its reply (a later snapshot) is one review with the earliest reply time', async () => {
    // r1 (1★, 10:00) shows no reply in the first export and a reply at 20:00 in the next one:
    // replied after 10 h, within 24 h, so passed; the repeat is counted as a duplicate.
    const r = await run(
      [
        'time,review_id,rating,content,reply_time',
        '2026-11-02 10:00:00,r1,1,差,',
        '2026-11-03 09:00:00,r2,5,好,',
        '2026-11-02 10:00:00,r1,1,差,2026-11-02 20:00:00',
      ].join('\n'),
    );
    expect(counts(r, M, '2026-11-02')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(r.input).toMatchObject({ rows: 3, messages: 2, duplicates: 1 });
  });
});

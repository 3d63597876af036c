// REPORT.md's contract for the shapes that are easy to get wrong: several shops, no data.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/formats/index.js';
import { formatJson, jsonChunks } from '../../src/report/formats/json.js';
import type { Report } from '../../src/report/model.js';
import { PLAIN } from '../../src/report/colors.js';
import { auditCsv } from '../helpers/audit.js';

describe('REPORT.md shops', () => {
  it('one shop: top-level metrics and penalties are that shop\'s, and shops has the one entry', async () => {
    const r = await auditCsv(`
      time,shop,buyer,sender,agent
      2026-11-02 10:00:00,s1,b1,buyer,
      2026-11-02 10:01:00,s1,b1,agent,s1:a
    `);
    expect(r.shops.map((s) => s.shop)).toEqual(['s1']);
    expect(r.metrics).toBe(r.shops[0]!.metrics);
    expect(r.penalties).toEqual(r.shops[0]!.penalties);
  });

  it('several shops are judged each on its own; top-level metrics is empty and penalties carry their shop', async () => {
    // s1: 1 round, passed. s2: 30 evaluations, 0 satisfied → failing window, one warning.
    const evaluations = Array.from({ length: 30 }, (_, i) => `2026-11-02 10:00:00,s2,e${i},buyer,s2:b,evaluation,不满意,c${i}`);
    const r = await auditCsv(`
      time,shop,buyer,sender,agent,type,content,card
      2026-11-02 10:00:00,s1,b1,buyer,,text,,
      2026-11-02 10:01:00,s1,b1,agent,s1:a,text,,
      ${evaluations.join('\n      ')}
    `);
    expect(r.shops.map((s) => s.shop)).toEqual(['s1', 's2']);
    expect(r.metrics).toEqual([]);
    expect(r.shops[0]!.metrics[0]!.total).toMatchObject({ eligible: 1, passed: 1 });
    expect(r.shops[1]!.metrics[1]!.total).toMatchObject({ eligible: 30, passed: 0, status: 'fail' });
    expect(r.penalties).toEqual([expect.objectContaining({ shop: 's2', metric: 'satisfaction', kind: 'warning' })]);
    expect(r.totals.warnings).toBe(1);
    const table = FORMATS.table!(r, { palette: PLAIN, bom: false });
    expect(table).toContain('== Shop s1 ==');
    expect(table).toContain('== Shop s2 ==');
    expect(table).toContain('All shops');
  });
});

describe('REPORT.md with nothing to audit', () => {
  it('a header-only file gives a valid report with no period and no shops', async () => {
    const r = await auditCsv('time,buyer,sender\n');
    expect(r.period).toEqual({ from: null, to: null });
    expect(r.shops).toEqual([]);
    expect(r.metrics).toEqual([]);
    expect(r.totals).toEqual({ fines_cny: 0, points: 0, warnings: 0, restrictions: 0 });
    expect(FORMATS.table!(r, { palette: PLAIN, bom: false })).toContain('No messages to audit.');
  });

  it('rates are null, never NaN, when nothing is eligible', async () => {
    const r = await auditCsv(`
      time,buyer,sender,agent
      2026-11-02 08:00:00,b1,buyer,
      2026-11-02 08:01:00,b1,agent,s:a
    `);
    const json = JSON.parse(formatJson(r));
    expect(json.metrics[0].days[0]).toMatchObject({ eligible: 0, rate: null, status: 'n/a' });
    expect(json.metrics[0].total.rate).toBeNull();
  });
});

describe('REPORT.md --format json', () => {
  it('is JSON.stringify(report, null, 2) and a newline, written a top-level array element at a time (issue 8: a night of many shops)', async () => {
    const r = await auditCsv(`
      time,shop,buyer,sender,agent,content
      2026-11-02 10:00:00,店铺一,b1,buyer,,"在吗
有货吗"
      2026-11-02 10:01:00,店铺一,b1,agent,店铺一:a,有的
      2026-11-02 10:00:00,s2,b2,buyer,,hi
    `);
    expect(r.shops.length).toBe(2);
    expect([...jsonChunks(r)].length).toBeGreaterThan(r.shops.length);
    expect(formatJson(r)).toBe(`${JSON.stringify(r, null, 2)}\n`);
    // Any object: keys left out (undefined), empty and nested arrays and objects, holes as null.
    const value = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.array(fc.oneof(fc.jsonValue(), fc.constant(undefined))));
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), (object) => {
        expect(formatJson(object as unknown as Report)).toBe(`${JSON.stringify(object, null, 2)}\n`);
      }),
      { numRuns: 500 },
    );
  });
});

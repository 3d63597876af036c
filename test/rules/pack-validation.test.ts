// Issue 2 §4: packs are validated at load, with an error naming the file, the field and the problem.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { builtInPlatforms, checkPack, loadBuiltInPack, loadPackFile, PLATFORMS_DIR } from '../../src/rules/load-pack.js';
import type { PackValidator } from '../../src/rules/pack-schema.js';
import type { Pack } from '../../src/rules/pack-types.js';
import { builtInPack } from '../helpers/audit.js';

function problems(mutate: (pack: Pack & Record<string, unknown>) => void): string {
  const pack = builtInPack('tmall') as Pack & Record<string, unknown>;
  mutate(pack);
  try {
    checkPack(pack, 'my-pack.json');
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('pack was accepted');
}

describe('rule pack validation', () => {
  it('every built-in pack is valid', () => {
    expect(builtInPlatforms()).toContain('tmall');
    for (const id of builtInPlatforms()) expect(loadBuiltInPack(id).id).toBe(id);
  });

  it.each<[string, (p: Pack & Record<string, unknown>) => void, string]>([
    ['a missing field', (p) => delete (p.versions[0] as unknown as Record<string, unknown>).questions, 'versions[0]: the first version must give "questions"'],
    ['a wrong type', (p) => ((p.versions[0]!.metrics[0] as unknown as { target: { value: unknown } }).target.value = '80%'), 'versions[0].metrics[0].target.value: must be number'],
    ['a rate above 1', (p) => (p.versions[0]!.metrics[0]!.target.value = 80), 'versions[0].metrics[0].target.value: must be <= 1'],
    ['an unknown field', (p) => (p.colour = 'red'), '(top level): unknown field "colour"'],
    ['an unknown message type', (p) => ((p.versions[0]!.exclude.types[0] as unknown as { value: string }).value = 'sticker'), 'versions[0].exclude.types[0].value: must be one of'],
    ['an unknown metric kind', (p) => ((p.versions[0]!.metrics[0] as unknown as { kind: string }).kind = 'magic'), 'versions[0].metrics[0].kind: must be one of "round_response", "evaluation_rate"'],
    ['a number without its source', (p) => delete (p.versions[0]!.session_gap_minutes as unknown as Record<string, unknown>).source, 'versions[0].session_gap_minutes: missing "source"'],
    ['an unknown time zone', (p) => (p.timezone.value = 'Asia/Beijing'), 'timezone.value: unknown time zone "Asia/Beijing"'],
    [
      'a window that ends before it starts',
      (p) => {
        const m = p.versions[0]!.metrics[0]!;
        if (m.kind === 'round_response') m.window.from = '23:00';
      },
      'versions[0].metrics[0].window: from (23:00) must be before to (23:00)',
    ],
    [
      'versions out of order',
      (p) => {
        const v = structuredClone(p.versions[0]!);
        v.effective = '2020-01-01';
        p.versions.push(v);
      },
      'versions[1].effective: versions must be in increasing order of effective date',
    ],
    ['an impossible date', (p) => (p.versions[0]!.effective = '2023-02-30'), 'versions[0].effective: "2023-02-30" is not a date'],
  ])('rejects %s', (_name, mutate, message) => {
    const text = problems(mutate);
    expect(text).toContain('my-pack.json: invalid rule pack:');
    expect(text).toContain(message);
  });

  it('a later version inherits what it leaves out; its metrics merge by id', () => {
    const pack = builtInPack('tmall');
    pack.versions.push({
      version: '2030-01-01',
      effective: '2030-01-01',
      source: 'seed-004',
      metrics: [{ ...pack.versions[0]!.metrics[0]!, target: { op: '>=', value: 0.9, source: 'test' } }],
    } as unknown as (typeof pack.versions)[number]);
    const loaded = checkPack(pack, 'inherit.json');
    const v2 = loaded.versions[1]!;
    expect(v2.exclude).toEqual(loaded.versions[0]!.exclude);
    expect(v2.metrics.map((m) => [m.id, m.target.value])).toEqual([
      ['response_3min', 0.9],
      ['satisfaction', 0.7],
    ]);
  });

  it('a file that is not JSON names the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-pack-'));
    const p = path.join(dir, 'broken.json');
    writeFileSync(p, '{ "id": "x", ');
    expect(() => loadPackFile(p)).toThrow(`${p}: rule pack is not valid JSON`);
    expect(() => loadPackFile(path.join(dir, 'none.json'))).toThrow('none.json: cannot read rule pack (no such file)');
  });
});

describe('pack data', () => {
  it('every number in a built-in pack carries its source and the date it took effect', () => {
    const missing: string[] = [];
    const walk = (o: unknown, at: string): void => {
      if (o === null || typeof o !== 'object') return;
      const x = o as Record<string, unknown>;
      const numeric = typeof x.value === 'number' || typeof x.amount_cny === 'number' || typeof x.days === 'number';
      if (numeric && 'source' in x && x.since === undefined) missing.push(at);
      if (numeric && 'clause' in x && x.source === undefined) missing.push(at);
      for (const [k, v] of Object.entries(x)) walk(v, `${at}.${k}`);
    };
    for (const id of builtInPlatforms()) walk(JSON.parse(readFileSync(path.join(PLATFORMS_DIR, `${id}.json`), 'utf8')), id);
    expect(missing).toEqual([]);
  });
});

describe('pack docs', () => {
  it('each built-in pack has a doc naming every interpretation the pack lists', async () => {
    const { readFileSync } = await import('node:fs');
    const { PLATFORMS_DIR } = await import('../../src/rules/load-pack.js');
    for (const id of builtInPlatforms()) {
      const pack = loadBuiltInPack(id);
      expect(pack.doc).toBe(`${id}.md`);
      const doc = readFileSync(path.join(PLATFORMS_DIR, pack.doc!), 'utf8');
      for (const v of pack.versions) {
        expect(doc).toContain(v.version);
        for (const i of v.interpretations) expect(doc, `${id}.md misses ${i.id}`).toContain(`**${i.id}**`);
      }
    }
  });
});

describe('the validator compiled at build time (scripts/build-pack-validator.mjs)', () => {
  it('is built from the schema as it is, and judges packs exactly as the schema compiled now', async () => {
    const { createHash } = await import('node:crypto');
    const { compiledPackValidator } = await import('../../src/rules/pack-schema.js');
    const built = (await import('../../dist/rules/pack-validator.js' as string)) as { schemaSha256: string; default: PackValidator };
    const schema = readFileSync(path.join(PLATFORMS_DIR, 'pack.schema.json'), 'utf8');
    expect(built.schemaSha256).toBe(createHash('sha256').update(schema).digest('hex'));
    const now = await compiledPackValidator();
    const packs: unknown[] = builtInPlatforms().map((id) => builtInPack(id));
    const broken = (mutate: (p: Pack & Record<string, unknown>) => void) => {
      const p = builtInPack('tmall') as Pack & Record<string, unknown>;
      mutate(p);
      return p;
    };
    packs.push(
      broken((p) => (p.colour = 'red')),
      broken((p) => ((p.versions[0]!.metrics[0] as unknown as { kind: string }).kind = 'magic')),
      broken((p) => ((p.versions[0]!.metrics[0] as unknown as { target: { value: unknown } }).target.value = '80%')),
      broken((p) => delete (p.versions[0]!.session_gap_minutes as unknown as Record<string, unknown>).source),
      {},
      [],
    );
    for (const data of packs) {
      expect(built.default(data)).toBe(now(data));
      expect(built.default.errors ?? null).toEqual(now.errors ?? null);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { ConductChecker } from '../../src/conduct/conduct-checker.js';
import { builtInLexicon, type Lexicon } from '../../src/conduct/detectors.js';
import { Zone } from '../../src/time/zone.js';

const lexiconOf = (c: ConductChecker): Lexicon => (c as unknown as { text: { lexicon: Lexicon } }).text.lexicon;

describe('RULES.md §8 lexicon, shared by the shops of a run (issue 8: an index of 64 KB per word list)', () => {
  it('every shop checked with one pack holds the same lists; a pack with its own words gets them added, once', () => {
    const zone = new Zone('Asia/Shanghai');
    const a = lexiconOf(new ConductChecker('shopA', undefined, zone));
    const b = lexiconOf(new ConductChecker('shopB', undefined, zone));
    expect(b).toBe(a);
    expect(a.abusive).toEqual(builtInLexicon().abusive);
    const pack = {
      allowed_domains: { value: [] },
      night: { from: '22:00', to: '08:00' },
      lexicon: { abusive: ['看不懂吗'] },
    } as unknown as ConstructorParameters<typeof ConductChecker>[1];
    const c = lexiconOf(new ConductChecker('shopC', pack, zone));
    const d = lexiconOf(new ConductChecker('shopD', pack, zone));
    expect(d).toBe(c);
    expect(c.abusive).toEqual([...builtInLexicon().abusive, '看不懂吗']);
    expect(builtInLexicon().abusive).not.toContain('看不懂吗');
  });
});

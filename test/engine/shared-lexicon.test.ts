import { describe, expect, it } from 'vitest';
import { ConductChecker } from '../../src/conduct/conduct-checker.js';
import { builtInLexicon, type Lexicon } from '../../src/conduct/detectors.js';
import { Zone } from '../../src/time/zone.js';

const lexiconOf = (c: ConductChecker): Lexicon => (c as unknown as { text: { lexicon: Lexicon } }).text.lexicon;
const memoryOf = (c: ConductChecker): unknown => (c as unknown as { seenTexts: unknown }).seenTexts;

describe('RULES.md §8 lexicon, shared by the shops of a run (issue 8: an index of 64 KB per word list)', () => {
  it('every shop checked with one pack holds the same lists and the same memory of texts checked; a pack with its own words gets them added, once', () => {
    const zone = new Zone('Asia/Shanghai');
    const shopA = new ConductChecker('shopA', undefined, zone);
    const shopB = new ConductChecker('shopB', undefined, zone);
    const a = lexiconOf(shopA);
    const b = lexiconOf(shopB);
    expect(b).toBe(a);
    // And the memory of texts checked (quick replies): the matches are the text's and the words'.
    expect(memoryOf(shopB)).toBe(memoryOf(shopA));
    expect(a.abusive).toEqual(builtInLexicon().abusive);
    const pack = {
      allowed_domains: { value: [] },
      night: { from: '22:00', to: '08:00' },
      lexicon: { abusive: ['看不懂吗'] },
    } as unknown as ConstructorParameters<typeof ConductChecker>[1];
    const shopC = new ConductChecker('shopC', pack, zone);
    const c = lexiconOf(shopC);
    const d = lexiconOf(new ConductChecker('shopD', pack, zone));
    expect(d).toBe(c);
    expect(memoryOf(shopC)).not.toBe(memoryOf(shopA));
    expect(c.abusive).toEqual([...builtInLexicon().abusive, '看不懂吗']);
    expect(builtInLexicon().abusive).not.toContain('看不懂吗');
  });

  it('a pack whose words change between two audits is checked with the new words (the memory is keyed by the words)', () => {
    const zone = new Zone('Asia/Shanghai');
    const pack = {
      allowed_domains: { value: ['weidian.com'] },
      night: { from: '22:00', to: '08:00' },
      lexicon: { abusive: [] as string[] },
    };
    const rules = pack as unknown as ConstructorParameters<typeof ConductChecker>[1];
    const before = lexiconOf(new ConductChecker('shopA', rules, zone));
    pack.lexicon.abusive.push('看不懂吗');
    pack.allowed_domains.value.push('example.com');
    const after = new ConductChecker('shopA', rules, zone);
    expect(lexiconOf(after).abusive).toContain('看不懂吗');
    expect(before.abusive).not.toContain('看不懂吗');
    expect((after as unknown as { text: { allowedDomains: string[] } }).text.allowedDomains).toEqual(['weidian.com', 'example.com']);
  });
});

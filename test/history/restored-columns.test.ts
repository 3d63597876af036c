// Issue 8: a counter's columns (typed arrays) restored from a history store must not hold on to
// the whole decoded state. v8.deserialize, which the store uses (state-codec.ts), makes a typed
// array a view into the buffer of everything decoded with it; restoring copies it.
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { EvaluationCounter } from '../../src/metrics/evaluation-rate.js';
import type { Message } from '../../src/model.js';
import { loadBuiltInPack } from '../../src/rules/load-pack.js';
import { RuleSet } from '../../src/rules/rule-set.js';

function evaluation(i: number): Message {
  return {
    t: Date.UTC(2026, 10, 2, 2) + i * 1000,
    seq: i,
    shop: 's',
    buyer: `b${i}`,
    sender: 'buyer',
    agent: 's:a',
    type: 'evaluation',
    content: '满意',
    recalled: false,
    botMode: null,
    flags: [],
    id: null,
    card: `c${i}`,
    level: i % 2 === 0 ? 'satisfied' : 'dissatisfied',
    origin: { file: 'f', line: i + 2 },
  };
}

describe('a restored evaluation counter', () => {
  it('owns its columns: none is a view into the decoded state, and the cards are the same', () => {
    const rules = new RuleSet(loadBuiltInPack('tmall'));
    const saved = new EvaluationCounter('satisfaction', rules);
    for (let i = 0; i < 100; i++) saved.add(evaluation(i), 0);
    // Decoded together with something large, as a shop's state is with its conversations.
    const decoded = deserialize(serialize({ counter: saved.saveState(), rest: new Float64Array(100_000) })) as { counter: ReturnType<EvaluationCounter['saveState']> };
    const restored = new EvaluationCounter('satisfaction', rules);
    restored.restoreState(decoded.counter);
    const columns = Object.values(restored).filter((v): v is Uint8Array => ArrayBuffer.isView(v));
    expect(columns.length).toBeGreaterThanOrEqual(4);
    for (const c of columns) expect(c.buffer.byteLength).toBe(c.byteLength);
    // 100 cards, the even ones satisfied: 50 passed on day 0, as before the save.
    restored.finish();
    expect(restored.days.get(0)).toMatchObject({ eligible: 100, passed: 50 });
  });
});

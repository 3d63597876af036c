// Issue 8: a conversation put to rest gives its segmenter (and its conduct state) to the next
// conversation opened, so a month of buyer visits does not make the collector move a new one to
// the old generation each time. Used again, it must be exactly as new: every field.
import { describe, expect, it } from 'vitest';
import { ConversationSegmenter, type SegmentRules, type SegmentSink } from '../../src/engine/segmenter.js';
import type { Message } from '../../src/model.js';

const sink: SegmentSink = { question() {}, reply() {}, round() {}, sellerFirst() {}, session() {} };
const rules: SegmentRules = {
  isQuestion: (m) => m.type === 'text',
  isValidReply: (m) => m.sender === 'agent' && m.type === 'text',
  assignRestarts: true,
  sessionGapMs: 1_800_000,
  sessionWaitMs: 3_600_000,
};

function message(t: number, sender: Message['sender'], type: Message['type'], agent: string | null = null): Message {
  return { t, seq: t, shop: 's', buyer: 'b1', sender, agent, type, content: '', recalled: false, botMode: sender === 'bot' ? 'auto' : null, flags: [], id: null, card: null, level: null, origin: { file: 'f', line: 1 } };
}

/** Every field, the ones it is built with included. */
function fields(s: ConversationSegmenter): Record<string, unknown> {
  return { ...s };
}

describe('ConversationSegmenter.reuse', () => {
  it('leaves every field as a new segmenter has it, after a conversation that set them all', () => {
    const used = new ConversationSegmenter('s', 'b1', sink, false);
    used.push(message(1_000, 'buyer', 'text', 's:a'), 1, rules);
    used.push(message(2_000, 'bot', 'text', 's:bot'), 1, rules);
    used.push(message(3_000, 'system', 'assign', 's:b'), 1, rules);
    used.push(message(4_000, 'agent', 'text', 's:b'), 1, rules);
    used.push(message(5_000, 'agent', 'text', 's:b'), 1, rules);
    used.push(message(6_000, 'system', 'blacklist'), 1, rules);
    used.push(message(9_000_000, 'buyer', 'text'), 2, rules);
    expect(fields(used)).not.toEqual(fields(new ConversationSegmenter('s', 'b2', sink, false)));
    used.reuse('b2');
    expect(fields(used)).toEqual(fields(new ConversationSegmenter('s', 'b2', sink, false)));
  });
});

import type { Message } from '../model.js';
import type { PackVersion } from '../rules/pack-types.js';
import type { SegmentRules } from './segmenter.js';

const cache = new WeakMap<PackVersion, SegmentRules>();

/** The segmentation rules of one pack version (RULES.md §1 Valid reply, questions, assign). */
export function segmentRulesOf(version: PackVersion): SegmentRules {
  let rules = cache.get(version);
  if (rules) return rules;
  const questions = new Set(version.questions.value);
  const replyTypes = new Set(version.replies.agent_types.value);
  const botAssist = version.replies.bot_assist.value;
  rules = {
    isQuestion: (m: Message) => questions.has(m.type),
    isValidReply: (m: Message) =>
      replyTypes.has(m.type) && (m.sender === 'agent' || (botAssist && m.sender === 'bot' && m.botMode === 'assist')),
    assignRestarts: version.rounds.assign_restarts.value,
    sessionGapMs: version.session_gap_minutes.value * 60_000,
    // How long a session may still get a first reply that matters: the longest session limit.
    sessionWaitMs: Math.max(0, ...version.metrics.map((m) => (m.kind === 'session_response' ? m.threshold_seconds.value * 1000 : 0))),
  };
  cache.set(version, rules);
  return rules;
}

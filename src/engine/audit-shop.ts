import type { Message } from '../model.js';
import { EvaluationCounter } from '../metrics/evaluation-rate.js';
import type { ItemCounter } from '../metrics/item-counter.js';
import { RoundResponseCounter } from '../metrics/round-response.js';
import type { RuleSet } from '../rules/rule-set.js';
import { segmentRulesOf } from './conversation-rules.js';
import { conversationExclusion, isEvent, messageExclusion, type ShopDirectory } from './exclusions.js';
import { ConversationSegmenter, type Round, type SegmentSink, type SellerFirst, type Session } from './segmenter.js';

/** Per-day outbound and inbound activity: context for the rates, never assessed. */
export interface ActivityDay {
  buyers: Set<string>;
  buyer_messages: number;
  shop_messages: number;
  rounds: number;
  seller_first_rounds: number;
  sessions: number;
}

export interface ShopAudit {
  shop: string;
  counters: Map<string, ItemCounter>;
  activity: Map<number, ActivityDay>;
  /** Messages that entered segmentation (questions, replies and other shop messages). */
  used: number;
  /** `assign` and `blacklist` events. */
  events: number;
  /** Evaluation rows given to the evaluation metrics. */
  evaluations: number;
  /** Messages dropped before segmentation, by reason. */
  excluded: Map<string, number>;
}

/**
 * One shop's audit: exclusions → conversations → rounds and sessions → metric counters.
 * `messages` are this shop's, in time order. Knows no platform: everything comes from `rules`.
 */
export function auditShop(
  shop: string,
  messages: Iterable<Message>,
  rules: RuleSet,
  directory: ShopDirectory,
  dataEnd: number,
): ShopAudit {
  const counters = new Map<string, ItemCounter>();
  const roundCounters: RoundResponseCounter[] = [];
  const evaluationCounters: EvaluationCounter[] = [];
  for (const id of rules.metricIds()) {
    const kind = rules.latestMetric(id).kind;
    if (kind === 'round_response') {
      const c = new RoundResponseCounter(id, rules);
      roundCounters.push(c);
      counters.set(id, c);
    } else {
      const c = new EvaluationCounter(id, rules);
      evaluationCounters.push(c);
      counters.set(id, c);
    }
  }

  const activity = new Map<number, ActivityDay>();
  const activityOn = (day: number): ActivityDay => {
    let a = activity.get(day);
    if (!a) {
      a = { buyers: new Set(), buyer_messages: 0, shop_messages: 0, rounds: 0, seller_first_rounds: 0, sessions: 0 };
      activity.set(day, a);
    }
    return a;
  };
  const sink: SegmentSink = {
    round(r: Round) {
      activityOn(r.startDay).rounds++;
      for (const c of roundCounters) c.add(r);
    },
    sellerFirst(s: SellerFirst) {
      activityOn(s.day).seller_first_rounds++;
    },
    session(s: Session) {
      activityOn(s.startDay).sessions++;
    },
  };

  const result: ShopAudit = { shop, counters, activity, used: 0, events: 0, evaluations: 0, excluded: new Map() };
  const exclude = (reason: string): void => {
    result.excluded.set(reason, (result.excluded.get(reason) ?? 0) + 1);
  };
  const conversations = new Map<string, ConversationSegmenter>();

  for (const m of messages) {
    const day = rules.zone.dayOf(m.t);
    const version = rules.versionAt(day);
    const conversationReason = conversationExclusion(shop, m.buyer, directory, version);
    if (conversationReason !== null) {
      exclude(conversationReason);
      continue;
    }
    if (m.type === 'evaluation') {
      // An evaluation is no message of the conversation; only recall and flags can void it.
      const reason = m.recalled && version.exclude.recalled.value ? 'recalled' : flagExclusion(m, rules, day);
      if (reason !== null) exclude(reason);
      else {
        result.evaluations++;
        for (const c of evaluationCounters) c.add(m, day);
      }
      continue;
    }
    let segmenter = conversations.get(m.buyer);
    if (!segmenter) conversations.set(m.buyer, (segmenter = new ConversationSegmenter(shop, m.buyer, sink)));
    const segmentRules = segmentRulesOf(version);
    if (isEvent(m)) {
      result.events++;
      segmenter.push(m, day, segmentRules);
      continue;
    }
    const reason = messageExclusion(m, version);
    if (reason !== null) {
      exclude(reason);
      continue;
    }
    if (m.sender === 'buyer' && !segmentRules.isQuestion(m)) {
      exclude(`not_a_question:${m.type}`);
      continue;
    }
    result.used++;
    const a = activityOn(day);
    if (m.sender === 'buyer') {
      a.buyer_messages++;
      a.buyers.add(m.buyer);
    } else a.shop_messages++;
    segmenter.push(m, day, segmentRules);
  }

  for (const segmenter of conversations.values()) segmenter.finish();
  for (const c of roundCounters) c.finish(dataEnd);
  for (const c of evaluationCounters) c.finish();
  return result;
}

function flagExclusion(m: Message, rules: RuleSet, day: number): string | null {
  const flags = rules.versionAt(day).exclude.flags;
  for (const flag of m.flags) if (flags.some((c) => c.value === flag)) return `flag:${flag}`;
  return null;
}

import type { Message } from '../model.js';
import type { ItemDetail } from '../report/model.js';
import { localTime } from '../time/local.js';
import type { Zone } from '../time/zone.js';

/** One message as evidence: local time, who, what. */
export function messageEvidence(m: Message, zone: Zone): NonNullable<ItemDetail['messages']>[number] {
  return { time: localTime(m.t, zone), sender: m.sender, agent: m.agent, type: m.type, content: m.content };
}

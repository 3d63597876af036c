import type { Origin } from '../model.js';
import { parseTime } from '../time/parse-time.js';
import type { Zone } from '../time/zone.js';
import { text } from './chat-row.js';

export const PRESENCE_REQUIRED_COLUMNS = ['time', 'agent', 'status'] as const;

/** FORMAT.md presence log: `away` (挂起) counts as not online. */
export type PresenceStatus = 'online' | 'offline' | 'away';

export interface PresenceEvent {
  t: number;
  seq: number;
  shop: string;
  agent: string;
  status: PresenceStatus;
  origin: Origin;
}

const STATUS: Record<string, PresenceStatus> = {
  online: 'online',
  在线: 'online',
  offline: 'offline',
  离线: 'offline',
  away: 'away',
  挂起: 'away',
};

export function normalizePresenceRow(
  values: Record<string, unknown>,
  origin: Origin,
  seq: number,
  zone: Zone,
): PresenceEvent | string {
  const t = parseTime(text(values.time), zone);
  if (typeof t === 'string') return t;
  const agent = text(values.agent).trim();
  if (agent === '') return 'missing agent';
  const raw = text(values.status).trim();
  const status = STATUS[raw.toLowerCase()];
  if (!status) return `unknown status "${raw}" (expected online, offline or away)`;
  return { t, seq, shop: text(values.shop).trim(), agent, status, origin };
}

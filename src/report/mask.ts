import { createHash } from 'node:crypto';

/**
 * A stable pseudonym for a buyer id (--mask-buyers): the same id gives the same pseudonym in
 * every run and every output, and the id cannot be read back from it.
 */
export function maskBuyer(buyer: string): string {
  return `buyer-${createHash('sha256').update(`cs-audit:${buyer}`).digest('hex').slice(0, 10)}`;
}

import { createHash } from 'node:crypto';

/**
 * A stable pseudonym for a buyer id (--mask-buyers): the same id and salt give the same pseudonym
 * in every run and every output. Without a salt anyone holding a list of candidate ids can hash
 * them and find the buyer, so a report leaving the shop should be masked with a secret salt
 * (--mask-salt or CS_AUDIT_MASK_SALT).
 */
export function maskBuyer(buyer: string, salt = ''): string {
  return `buyer-${createHash('sha256').update(`cs-audit:${salt}:${buyer}`).digest('hex').slice(0, 10)}`;
}

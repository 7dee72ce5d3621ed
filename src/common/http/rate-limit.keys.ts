import { canonicalEmail, MAX_EMAIL_LENGTH } from '../validation/fields.js';

/**
 * The account an attempt is about: the email of a login or registration, in the canonical form accounts
 * are matched on (so every spelling of one address spends one budget), or the subject of the bearer
 * token of a password change. The token is not verified here (the guard that does runs later), so
 * the key also names the client address: a forged subject only spends the forger's own budget.
 */
export function accountOf(req: Record<string, any>): string {
  const email = req.body?.email;
  if (typeof email === 'string') return `email:${canonicalEmail(email).slice(0, MAX_EMAIL_LENGTH)}`;
  const token = /^Bearer ([^.]+)\.([^.]+)\./.exec(String(req.headers?.authorization ?? ''))?.[2];
  if (token) {
    try {
      const sub = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))?.sub;
      if (typeof sub === 'string') return `user:${sub.slice(0, 64)}`;
    } catch {
      // Not a token at all: counted under the client address alone.
    }
  }
  return 'unknown';
}

import { defineErrors } from '../errors/domain-error.js';

/** Failures of the identity check every gateway and core applies; the auth module adds its own codes. */
export const IdentityErrors = defineErrors({
  /** No credential, or one that does not verify (signature, algorithm, issuer, audience, expiry, use, version). */
  UNAUTHENTICATED: { code: 'AUTH.UNAUTHENTICATED', status: 401 },
  /** A verified caller asking for something its role does not allow. */
  FORBIDDEN: { code: 'AUTH.FORBIDDEN', status: 403 },
});

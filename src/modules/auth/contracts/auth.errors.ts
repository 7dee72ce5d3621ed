import { IdentityErrors } from '../../../common/identity/identity.errors.js';
import { defineErrors } from '../../../common/errors/domain-error.js';

/** Error codes the auth module answers with, and their HTTP status. */
export const AuthErrors = defineErrors({
  ...IdentityErrors,
  /** Unknown email or wrong password: the two are never told apart. */
  INVALID_CREDENTIALS: { code: 'AUTH.INVALID_CREDENTIALS', status: 401 },
  /** A refresh token that was already exchanged came back; its family is revoked. */
  REFRESH_REUSED: { code: 'AUTH.REFRESH_REUSED', status: 401 },
  EMAIL_TAKEN: { code: 'AUTH.EMAIL_TAKEN', status: 409 },
  WEAK_PASSWORD: { code: 'AUTH.WEAK_PASSWORD', status: 400 },
});

import { defineErrors } from '../../../common/errors/domain-error.js';

/** Error codes the users core answers with, and their HTTP status. */
export const UsersErrors = defineErrors({
  NOT_FOUND: { code: 'USERS.NOT_FOUND', status: 404 },
  EMAIL_TAKEN: { code: 'USERS.EMAIL_TAKEN', status: 409 },
  INVALID_CURSOR: { code: 'USERS.INVALID_CURSOR', status: 400 },
});

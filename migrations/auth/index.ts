import { CreateAuth1763700000002 } from './1763700000002-create-auth.js';

/** The auth schema's migrations, oldest first. */
export const authMigrations = [CreateAuth1763700000002];

import { CreateAuth1763700000002 } from './1763700000002-create-auth.js';
import { AuthEvents1763800000002 } from './1763800000002-auth-events.js';
import { AdminBootstrap1763800000003 } from './1763800000003-admin-bootstrap.js';
import { AuthReplicas1764900000002 } from './1764900000002-auth-replicas.js';

/** The auth schema's migrations, oldest first. */
export const authMigrations = [CreateAuth1763700000002, AuthEvents1763800000002, AdminBootstrap1763800000003, AuthReplicas1764900000002];

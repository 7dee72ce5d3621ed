import { CreateUsers1763700000000 } from './1763700000000-create-users.js';
import { UsersEvents1763800000000 } from './1763800000000-users-events.js';
import { UsersReplicas1764900000000 } from './1764900000000-users-replicas.js';

/** The users schema's migrations, oldest first. */
export const usersMigrations = [CreateUsers1763700000000, UsersEvents1763800000000, UsersReplicas1764900000000];

import { CreateUsers1763700000000 } from './1763700000000-create-users.js';

/** The users schema's migrations, oldest first. */
export const usersMigrations = [CreateUsers1763700000000];

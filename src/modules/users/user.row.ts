import type { UserReply } from './contracts/users.messages.js';

/**
 * A row of `"users"."users"` (migrations/users) as the driver returns it: timestamps as Date (pg) or
 * text. Every statement of the module is plain SQL over this shape, mapped by `toUserReply`.
 */
export interface UserRow {
  id: string;
  name: string;
  /** Trimmed and lower-cased; unique. */
  email: string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The columns of a reply. */
export const USER_COLUMNS = 'id, name, email, created_at, updated_at';

export function toUserReply(r: UserRow): UserReply {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

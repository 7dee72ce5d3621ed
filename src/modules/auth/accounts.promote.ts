import type { Env } from '../../common/config/settings.source.js';
import { readEventSettings } from '../../common/config/settings.js';
import { type ModuleDescriptor } from '../../common/config/topology.js';
import { ConfigError } from '../../common/config/settings.readers.js';
import { withModuleDatabase } from '../../common/database/module-database.js';
import { Outbox } from '../../common/events/outbox.js';
import { canonicalEmail } from '../../common/validation/fields.js';
import { AuthEvents, type CredentialsChanged } from './contracts/auth.events.js';

/**
 * `accounts:promote <email>`: makes an existing account an admin, the one way to grant the role after
 * the first ADMIN_EMAIL registration. The credential version moves on (tokens issued as a plain user
 * stop working) and every core learns it through `auth.credentials-changed`, in one transaction.
 */
export async function promoteCommand(
  env: Env,
  args: string[],
  modules: readonly ModuleDescriptor[],
  out = process.stdout,
): Promise<number> {
  const email = args[0] ? canonicalEmail(args[0]) : undefined;
  if (!email || args.length !== 1) {
    out.write('usage: accounts:promote <email>\n');
    return 64;
  }
  try {
    const promoted = await withModuleDatabase(env, 'auth', modules, (ds, topology) => {
      const outbox = new Outbox(ds, 'auth', topology.subscribers, readEventSettings(env));
      return ds.transaction(async (manager) => {
        const [rows]: [Array<{ user_id: string; version: number }>, number] = await manager.query(
          `UPDATE "auth"."credentials" SET role = 'admin', version = version + 1, updated_at = now()
           WHERE email = $1 AND status = 'active' AND role <> 'admin' RETURNING user_id, version`,
          [email],
        );
        if (!rows.length) return false;
        const change: CredentialsChanged = { userId: rows[0].user_id, version: rows[0].version, role: 'admin', active: true };
        await outbox.publish(manager, AuthEvents.CREDENTIALS_CHANGED, change.userId, change);
        return true;
      });
    });
    out.write(
      promoted
        ? `${email} is now an admin; it signs in again to get an admin token\n`
        : `No active non-admin account has the email ${email}\n`,
    );
    return promoted ? 0 : 1;
  } catch (err) {
    out.write(`${err instanceof ConfigError ? err.message : `accounts:promote failed: ${(err as Error).message}`}\n`);
    return err instanceof ConfigError ? 78 : 1;
  }
}

/**
 * `gatekeeper sessions list|revoke` — a tenant's sign-in sessions: list them (all, or one user's),
 * revoke one, all of a user's (`--user`) or the whole tenant's (`--all`); every instance refuses a
 * revoked session within a second. `gatekeeper sign-in state|unlock|require-password-change|settings`
 * — a user's lockout and forced password change, and the tenant's sign-in settings (password
 * policy, session lifetimes, lockout, branding) and its uploaded logo (`sign-in logo`). Both call
 * the accounts service the admin API calls.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { LOGO_MAX_BYTES, sniffImage } from '../../capabilities/accounts/logo-image.ts';
import type { SessionView } from '../../capabilities/accounts/schemas.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Services } from '../../services.ts';
import { cliContext, out } from '../context.ts';
import { confirm, orAsk } from '../prompt.ts';
import { inTenant } from './routes.ts';

async function userIdOf(s: Services, tenantId: string, ref: string): Promise<string> {
  const user = await s.users.findByLogin(tenantId, ref);
  if (!user) throw new AppError('not_found', { detail: `no user "${ref.slice(0, 80)}" in this tenant` });
  return user.id;
}

const line = (x: SessionView) =>
  `${x.id}  user ${x.userId}  ${x.amr.join('+')}  from ${x.ip || '-'}  signed in ${x.createdAt}  seen ${x.lastSeenAt}  ${x.userAgent.slice(0, 60)}`;

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description("a tenant's sign-in sessions");
  sessions
    .command('list')
    .description("list live sessions, newest first (or one user's, oldest first)")
    .option('--tenant <slug>', 'tenant slug')
    .option('--user <user>', "only this user's (username or email)")
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; user?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const userId = o.user ? await userIdOf(s, tenantId, o.user) : undefined;
        const items = await s.accounts.sessions.list(tenantId, {
          ...(userId ? { userId } : {}),
          limit: 1000,
        });
        if (o.json) return out(JSON.stringify(items, null, 2));
        for (const x of items) out(line(x));
        if (items.length === 0) out('no sessions');
      });
    });
  sessions
    .command('revoke')
    .description('revoke a session, all of a user’s (--user) or every session of the tenant (--all)')
    .argument('[session]', 'session id')
    .option('--tenant <slug>', 'tenant slug')
    .option('--user <user>', 'every session of this user (username or email)')
    .option('--all', 'every session of the tenant')
    .option('--yes', 'do not ask for confirmation')
    .action(
      async (
        id: string | undefined,
        o: { tenant?: string; user?: string; all?: boolean; yes?: boolean },
        cmd: Command,
      ) => {
        if ([id, o.user, o.all].filter(Boolean).length > 1)
          throw new AppError('validation_failed', {
            detail: 'give a session id, --user or --all, one of them',
          });
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const ctx = { ...cliContext(), reason: 'revoked_by_admin' };
          if (o.all) {
            await confirm(o.yes, 'revoke every session of the tenant');
            return out(`revoked ${await s.accounts.sessions.revokeTenant(tenantId, ctx)} sessions`);
          }
          if (o.user) {
            const userId = await userIdOf(s, tenantId, o.user);
            await confirm(o.yes, `revoke every session of ${o.user}`);
            return out(`revoked ${await s.accounts.sessions.revokeUser(tenantId, userId, ctx)} sessions`);
          }
          const session = await s.accounts.sessions.get(tenantId, await orAsk(id, '<session>', 'Session id'));
          await confirm(o.yes, `revoke session ${session.id} of user ${session.userId}`);
          await s.accounts.sessions.revoke(tenantId, session.id, ctx);
          out(`revoked session ${session.id}`);
        });
      },
    );

  const signIn = program
    .command('sign-in')
    .description("a user's lockout and forced password change; sign-in settings");
  const stateOf = async (s: Services, tenantId: string, userId: string) => {
    const st = await s.accounts.lockout.state(tenantId, userId);
    return `${st.locked ? `locked until ${st.lockedUntil}` : 'not locked'}, ${st.failedAttempts} failed attempts, ${st.mustChangePassword ? 'must change password' : 'no forced change'}, password changed ${st.passwordChangedAt ?? 'never here'}`;
  };
  signIn
    .command('state')
    .description("a user's failed sign-ins, lockout and forced password change")
    .requiredOption('--user <user>', 'username or email')
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; user: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const userId = await userIdOf(s, tenantId, o.user);
        if (o.json) return out(JSON.stringify(await s.accounts.lockout.state(tenantId, userId), null, 2));
        out(`${o.user}: ${await stateOf(s, tenantId, userId)}`);
      });
    });
  signIn
    .command('unlock')
    .description('unlock a locked account (forgets its failed sign-ins)')
    .requiredOption('--user <user>', 'username or email')
    .option('--tenant <slug>', 'tenant slug')
    .action(async (o: { tenant?: string; user: string }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const userId = await userIdOf(s, tenantId, o.user);
        await s.accounts.lockout.unlock(tenantId, userId, {
          ...cliContext(),
          tenantSlug: await s.tenants.slugOf(tenantId),
        });
        out(`${o.user}: ${await stateOf(s, tenantId, userId)}`);
      });
    });
  signIn
    .command('require-password-change')
    .description('make a user choose a new password at the next sign-in (--off to withdraw)')
    .requiredOption('--user <user>', 'username or email')
    .option('--tenant <slug>', 'tenant slug')
    .option('--off', 'no longer require it')
    .action(async (o: { tenant?: string; user: string; off?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const userId = await userIdOf(s, tenantId, o.user);
        await s.accounts.passwords.requireChange(tenantId, userId, !o.off, {
          ...cliContext(),
          tenantSlug: await s.tenants.slugOf(tenantId),
        });
        out(`${o.user}: ${await stateOf(s, tenantId, userId)}`);
      });
    });
  signIn
    .command('settings')
    .description(
      'show the tenant\'s sign-in settings, or change some: --set \'{"lockout":{"maxFailures":10}}\'',
    )
    .option('--tenant <slug>', 'tenant slug')
    .option('--set <json>', 'a partial settings document (JSON), as PATCH …/sign-in-settings takes')
    .action(async (o: { tenant?: string; set?: string }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        if (o.set) {
          const patch = parsePatch(o.set);
          const v = await s.accounts.settings.update(tenantId, patch, undefined, cliContext());
          return out(JSON.stringify({ ...v.settings, version: v.version }, null, 2));
        }
        const v = await s.accounts.settings.getVersioned(tenantId);
        out(JSON.stringify({ ...v.settings, version: v.version }, null, 2));
      });
    });
  signIn
    .command('logo')
    .description(
      "the tenant's uploaded logo: show it, upload one (--file: PNG, JPEG or WebP, at most 256 KiB) or --remove it",
    )
    .option('--tenant <slug>', 'tenant slug')
    .option('--file <path>', 'the image to upload')
    .option('--remove', 'remove the uploaded logo (the pages fall back to branding.logoUrl)')
    .action(async (o: { tenant?: string; file?: string; remove?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const slug = await s.tenants.slugOf(tenantId);
        if (o.remove) {
          if (!(await s.accounts.logos.remove(tenantId, cliContext())))
            throw new AppError('not_found', { detail: 'no logo uploaded' });
          return out('logo removed');
        }
        if (o.file) {
          let bytes: Buffer;
          try {
            bytes = readFileSync(o.file);
          } catch {
            throw new AppError('not_found', { detail: `cannot read ${o.file}` });
          }
          if (bytes.length > LOGO_MAX_BYTES)
            throw new AppError('payload_too_large', {
              detail: `a logo is at most ${LOGO_MAX_BYTES / 1024} KiB`,
            });
          await s.accounts.logos.put(tenantId, logoTypeOf(o.file, bytes), bytes, cliContext());
        }
        const info = await s.accounts.logos.info(tenantId);
        if (!info) return out('no logo uploaded');
        out(
          `${info.contentType} ${info.width}×${info.height}, ${info.size} bytes, sha256 ${info.digest}, updated ${info.updatedAt}\nserved at /t/${slug}/logo/${info.file}`,
        );
      });
    });
}

/** The image type of a logo file: its extension, else its first bytes (the service checks both agree). */
function logoTypeOf(path: string, bytes: Buffer): string {
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  const byExt: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    webp: 'image/webp',
    svg: 'image/svg+xml',
  };
  return (ext && byExt[ext]) || sniffImage(bytes) || 'application/octet-stream';
}

/** The --set JSON (the service checks it against the admin API's schema). */
function parsePatch(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('validation_failed', { detail: '--set: not valid JSON' });
  }
}

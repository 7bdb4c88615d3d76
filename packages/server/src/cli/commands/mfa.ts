/**
 * `gatekeeper mfa status|reset|require|unrequire|requirements`: a user's MFA (authenticator app,
 * backup codes, passkeys) and its reset by an administrator (audited, mailed to the user), and who
 * must use MFA in a tenant (everyone, a group's members or one user) with a grace period — through
 * the same MFA service the admin API uses.
 */
import type { Command } from 'commander';
import type { RequirementSubject } from '../../capabilities/mfa/index.ts';
import { DEFAULT_GRACE_DAYS } from '../../capabilities/mfa/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Services } from '../../services.ts';
import { cliContext, out } from '../context.ts';
import { confirm, orAsk } from '../prompt.ts';
import { resolveGroup, resolveUser } from '../resolve.ts';
import { inTenant } from './routes.ts';

async function subjectOf(
  s: Services,
  tenantId: string,
  o: { all?: boolean; group?: string; user?: string },
): Promise<{ subject: RequirementSubject; label: string }> {
  const given = [o.all, o.group, o.user].filter((v) => v !== undefined && v !== false).length;
  if (given !== 1)
    throw new AppError('validation_failed', { detail: 'give exactly one of --all, --group, --user' });
  if (o.all) return { subject: { type: 'tenant' }, label: 'everyone in the tenant' };
  if (o.group) {
    const g = await resolveGroup(s.groups, tenantId, o.group);
    return { subject: { type: 'group', id: g.id }, label: `the members of ${g.name}` };
  }
  const u = await resolveUser(s.users, tenantId, o.user!);
  return { subject: { type: 'user', id: u.id }, label: u.username };
}

export function registerMfa(program: Command): void {
  const mfa = program.command('mfa').description("users' two-step verification and who must use it");
  mfa
    .command('status')
    .description("a user's MFA: authenticator app, backup codes left, passkeys, requirement")
    .option('--tenant <slug>', 'tenant slug')
    .option('--user <user>', 'user id, username or email')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; user?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const user = await resolveUser(s.users, tenantId, await orAsk(o.user, '--user', 'User'));
        const [status, keys] = await Promise.all([
          s.mfa.status(tenantId, user.id),
          s.passkeys.list(tenantId, user.id),
        ]);
        if (o.json) return out(JSON.stringify({ ...status, passkeys: keys }, null, 2));
        out(
          `${user.username}: authenticator app ${status.totp ? `on since ${status.totpConfirmedAt}` : 'off'}, ${status.backupCodesLeft} backup codes left, ${keys.length} passkey${keys.length === 1 ? '' : 's'}`,
        );
        if (status.required)
          out(`  MFA required${status.graceEndsAt ? `; grace period ends ${status.graceEndsAt}` : ''}`);
        for (const k of keys)
          out(
            `  passkey ${k.id}  ${k.name}  added ${k.createdAt}${k.lastUsedAt ? `  last used ${k.lastUsedAt}` : ''}`,
          );
      });
    });
  mfa
    .command('reset')
    .description(
      "reset a user's MFA: authenticator app, backup codes and passkeys go (asks for confirmation)",
    )
    .option('--tenant <slug>', 'tenant slug')
    .option('--user <user>', 'user id, username or email')
    .option('--yes', 'do not ask for confirmation')
    .action(async (o: { tenant?: string; user?: string; yes?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const user = await resolveUser(s.users, tenantId, await orAsk(o.user, '--user', 'User'));
        await confirm(o.yes, `reset the two-step verification of ${user.username}`);
        const { removed } = await s.mfa.reset(tenantId, user.id, cliContext());
        out(
          removed.length
            ? `reset ${user.username}: removed ${removed.join(', ')}`
            : `${user.username} had no MFA to reset`,
        );
      });
    });
  mfa
    .command('require')
    .description('require MFA of everyone (--all), a group (--group) or a user (--user)')
    .option('--tenant <slug>', 'tenant slug')
    .option('--all', 'everyone in the tenant')
    .option('--group <group>', 'group id or name (its members, nested groups too)')
    .option('--user <user>', 'user id, username or email')
    .option('--grace-days <n>', `days from the first sign-in after this (default ${DEFAULT_GRACE_DAYS})`)
    .action(
      async (
        o: { tenant?: string; all?: boolean; group?: string; user?: string; graceDays?: string },
        cmd: Command,
      ) => {
        const days = o.graceDays === undefined ? DEFAULT_GRACE_DAYS : Number(o.graceDays);
        if (!Number.isSafeInteger(days) || days < 0 || days > 365)
          throw new AppError('validation_failed', { detail: '--grace-days: 0 to 365' });
        await inTenant(cmd, o.tenant, async (s, tenantId) => {
          const { subject, label } = await subjectOf(s, tenantId, o);
          await s.mfa.require(tenantId, subject, days, cliContext());
          out(`MFA required of ${label}, grace period ${days} day${days === 1 ? '' : 's'}`);
        });
      },
    );
  mfa
    .command('unrequire')
    .description('stop requiring MFA of everyone (--all), a group or a user')
    .option('--tenant <slug>', 'tenant slug')
    .option('--all', 'everyone in the tenant')
    .option('--group <group>', 'group id or name')
    .option('--user <user>', 'user id, username or email')
    .action(async (o: { tenant?: string; all?: boolean; group?: string; user?: string }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const { subject, label } = await subjectOf(s, tenantId, o);
        await s.mfa.unrequire(tenantId, subject, cliContext());
        out(`MFA no longer required of ${label}`);
      });
    });
  mfa
    .command('requirements')
    .description('who must use MFA in the tenant')
    .option('--tenant <slug>', 'tenant slug')
    .option('--json', 'print JSON')
    .action(async (o: { tenant?: string; json?: boolean }, cmd: Command) => {
      await inTenant(cmd, o.tenant, async (s, tenantId) => {
        const items = await s.mfa.listRequirements(tenantId);
        if (o.json) return out(JSON.stringify(items, null, 2));
        for (const r of items)
          out(
            `${r.subjectType.padEnd(6)} ${r.subjectId ?? '*'}  grace ${r.graceDays} days  since ${r.createdAt} by ${r.createdBy}`,
          );
        if (items.length === 0) out('MFA is required of nobody in this tenant');
      });
    });
}

/**
 * Mail to a user of a tenant: fills the placeholders every template shares (`tenantName`,
 * `userName`, `accountUrl`) from the directory and queues the message in the caller's unit of work.
 * The directory is reached through the functions given (infrastructure imports no capability).
 */
import type { MailOutbox } from './outbox.ts';
import type { TemplateName } from './templates.ts';

export interface UserMailerDeps {
  mail: MailOutbox;
  user(
    tenantId: string,
    userId: string,
  ): Promise<{ email: string | null; name: string | null; username: string }>;
  tenant(tenantId: string): Promise<{ slug: string; displayName: string }>;
  publicUrl(): string;
}

export interface UserMailer {
  /** Queues `template` to the user; false (nothing queued) when the user has no email address. */
  send(
    tenantId: string,
    userId: string,
    template: TemplateName,
    vars?: Record<string, string>,
  ): Promise<boolean>;
}

export function createUserMailer(deps: UserMailerDeps): UserMailer {
  return {
    async send(tenantId, userId, template, vars = {}) {
      const user = await deps.user(tenantId, userId);
      if (!user.email) return false;
      const tenant = await deps.tenant(tenantId);
      await deps.mail.queue({
        tenantId,
        template,
        to: user.email,
        vars: {
          tenantName: tenant.displayName,
          userName: user.name ?? user.username,
          accountUrl: `${deps.publicUrl().replace(/\/$/, '')}/t/${tenant.slug}/account`,
          time: new Date().toUTCString(),
          ...vars,
        },
      });
      return true;
    },
  };
}

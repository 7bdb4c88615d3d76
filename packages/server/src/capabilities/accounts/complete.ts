/**
 * Completing a sign-in once every factor passed — shared by the password pipeline's `finish` step,
 * the MFA pages and any other first factor (magic link, passkey): a required password change comes
 * first (pending stage `change_password`), then the session (with the new-sign-in alert, when the
 * browser is new, in its unit of work) and the browser's refreshed device mark.
 */
import type { TenantRef } from '../../access/principal.ts';
import type { AccountPasswordFacts } from './lockout.ts';
import type { PasswordsService } from './passwords.ts';
import type { PendingSignIns } from './pending.ts';
import type { SessionsService } from './sessions.ts';
import type { SignInAlerts } from './sign-in-alert.ts';
import type { SignInOutcome } from './steps/types.ts';

export interface CompleteSignInInput {
  tenant: TenantRef;
  userId: string;
  amr: readonly string[];
  acr?: string;
  returnTo: string;
  ip: string;
  userAgent: string;
  requestId: string;
  /** The browser's device-mark cookie (sign-in-alert.ts), if it sent one. */
  device?: string | undefined;
  /** Skip the password-change check (the change was just made). */
  passwordJustChanged?: boolean;
  /** The account's forced-change facts when the caller read them already (the password pipeline). */
  account?: AccountPasswordFacts;
}

export type SignInCompleter = (input: CompleteSignInInput) => Promise<SignInOutcome>;

export function createSignInCompleter(deps: {
  sessions: SessionsService;
  passwords: PasswordsService;
  pending: PendingSignIns;
  alerts: SignInAlerts;
  now?: () => number;
  /** Records the sign-in on the user (`last_sign_in_at`), inside the session's unit of work. */
  recordSignIn(input: CompleteSignInInput): Promise<void>;
}): SignInCompleter {
  return async (input) => {
    const reason = input.passwordJustChanged
      ? null
      : await deps.passwords.changeRequired(input.tenant.id, input.userId, input.account);
    if (reason) {
      const secret = await deps.pending.create({
        tenantId: input.tenant.id,
        userId: input.userId,
        amr: [...input.amr],
        returnTo: input.returnTo,
        stage: 'change_password',
        reason,
      });
      return { kind: 'pending', secret, location: `/t/${input.tenant.slug}/change-password` };
    }
    const at = (deps.now ?? Date.now)();
    const facts = { ...input, tenantId: input.tenant.id, at };
    const { session, secret } = await deps.sessions.create(
      input.tenant.id,
      {
        userId: input.userId,
        amr: input.amr,
        ...(input.acr ? { acr: input.acr } : {}),
        ip: input.ip,
        userAgent: input.userAgent,
      },
      { actor: `user:${input.userId}`, requestId: input.requestId },
      // in the session's unit of work (all commit together, nothing runs after the commit): a new
      // browser's alert is queued (it reads the previous sign-in time first), then this sign-in's time
      async (others) => {
        await deps.alerts.check(facts, others);
        await deps.recordSignIn(input);
      },
    );
    const device = deps.alerts.marks.mint(input.tenant.id, input.userId, input.device, at);
    return { kind: 'session', session, secret, location: input.returnTo, device };
  };
}

/**
 * The password sign-in as an ordered list of small steps (design note §3):
 * `loadInteraction → rateLimit → verifyPassword → checkLockout → requireMfa → finish`. Each step
 * reads and fills the attempt, and either lets it continue (returns undefined) or ends it with an
 * outcome the route turns into HTTP (a refusal rendered on the form, a pending stage, a session).
 */
import type { TenantRef } from '../../../access/principal.ts';
import type { UserView } from '../../users/index.ts';
import type { AccountPasswordFacts } from '../lockout.ts';
import type { SignInSettings } from '../schemas.ts';
import type { Session } from '../sessions.ts';

export interface SignInAttempt {
  readonly tenant: TenantRef;
  readonly login: string;
  readonly password: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly requestId: string;
  /** The browser's device-mark cookie, if any (new-sign-in alerts). */
  readonly device?: string | undefined;
  /** Where to go once signed in (already checked by the return-to policy). */
  returnTo: string;
  settings?: SignInSettings;
  /** The account the login names (known after verifyPassword, also when the password was wrong). */
  user: UserView | null;
  /** Whether the password was right (set by verifyPassword). */
  passwordOk: boolean;
  /** Why the password check failed. */
  failure?: string;
  /** Methods passed (`pwd` after the password). */
  amr: string[];
  /** The account's forced-change facts, read with its lockout state (checkLockout). */
  account?: AccountPasswordFacts;
}

/** How an attempt ends. */
export type SignInOutcome =
  /** Shown on the sign-in form (status 400/401/423/429), audited with `reason`. */
  | { kind: 'refused'; reason: string; message: string; status: number }
  /** The browser goes on to another stage (MFA, forced change) holding a pending-sign-in cookie. */
  | { kind: 'pending'; secret: string; location: string }
  /** Signed in: set the session cookie and go to `location`. */
  | {
      kind: 'session';
      session: Session;
      secret: string;
      location: string;
      /** The browser's device-mark cookie value to set (sign-in-alert.ts). */
      device?: string;
    };

export type SignInStep = (attempt: SignInAttempt) => Promise<SignInOutcome | undefined>;

/**
 * The MFA hook: called after the password and lockout checks passed. Returns undefined when no
 * second factor is needed (then `finish` starts the session), or an outcome (usually `pending`,
 * after storing a pending sign-in with stage `mfa`). The MFA capability installs it.
 */
export type RequireMfa = (attempt: SignInAttempt) => Promise<SignInOutcome | undefined>;

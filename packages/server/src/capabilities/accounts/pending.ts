/**
 * A sign-in in progress: the password (or another first factor) was verified but the browser must
 * still do something before it gets a session — pass a second factor (`stage: 'mfa'`, the MFA pages)
 * or change its password (`stage: 'change_password'`). Held in the shared state for ten minutes
 * under a random id that only this browser's cookie carries; every instance sees it. Consumed
 * atomically when the sign-in completes.
 */
import { digestSecret, randomToken } from '../../crypto/secret-token.ts';
import type { SharedState } from '../../state/state.ts';

export interface PendingSignIn {
  tenantId: string;
  userId: string;
  /** Methods passed so far (`['pwd']`). */
  amr: string[];
  returnTo: string;
  /** What the browser must do next. */
  stage: 'mfa' | 'change_password' | (string & {});
  /** Why the password must change (`forced`, `expired`), for the page. */
  reason?: string;
  /** Free-form data of the stage's owner (e.g. the MFA methods offered). */
  data?: Record<string, unknown>;
  createdAt: number;
}

export interface PendingSignIns {
  /** Stores it and returns the secret for the pending cookie. */
  create(pending: Omit<PendingSignIn, 'createdAt'>): Promise<string>;
  /** The pending sign-in of this secret (for this tenant), or null. */
  get(tenantId: string, secret: string | undefined): Promise<PendingSignIn | null>;
  /** Replaces it (next stage) under the same secret. */
  update(secret: string, pending: PendingSignIn): Promise<void>;
  /** Reads and deletes it in one step: only one request can complete it. */
  take(tenantId: string, secret: string | undefined): Promise<PendingSignIn | null>;
  /** The cookie carrying the pending sign-in of a tenant. */
  cookieName(slug: string): string;
}

export const PENDING_TTL_MS = 10 * 60_000;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function createPendingSignIns(state: SharedState, secureCookies: () => boolean): PendingSignIns {
  const keyOf = (secret: string) => `signin-pending:${digestSecret(secret)}`;
  const parse = (tenantId: string, text: string | null): PendingSignIn | null => {
    if (!text) return null;
    const p = JSON.parse(text) as PendingSignIn;
    return p.tenantId === tenantId && Date.now() - p.createdAt < PENDING_TTL_MS ? p : null;
  };
  return {
    async create(pending) {
      const secret = randomToken(32);
      await state.set(keyOf(secret), JSON.stringify({ ...pending, createdAt: Date.now() }), PENDING_TTL_MS);
      return secret;
    },
    async get(tenantId, secret) {
      if (!secret || !SECRET.test(secret)) return null;
      return parse(tenantId, await state.get(keyOf(secret)));
    },
    async update(secret, pending) {
      const left = PENDING_TTL_MS - (Date.now() - pending.createdAt);
      if (left > 0) await state.set(keyOf(secret), JSON.stringify(pending), left);
    },
    async take(tenantId, secret) {
      if (!secret || !SECRET.test(secret)) return null;
      return parse(tenantId, await state.take(keyOf(secret)));
    },
    cookieName: (slug) => (secureCookies() ? `__Host-gk_pending_${slug}` : `gk_pending_${slug}`),
  };
}

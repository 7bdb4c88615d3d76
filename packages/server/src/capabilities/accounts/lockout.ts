/**
 * Account lockout: N failed sign-ins in a row (tenant setting, default 5) lock the account for M
 * seconds (default 900). Known accounts count in `account_states` (one guarded UPDATE per failure);
 * logins that name no account count in the shared state with the same thresholds, so a locked answer
 * tells nobody whether an account exists. A success clears the count; an admin can unlock.
 */
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { SharedState } from '../../state/state.ts';
import type { Database } from '../../storage/database.ts';
import { toIsoOrNull } from '../../storage/time.ts';
import type { AccountStateView } from './schemas.ts';
import type { SignInSettingsService } from './settings.ts';
import type { AccountsStore } from './store.ts';

export interface LockoutService {
  /** Milliseconds the account (or unknown login) stays locked, 0 when not locked. */
  lockedFor(tenantId: string, subject: LockSubject): Promise<number>;
  /**
   * `lockedFor` plus whether a known account has nothing to clear (no failures, no lock recorded):
   * the sign-in skips `succeed` then — one read instead of a read and a write per sign-in.
   */
  assess(
    tenantId: string,
    subject: LockSubject,
  ): Promise<{ lockedMs: number; clean: boolean; account: AccountPasswordFacts | null }>;
  /** Counts a failure; returns the lock duration in ms when this failure locked the account, else 0. */
  fail(tenantId: string, subject: LockSubject, ctx: ActionContext & { tenantSlug: string }): Promise<number>;
  succeed(tenantId: string, userId: string): Promise<void>;
  state(tenantId: string, userId: string): Promise<AccountStateView>;
  unlock(tenantId: string, userId: string, ctx: ActionContext & { tenantSlug: string }): Promise<void>;
}

/** What the same read tells of a known account's password (the sign-in's forced-change check). */
export interface AccountPasswordFacts {
  mustChangePassword: boolean;
  passwordChangedAt: number | null;
}

/** A known account by id, or an unknown login by its folded text. */
export type LockSubject = { userId: string } | { login: string };

export function createLockout(deps: {
  store: AccountsStore;
  database: Database;
  state: SharedState;
  settings: SignInSettingsService;
  bus: EventBus;
  now?: () => number;
}): LockoutService {
  const { store, state, settings, bus, database } = deps;
  const now = deps.now ?? Date.now;
  const unknownKey = (tenantId: string, login: string) =>
    `signin-unknown:${tenantId}:${login.toLowerCase().slice(0, 254)}`;

  function emitLocked(tenantSlug: string, ctx: ActionContext, target: string, ms: number, failures: number) {
    bus.emit({
      type: 'account.locked',
      tenant: tenantSlug,
      actor: ctx.actor,
      target,
      result: 'success',
      requestId: ctx.requestId ?? null,
      data: { seconds: Math.round(ms / 1000), failures },
    });
  }

  async function assess(tenantId: string, subject: LockSubject) {
    const at = now();
    if ('userId' in subject) {
      const row = await store.accountState(tenantId, subject.userId);
      const until = row?.locked_until == null ? 0 : Number(row.locked_until);
      const clean = !row || ((row.failed_count ?? 0) === 0 && row.locked_until == null);
      const account = {
        mustChangePassword: row?.must_change_password === 1,
        passwordChangedAt: row?.password_changed_at == null ? null : Number(row.password_changed_at),
      };
      return { lockedMs: until > at ? until - at : 0, clean, account };
    }
    const until = Number((await state.get(`${unknownKey(tenantId, subject.login)}:lock`)) ?? 0);
    return { lockedMs: until > at ? until - at : 0, clean: false, account: null };
  }

  return {
    assess,
    lockedFor: async (tenantId, subject) => (await assess(tenantId, subject)).lockedMs,

    async fail(tenantId, subject, ctx) {
      const { maxFailures, durationSeconds } = (await settings.get(tenantId)).lockout;
      const ms = durationSeconds * 1000;
      const at = now();
      if ('userId' in subject) {
        const count = await store.addFailure(tenantId, subject.userId, at);
        if (count < maxFailures) return 0;
        await database.write(async () => {
          await store.lock(tenantId, subject.userId, at + ms, at);
          emitLocked(ctx.tenantSlug, ctx, `user:${subject.userId}`, ms, count);
        });
        return ms;
      }
      const key = unknownKey(tenantId, subject.login);
      const count = await state.increment(key, Math.max(ms, 60_000));
      if (count < maxFailures) return 0;
      await state.delete(key);
      await state.set(`${key}:lock`, String(at + ms), ms);
      return ms;
    },

    async succeed(tenantId, userId) {
      await store.clearFailures(tenantId, userId, now());
    },

    async state(tenantId, userId) {
      const row = await store.accountState(tenantId, userId);
      const until = row?.locked_until == null ? null : Number(row.locked_until);
      return {
        userId,
        failedAttempts: row?.failed_count ?? 0,
        locked: until !== null && until > now(),
        lockedUntil: until !== null && until > now() ? toIsoOrNull(until) : null,
        mustChangePassword: row?.must_change_password === 1,
        passwordChangedAt: toIsoOrNull(
          row?.password_changed_at == null ? null : Number(row.password_changed_at),
        ),
      };
    },

    async unlock(tenantId, userId, ctx) {
      await database.write(async () => {
        await store.clearFailures(tenantId, userId, now());
        bus.emit({
          type: 'account.unlocked',
          tenant: ctx.tenantSlug,
          actor: ctx.actor,
          target: `user:${userId}`,
          result: 'success',
          requestId: ctx.requestId ?? null,
        });
      });
    },
  };
}

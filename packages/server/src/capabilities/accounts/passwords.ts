/**
 * Changing a password on the hosted pages: the tenant policy (`password-policy.ts`), then the
 * history (the current password and the last N are refused), then one unit of work that stores the
 * new Argon2id hash, records it in the history, clears a forced change and emits `password.changed`.
 * A refused change leaves the password and the history as they were. Every other password set (admin
 * API, CLI, setup, a new user's first one) passes `rules` through the users service: the same tenant
 * policy, no re-use of the current one or the history, recorded in the history, the expiry clock
 * started. An admin can
 * require a change at the next sign-in; an expiry (off by default) does the same after N days.
 */
import './errors.ts';
import type { PasswordHasher } from '../../crypto/password.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext, EventBus } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import { newId } from '../../storage/ids.ts';
import type { PasswordRules, UsersService } from '../users/index.ts';
import type { AccountPasswordFacts } from './lockout.ts';
import { type PasswordProblem, passwordMessages } from './pages/messages.en.ts';
import { passwordPolicyProblem } from './password-policy.ts';
import type { SignInSettingsService } from './settings.ts';
import type { AccountsStore } from './store.ts';

/** A refused new password: the catalogue key and its rendered English message. */
export class PasswordRefused extends AppError {
  readonly problem: PasswordProblem;
  constructor(problem: PasswordProblem, message: string) {
    super('password_rejected', { detail: `password: ${message}` });
    this.problem = problem;
  }
}

export interface PasswordsService {
  /** Throws PasswordRefused unless `password` may become the user's new password. */
  check(tenantId: string, userId: string, password: string): Promise<void>;
  /** Checks, then stores the new password in one unit with its history and audit event. */
  change(
    tenantId: string,
    userId: string,
    password: string,
    ctx: ActionContext & { tenantSlug: string; reason: string },
  ): Promise<void>;
  /** Why the user must change the password before a session: `forced`, `expired`, or null. */
  /** Whether the password must change before a session starts; `known`: the facts read already. */
  changeRequired(
    tenantId: string,
    userId: string,
    known?: AccountPasswordFacts,
  ): Promise<'forced' | 'expired' | null>;
  /**
   * What every other password set (admin API, CLI, setup, a new user's first password) must pass:
   * the tenant policy, and not the current password nor one of the last `historyCount`; recorded in the history and
   * starting the expiry clock (a forced change stays as the administrator left it).
   */
  rules: PasswordRules;
  /** Admin action: require (or stop requiring) a change at the next sign-in. */
  requireChange(
    tenantId: string,
    userId: string,
    required: boolean,
    ctx: ActionContext & { tenantSlug: string },
  ): Promise<void>;
}

function refuse(problem: PasswordProblem, arg?: number): never {
  const m = passwordMessages[problem];
  throw new PasswordRefused(problem, typeof m === 'function' ? m(arg ?? 0) : m);
}

export function createPasswordsService(deps: {
  store: AccountsStore;
  database: Database;
  bus: EventBus;
  users: UsersService;
  hasher: PasswordHasher;
  settings: SignInSettingsService;
  now?: () => number;
}): PasswordsService {
  const { store, database, users, hasher, settings, bus } = deps;
  const now = deps.now ?? Date.now;

  async function check(tenantId: string, userId: string, password: string): Promise<void> {
    const policy = (await settings.get(tenantId)).password;
    const user = await users.get(tenantId, userId);
    const problem = passwordPolicyProblem(password, policy, [user.username, user.email, user.name]);
    if (problem) refuse(problem.problem, problem.arg);
    await checkReuse(tenantId, userId, password, policy.historyCount);
  }

  /** The current password and the last `historyCount` are refused. */
  async function checkReuse(tenantId: string, userId: string, password: string, historyCount: number) {
    if (await users.isCurrentPassword(tenantId, userId, password)) refuse('sameAsCurrent');
    for (const old of await store.passwordHistory(tenantId, userId, historyCount)) {
      if ((await hasher.verify(old, password)).ok) refuse('reused', historyCount);
    }
  }

  const rules: PasswordRules = {
    async policy(tenantId, password, names) {
      const problem = passwordPolicyProblem(password, (await settings.get(tenantId)).password, names);
      if (problem) refuse(problem.problem, problem.arg);
    },
    check,
    async inUnit(tenantId, userId, hash) {
      const at = now();
      await store.addPasswordHistory(
        { id: newId(at), tenant_id: tenantId, user_id: userId, hash, created_at: at },
        (await settings.get(tenantId)).password.historyCount,
      );
      await store.passwordSet(tenantId, userId, at);
    },
  };

  return {
    check,
    rules,
    async change(tenantId, userId, password, ctx) {
      await check(tenantId, userId, password);
      const policy = (await settings.get(tenantId)).password;
      await users.setPassword(tenantId, userId, password, ctx, {
        inUnit: async (hash) => {
          const at = now();
          await store.addPasswordHistory(
            { id: newId(at), tenant_id: tenantId, user_id: userId, hash, created_at: at },
            policy.historyCount,
          );
          await store.passwordChanged(tenantId, userId, at);
          bus.emit({
            type: 'password.changed',
            tenant: ctx.tenantSlug,
            actor: ctx.actor,
            target: `user:${userId}`,
            result: 'success',
            requestId: ctx.requestId ?? null,
            data: { reason: ctx.reason },
          });
        },
      });
    },
    async changeRequired(tenantId, userId, known) {
      let facts = known;
      if (!facts) {
        const row = await store.accountState(tenantId, userId);
        facts = {
          mustChangePassword: row?.must_change_password === 1,
          passwordChangedAt: row?.password_changed_at == null ? null : Number(row.password_changed_at),
        };
      }
      if (facts.mustChangePassword) return 'forced';
      const { expiryDays } = (await settings.get(tenantId)).password;
      if (expiryDays > 0 && facts.passwordChangedAt !== null) {
        if (now() - facts.passwordChangedAt > expiryDays * 86_400_000) return 'expired';
      }
      return null;
    },
    async requireChange(tenantId, userId, required, ctx) {
      await users.get(tenantId, userId);
      await database.write(async () => {
        await store.setMustChange(tenantId, userId, required, now());
        bus.emit({
          type: required ? 'password.change_required' : 'password.change_waived',
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

/**
 * Creating users in bulk (the CSV import): one existence query and one transaction per batch instead
 * of two round trips per user, which is what lets 100,000 rows import in seconds. A row that breaks a
 * rule or collides with an existing user is reported as that row's outcome; the others still go in.
 * If a concurrent writer takes a name between the check and the insert, the batch falls back to
 * one-by-one inserts so only the colliding row fails.
 */
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { Database } from '../../storage/database.ts';
import type { UsersTable } from '../../storage/tables.ts';
import { createdFields, newUserRow, toUserView } from './rows.ts';
import { emailKey, foldCase } from './rules.ts';
import type { CreateUserInput, UserView } from './schemas.ts';
import type { UserEvents } from './service-deps.ts';
import type { UsersStore } from './store.ts';

/** One row's outcome in `createMany`. */
export type BatchOutcome = { ok: true; user: UserView } | { ok: false; reason: string };

export interface BatchCreate {
  /** Which of these usernames / emails (any case) already exist; answers folded values. */
  findExisting(
    tenantId: string,
    usernames: readonly string[],
    emails: readonly string[],
  ): Promise<{ usernames: Set<string>; emails: Set<string> }>;
  /** Creates many users (no passwords) in one transaction where possible; one outcome per input. */
  createMany(
    tenantId: string,
    inputs: readonly CreateUserInput[],
    ctx: ActionContext,
  ): Promise<BatchOutcome[]>;
}

const fold = (v: string) => foldCase(v.trim());
const foldEmail = (v: string) => emailKey(v.trim().normalize('NFC')) ?? fold(v);

export function createBatchCreate(deps: {
  store: UsersStore;
  events: UserEvents;
  now: () => number;
  database: Database;
  /** Refuse look-alikes of existing usernames (the `usernameConfusablesRefused` setting). */
  confusablesRefused: () => boolean;
}): BatchCreate {
  const { store, events, now, database } = deps;
  const emitCreated = (tenantId: string, ctx: ActionContext, row: UsersTable) =>
    events.emit('user.created', tenantId, ctx, row.id, {
      username: row.username,
      fields: createdFields(row),
    });
  return {
    async findExisting(tenantId, usernames, emails) {
      return store.existing(tenantId, usernames.map(fold), emails.map(foldEmail));
    },

    async createMany(tenantId, inputs, ctx) {
      const outcomes: (BatchOutcome | UsersTable)[] = inputs.map((input) => {
        try {
          return newUserRow(tenantId, { ...input, password: undefined }, null, now());
        } catch (err) {
          return { ok: false, reason: err instanceof AppError ? (err.detail ?? err.message) : String(err) };
        }
      });
      const rows = outcomes.filter((o): o is UsersTable => 'id' in o);
      const refuseLookAlikes = deps.confusablesRefused();
      const existing = await store.existing(
        tenantId,
        rows.map((r) => r.username_lower),
        rows.flatMap((r) => (r.email_lower === null ? [] : [r.email_lower])),
        refuseLookAlikes ? rows.map((r) => r.username_skeleton!) : [],
      );
      // a look-alike of an earlier row of the same batch counts like one of an existing user
      const lookAlike = new Map<string, string>();
      for (const r of rows)
        if (!lookAlike.has(r.username_skeleton!)) lookAlike.set(r.username_skeleton!, r.id);
      const exists = (r: UsersTable) =>
        existing.usernames.has(r.username_lower)
          ? 'username already exists'
          : r.email_lower !== null && existing.emails.has(r.email_lower)
            ? 'email already exists'
            : refuseLookAlikes &&
                (existing.skeletons.has(r.username_skeleton!) || lookAlike.get(r.username_skeleton!) !== r.id)
              ? 'username looks like an existing one'
              : null;
      const fresh = rows.filter((r) => exists(r) === null);
      const failedInsert = new Map<string, string>();
      // each insert commits with its user.created audit event (one unit for the batch)
      try {
        await database.write(async () => {
          await store.insertMany(fresh);
          for (const r of fresh) await emitCreated(tenantId, ctx, r);
        });
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'conflict')) throw err;
        // A concurrent writer took one of the names: insert one by one to find which.
        for (const r of fresh) {
          await database
            .write(async () => {
              await store.insert(r);
              await emitCreated(tenantId, ctx, r);
            })
            .catch((e: unknown) => {
              if (!(e instanceof AppError)) throw e;
              failedInsert.set(r.id, e.detail ?? e.message);
            });
        }
      }
      const result: BatchOutcome[] = [];
      for (const o of outcomes) {
        if (!('id' in o)) {
          result.push(o);
          continue;
        }
        const reason = exists(o) ?? failedInsert.get(o.id);
        if (reason) {
          result.push({ ok: false, reason });
          continue;
        }
        result.push({ ok: true, user: toUserView(o) });
      }
      return result;
    },
  };
}

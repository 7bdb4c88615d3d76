/**
 * Why: `admin`, `аdmin` (Cyrillic а) and `admın` (dotless ı) were three users, and the Unicode and
 * the punycode spelling of one email domain two. Users get `username_skeleton`, the Unicode TS #39
 * confusable skeleton of their comparison key, indexed per tenant so a look-alike of an existing
 * username is found with one index probe; and the comparison keys move to one form
 * (`text/identifiers.ts`): usernames PRECIS UsernameCaseMapped (width mapping added), email domains
 * in IDNA ASCII. Existing rows are backfilled in pages by id. A recomputed key that would collide with
 * another user's in the tenant keeps its old value (the unique index stays satisfied; such pairs were
 * already look-alikes and are left to an administrator).
 */
import type { Kysely } from 'kysely';
import { skeleton } from '../../text/confusables.ts';
import { emailKey, usernameKey } from '../../text/identifiers.ts';
import type { Migration } from '../migrator.ts';

const PAGE = 1000;

interface Row {
  id: string;
  tenant_id: string;
  username: string;
  username_lower: string;
  email: string | null;
  email_lower: string | null;
}

/** Keys in use per tenant, so a recomputed key that another row holds is not taken. */
class TenantKeys {
  readonly #used = new Map<string, Set<string>>();
  add(tenant: string, key: string): void {
    const set = this.#used.get(tenant) ?? new Set<string>();
    this.#used.set(tenant, set);
    set.add(key);
  }
  /** Moves a row from `old` to `next` when `next` is free in its tenant; returns the key it keeps. */
  move(tenant: string, old: string, next: string): string {
    if (next === old) return old;
    const set = this.#used.get(tenant)!;
    if (set.has(next)) return old;
    set.delete(old);
    set.add(next);
    return next;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it is at this point
async function* pages(db: Kysely<any>): AsyncGenerator<Row[]> {
  let after = '';
  for (;;) {
    const rows = (await db
      .selectFrom('users')
      .select(['id', 'tenant_id', 'username', 'username_lower', 'email', 'email_lower'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as Row[];
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!.id;
  }
}

export const migration: Migration = {
  id: '0007-username-skeletons',
  async up(db) {
    await db.schema.alterTable('users').addColumn('username_skeleton', 'text').execute();
    await db.schema
      .createIndex('users_tenant_skeleton')
      .on('users')
      .columns(['tenant_id', 'username_skeleton'])
      .execute();

    const usernames = new TenantKeys();
    const emails = new TenantKeys();
    for await (const rows of pages(db)) {
      for (const r of rows) {
        usernames.add(r.tenant_id, r.username_lower);
        if (r.email_lower !== null) emails.add(r.tenant_id, r.email_lower);
      }
    }
    for await (const rows of pages(db)) {
      for (const r of rows) {
        const usernameLower = usernames.move(r.tenant_id, r.username_lower, usernameKey(r.username));
        const emailLower =
          r.email === null || r.email_lower === null
            ? r.email_lower
            : emails.move(r.tenant_id, r.email_lower, emailKey(r.email) ?? r.email_lower);
        await db
          .updateTable('users')
          .set({
            username_lower: usernameLower,
            email_lower: emailLower,
            username_skeleton: skeleton(usernameLower),
          })
          .where('id', '=', r.id)
          .execute();
      }
    }
  },
};

/**
 * Runs the ordered migrations at start-up and from `gatekeeper migrate`. Guarantees:
 * - one writer: all pending migrations run in one transaction under a cross-process lock, so two
 *   instances starting together do not both migrate;
 * - immutability: each applied migration's checksum is recorded and re-checked at every start; an
 *   edited, reordered or unknown migration stops start-up instead of leaving schemas to drift;
 * - both dialects from one definition (`DialectFeatures` supplies the few type differences).
 */
import { createHash } from 'node:crypto';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { ConfigError } from '../errors/app-error.ts';
import type { Database } from './database.ts';
import type { DialectFeatures } from './dialect.ts';
import type { Tables } from './tables.ts';

export interface Migration {
  readonly id: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations create tables the typed schema does not know yet
  up(db: Kysely<any>, dialect: DialectFeatures): Promise<void>;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/**
 * Checksum of what a migration DOES: the SQL it issues for this dialect, captured by running it
 * against a compile-only Kysely (no database). Hashing the function's source instead would change
 * with the loader (Node's type stripping and a test runner's transform print it differently) and
 * with harmless edits such as comments; the SQL changes exactly when the schema change does.
 */
export async function migrationChecksum(m: Migration, dialect: DialectFeatures): Promise<string> {
  const statements: string[] = [];
  const compileOnly = new Kysely<Tables>({
    dialect: {
      createAdapter: () => (dialect.name === 'postgres' ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) =>
        dialect.name === 'postgres' ? new PostgresIntrospector(db) : new SqliteIntrospector(db),
      createQueryCompiler: () =>
        dialect.name === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler(),
    },
    log: (event) => {
      statements.push(`${event.query.sql}\n${JSON.stringify(event.query.parameters)}`);
    },
  });
  await m.up(compileOnly, dialect);
  await compileOnly.destroy();
  return createHash('sha256')
    .update(`${m.id}\n${statements.join('\n;\n')}`)
    .digest('hex');
}

async function ensureTable(db: Kysely<Tables>, d: DialectFeatures): Promise<void> {
  await db.schema
    .createTable('gk_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', d.bigintType, (c) => c.notNull())
    .execute();
}

async function compare(
  migrations: readonly Migration[],
  applied: { id: string; checksum: string }[],
  dialect: DialectFeatures,
): Promise<MigrationStatus> {
  const known = new Map(migrations.map((m, i) => [m.id, { m, i }]));
  for (const [i, row] of applied.entries()) {
    const entry = known.get(row.id);
    if (!entry) {
      throw new ConfigError(
        'GATEKEEPER_DATABASE_URL',
        `the database has migration ${row.id}, which this build does not know (is it newer than this build?)`,
      );
    }
    if (entry.i !== i)
      throw new ConfigError('GATEKEEPER_DATABASE_URL', `migration ${row.id} was applied out of order`);
    if ((await migrationChecksum(entry.m, dialect)) !== row.checksum) {
      throw new ConfigError(
        'GATEKEEPER_DATABASE_URL',
        `migration ${row.id} was changed after it was applied; migrations are immutable`,
      );
    }
  }
  const appliedIds = applied.map((r) => r.id);
  return { applied: appliedIds, pending: migrations.slice(applied.length).map((m) => m.id) };
}

async function readApplied(
  db: Kysely<Tables>,
): Promise<{ id: string; checksum: string; applied_at: number }[]> {
  const rows = await db.selectFrom('gk_migrations').selectAll().execute();
  // ids start with a zero-padded number, so lexical order is application order
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Applies every pending migration; returns the ids applied now. */
export async function migrate(
  database: Database,
  migrations: readonly Migration[],
  onApplied?: (id: string) => void,
): Promise<string[]> {
  const { db, dialect } = database;
  return db.transaction().execute(async (trx) => {
    await dialect.lockInTransaction(trx, 'gatekeeper:migrations');
    await ensureTable(trx, dialect);
    const status = await compare(migrations, await readApplied(trx), dialect);
    for (const id of status.pending) {
      const m = migrations.find((x) => x.id === id)!;
      await m.up(trx, dialect);
      await trx
        .insertInto('gk_migrations')
        .values({ id, checksum: await migrationChecksum(m, dialect), applied_at: Date.now() })
        .execute();
      onApplied?.(id);
    }
    return status.pending;
  });
}

/** Reads which migrations are applied and pending without changing anything. */
export async function migrationStatus(
  database: Database,
  migrations: readonly Migration[],
): Promise<MigrationStatus> {
  const exists = await database.tableExists('gk_migrations');
  if (!exists) return { applied: [], pending: migrations.map((m) => m.id) };
  return compare(migrations, await readApplied(database.db), database.dialect);
}

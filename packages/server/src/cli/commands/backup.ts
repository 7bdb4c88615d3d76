/**
 * `gatekeeper backup FILE` and `gatekeeper restore FILE` for the embedded SQLite database (see
 * docs/backup.md). Backup runs online beside a live server. Restore reads only the configuration
 * to find the database path, then lets `restoreSqlite` check the backup, the instance lock and open
 * handles before anything is replaced: it never builds the runtime, so nothing opens or migrates the
 * target first. PostgreSQL deployments get one line pointing to pg_dump / pg_restore.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { effectiveDatabaseUrl, isEmbedded } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { AppError } from '../../errors/app-error.ts';
import { backupSqlite, POSTGRES_BACKUP_HINT, restoreSqlite } from '../../storage/backup.ts';
import { openDatabase, sqlitePathOf } from '../../storage/database.ts';
import { migrations } from '../../storage/migrations/index.ts';
import { loadCliConfig, out } from '../context.ts';
import { createProgress } from '../progress.ts';

/** The embedded database file named by the configuration; refuses PostgreSQL and `:memory:`. */
function embeddedPath(config: Config): string {
  if (!isEmbedded(config)) throw new AppError('validation_failed', { detail: POSTGRES_BACKUP_HINT });
  const path = sqlitePathOf(effectiveDatabaseUrl(config));
  if (path === ':memory:') {
    throw new AppError('validation_failed', {
      detail: 'the database is in memory: there is nothing to back up',
    });
  }
  return path;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent copy of the embedded SQLite database, safe while Gatekeeper runs (PostgreSQL: use pg_dump, see docs/backup.md)',
    )
    .argument('<file>', 'the backup file to write')
    .option('--force', 'replace FILE if it exists (the old file stays until the new backup is complete)')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      const path = embeddedPath(config);
      if (!existsSync(path)) {
        throw new AppError('validation_failed', {
          detail: `there is no database at ${path} (check GATEKEEPER_DATA_DIR and GATEKEEPER_DATABASE_URL)`,
        });
      }
      const database = await openDatabase(effectiveDatabaseUrl(config), { readOnly: true });
      try {
        const progress = createProgress('backup', 0);
        const result = await backupSqlite(database, file, {
          force: opts.force === true,
          onProgress: (done, total) => progress.update(done, total),
        });
        progress.stop();
        out(
          `backup written to ${result.file} (${formatBytes(result.bytes)}, schema ${result.migrations.at(-1)})`,
        );
        out('the master keys are not in the backup: keep them safe separately (see docs/backup.md)');
      } finally {
        await database.close();
      }
    });

  program
    .command('restore')
    .description(
      'replace the embedded SQLite database with a backup; refused while Gatekeeper runs (PostgreSQL: use pg_restore, see docs/backup.md)',
    )
    .argument('<file>', 'a backup written by `gatekeeper backup`')
    .option('--force', 'replace an existing database (it is kept beside it as <db>.pre-restore-<time>)')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const { config } = loadCliConfig(cmd);
      const result = await restoreSqlite(file, embeddedPath(config), {
        force: opts.force === true,
        knownMigrations: migrations.map((m) => m.id),
      });
      out(`restored ${file} into ${result.target} (schema ${result.migrations.at(-1)})`);
      if (result.previous) out(`the replaced database was kept as ${result.previous}`);
      out(
        'start Gatekeeper with the master keys in use when the backup was taken; pending migrations apply at start',
      );
    });
}

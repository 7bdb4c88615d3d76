/** `gatekeeper migrate`: apply pending database migrations (also done at every start), or show them. */
import type { Command } from 'commander';
import { migrations } from '../../storage/migrations/index.ts';
import { migrate, migrationStatus } from '../../storage/migrator.ts';
import { out, withDatabase } from '../context.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--status', 'only show applied and pending migrations')
    .action(async (opts: { status?: boolean }, cmd: Command) => {
      await withDatabase(cmd, async (database) => {
        if (opts.status) {
          const s = await migrationStatus(database, migrations);
          for (const id of s.applied) out(`applied  ${id}`);
          for (const id of s.pending) out(`pending  ${id}`);
          return;
        }
        const applied = await migrate(database, migrations, (id) => out(`applied  ${id}`));
        out(applied.length === 0 ? 'database is up to date' : `${applied.length} migration(s) applied`);
      });
    });
}

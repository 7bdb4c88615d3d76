/**
 * `gatekeeper users create|list|show|disable|enable|delete|import|export`: the users of one tenant
 * through the same users service the admin API uses (validation, case-insensitive uniqueness, audit
 * events with actor `cli:<user>@<host>`). Users are named by id or by username/email. `import`
 * streams a CSV or NDJSON file with a progress bar on stderr (its total counted first), prints each
 * bad line as `line N: reason` (or writes them to `--errors FILE` as CSV) and exits 1 when any row
 * failed; `--dry-run` writes nothing; `--create-groups` creates the groups rows name. `export`
 * writes what `import` reads plus read-only columns it ignores, so an export imports as it is.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { stringify } from 'csv-stringify';
import type { GroupsService } from '../../capabilities/groups/index.ts';
import {
  countDataLines,
  exportUsers,
  type ImportFailure,
  type ImportFormat,
  type ImportGroups,
  runUserImport,
  USER_EXPORT_COLUMNS,
  type UserStatus,
  type UsersService,
  type UserView,
} from '../../capabilities/users/index.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import type { Runtime } from '../../runtime.ts';
import { cliContext, out, withRuntime } from '../context.ts';
import { readPassword } from '../password-prompt.ts';
import { createProgress } from '../progress.ts';
import { resolveUser } from '../resolve.ts';
import { formatFromFileName, type TabularFormat, writeTabular } from '../tabular.ts';

export interface UserCommandServices {
  users: UsersService;
  tenants: { resolve(slug: string): Promise<{ id: string }> };
  /** When present, `import` adds users to the groups named in the `groups` column and `export` fills it. */
  groups?: ImportGroups & Pick<GroupsService, 'groupNamesOfUsers'>;
  /** Called around the command when present (e.g. cache subscriptions). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

type MakeServices = (rt: Runtime) => UserCommandServices;

const ctx: ActionContext = cliContext();
const STATUSES = ['active', 'disabled', 'locked'];
const LIST_MAX = 1000;
/** Bad rows printed to the terminal when they also go to an --errors file. */
const ERRORS_SHOWN_WITH_FILE = 20;

/** Fails early, with one line, when the file cannot be read. */
async function checkReadable(file: string): Promise<void> {
  try {
    await (await open(file, 'r')).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AppError('validation_failed', { detail: `cannot read ${file} (${code})` });
  }
}

async function writeErrors(file: string, failed: readonly ImportFailure[]): Promise<void> {
  const csv = stringify({ header: true, columns: ['line', 'reason'], record_delimiter: 'windows' });
  const writing = pipeline(csv, createWriteStream(file, { mode: 0o600 }));
  for (const f of failed) csv.write([f.line, f.reason]);
  csv.end();
  await writing;
}

function summary(u: UserView): string {
  return `${u.username} (${u.id}) ${u.status}${u.email ? ` <${u.email}>` : ''}`;
}

export function registerUsers(program: Command, makeServices: MakeServices): void {
  /** Runs `fn` with the services and the id of the `--tenant` slug. */
  function withTenant<T>(
    cmd: Command,
    slug: string,
    fn: (s: UserCommandServices, tenantId: string, rt: Runtime) => Promise<T>,
  ): Promise<T> {
    return withRuntime(cmd, async (rt) => {
      const services = makeServices(rt);
      await services.start?.();
      try {
        const { id } = await services.tenants.resolve(slug);
        return await fn(services, id, rt);
      } finally {
        await services.stop?.();
      }
    });
  }

  const users = program.command('users').description("manage a tenant's users");

  users
    .command('create')
    .description('create a user (username and email are unique per tenant, ignoring case)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--username <username>', 'login name')
    .option('--email <email>', 'email address')
    .option('--name <name>', 'full name')
    .option('--password-stdin', 'read the password from standard input (asked for on a terminal)')
    .option('--json', 'print the user as JSON')
    .action(
      async (
        opts: {
          tenant: string;
          username: string;
          email?: string;
          name?: string;
          passwordStdin?: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const password = opts.passwordStdin ? await readPassword() : undefined;
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const u = await s.users.create(
            tenantId,
            { username: opts.username, email: opts.email, name: opts.name, password },
            ctx,
          );
          out(opts.json ? JSON.stringify(u, null, 2) : `created user ${summary(u)}`);
        });
      },
    );

  users
    .command('list')
    .description('list users by username')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .addOption(new Option('--status <status>', 'only users with this status').choices(STATUSES))
    .option('--q <prefix>', 'only users whose username or email starts with this (any case)')
    .option('--limit <n>', `at most this many users (1–${LIST_MAX})`, Number, 50)
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { tenant: string; status?: UserStatus; q?: string; limit: number; json?: boolean },
        cmd: Command,
      ) => {
        const { limit } = opts;
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_MAX) {
          throw new AppError('validation_failed', {
            detail: `--limit must be an integer from 1 to ${LIST_MAX}`,
          });
        }
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const page = await s.users.list(tenantId, {
            limit,
            sort: 'username',
            descending: false,
            after: undefined,
            filters: { status: opts.status, q: opts.q },
          });
          if (opts.json) return out(JSON.stringify(page.items, null, 2));
          const width = Math.max(8, ...page.items.map((u) => u.username.length));
          for (const u of page.items) {
            out(`${u.username.padEnd(width)}  ${u.id}  ${u.status.padEnd(8)}  ${u.email ?? ''}`.trimEnd());
          }
          if (page.items.length === 0) out('no users');
          if (page.nextCursor) out(`… more users: raise --limit, narrow with --q, or use "users export"`);
        });
      },
    );

  users
    .command('show')
    .description('show a user with its external identities and application properties')
    .argument('<user>', 'user id, username or email')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (name: string, opts: { tenant: string }, cmd: Command) => {
      await withTenant(cmd, opts.tenant, async (s, tenantId) => {
        const u = await resolveUser(s.users, tenantId, name, opts.tenant);
        const identities = await s.users.listIdentities(tenantId, u.id);
        const properties = await s.users.listProperties(tenantId, u.id);
        out(JSON.stringify({ ...u, identities, properties }, null, 2));
      });
    });

  for (const [action, verb, text] of [
    ['disable', 'disabled', 'disable a user (blocks sign-in)'],
    ['enable', 'enabled', 'enable (or unlock) a user'],
    ['delete', 'deleted', 'delete a user with its identities, properties and memberships'],
  ] as const) {
    users
      .command(action)
      .description(text)
      .argument('<user>', 'user id, username or email')
      .requiredOption('--tenant <slug>', 'tenant slug')
      .action(async (name: string, opts: { tenant: string }, cmd: Command) => {
        await withTenant(cmd, opts.tenant, async (s, tenantId) => {
          const u = await resolveUser(s.users, tenantId, name, opts.tenant);
          if (action === 'delete') await s.users.delete(tenantId, u.id, u.version, ctx);
          else await s.users[action](tenantId, u.id, undefined, ctx);
          out(`${verb} user ${u.username} (${u.id})`);
        });
      });
  }

  users
    .command('import')
    .description('import users from a CSV file (username,email,fullname[,groups]) or an NDJSON file')
    .argument('<file>', 'CSV file with a header row (groups separated by ";"), or NDJSON: one object a line')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .addOption(
      new Option(
        '--format <format>',
        'file format (default: ndjson for .ndjson/.jsonl files, else csv)',
      ).choices(['csv', 'ndjson']),
    )
    .option(
      '--create-groups',
      'create the groups a row names that do not exist yet (instead of failing the row)',
    )
    .option('--dry-run', 'check every row (and existing users) without writing anything')
    .option('--errors <file>', 'also write the bad rows to this CSV file (line,reason)')
    .action(
      async (
        file: string,
        opts: {
          tenant: string;
          format?: ImportFormat;
          createGroups?: boolean;
          dryRun?: boolean;
          errors?: string;
        },
        cmd: Command,
      ) => {
        await checkReadable(file);
        const format = opts.format ?? (/\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'csv');
        const dryRun = opts.dryRun === true;
        const failed = await withTenant(cmd, opts.tenant, async (s, tenantId, rt) => {
          // a fixed total counted first, so the percentages only ever grow to 100
          const lines = await countDataLines(createReadStream(file));
          const total = format === 'csv' ? lines : lines + 1;
          const progress = createProgress(dryRun ? 'check' : 'import', total);
          const result = await runUserImport(s.users, tenantId, createReadStream(file), {
            format,
            dryRun,
            createGroups: opts.createGroups === true,
            ctx,
            groups: s.groups,
            onProgress: (done) => progress.update(done),
            refreshStatistics: (tables) => rt.database.refreshStatistics(tables),
          });
          progress.stop();
          const shown = opts.errors ? result.failed.slice(0, ERRORS_SHOWN_WITH_FILE) : result.failed;
          for (const f of shown) out(`line ${f.line}: ${f.reason}`);
          if (shown.length < result.failed.length)
            out(`… ${result.failed.length - shown.length} more in ${opts.errors}`);
          if (opts.errors) await writeErrors(opts.errors, result.failed);
          if (result.groupsCreated.length > 0) {
            const names = result.groupsCreated.slice(0, 10).join(', ');
            const more = result.groupsCreated.length > 10 ? ', …' : '';
            out(
              `${dryRun ? 'would create' : 'created'} ${result.groupsCreated.length} group(s): ${names}${more}`,
            );
          }
          const did = dryRun ? 'would import' : 'imported';
          out(
            `${did} ${result.imported} of ${result.total} rows; ${result.failed.length} failed${dryRun ? ' (dry run: nothing was written)' : ''}`,
          );
          return result.failed.length;
        });
        if (failed > 0) process.exitCode = 1;
      },
    );

  users
    .command('export')
    .description("export a tenant's users (by username) to a CSV or XLSX file")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('-o, --output <file>', 'file to write (.csv or .xlsx); replaced if it exists')
    .addOption(
      new Option('--format <format>', 'file format (default: from the --output file name)').choices([
        'csv',
        'xlsx',
      ]),
    )
    .action(async (opts: { tenant: string; output: string; format?: TabularFormat }, cmd: Command) => {
      const format = opts.format ?? formatFromFileName(opts.output);
      await withTenant(cmd, opts.tenant, async (s, tenantId, rt) => {
        const progress = createProgress('export', await s.users.count(tenantId));
        const written = await writeTabular(
          opts.output,
          format,
          USER_EXPORT_COLUMNS,
          exportUsers(s.users, tenantId, {
            ...(s.groups
              ? { groupsOf: (t: string, ids: string[]) => s.groups!.groupNamesOfUsers(t, ids) }
              : {}),
          }),
          (n) => progress.update(n),
          { sheetName: 'users' },
        );
        progress.stop();
        rt.bus.emit({
          type: 'users.exported',
          tenant: opts.tenant,
          actor: ctx.actor,
          target: null,
          result: 'success',
          data: { format, users: written },
        });
        out(`${written} users written to ${opts.output}`);
      });
    });
}

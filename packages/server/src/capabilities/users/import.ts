/**
 * Bulk import of users from CSV (`username,email,fullname[,groups]`, header row required, any column
 * order, BOM tolerated; the read-only columns of an export are ignored, so an export imports as it
 * is) or NDJSON (one object per line with the same fields). Streams the input line by line
 * (`import-sources.ts`), so 100,000 rows never sit in memory at once, and writes good rows in
 * batches of ~500, each batch one transaction (that is what makes 100,000 rows take seconds on
 * SQLite instead of minutes) in which every created user has its own `user.created` audit event.
 *
 * Every bad line is reported with its own line number and reason and the rest still import; the
 * totals add up (`total` = data lines that are not blank = `imported + failed.length`). With
 * `dryRun` nothing is written — rows are validated and checked against existing users only. A row's
 * groups are resolved (and, with `createGroup`, created when missing) through callbacks, so this
 * module does not depend on the groups capability; without them a non-empty `groups` cell is a row
 * error.
 */
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.ts';
import type { ActionContext } from '../../events/event-bus.ts';
import {
  csvRecords,
  type ImportColumn,
  type ImportFormat,
  type ImportRecord,
  ndjsonRecords,
} from './import-sources.ts';
import { checkEmail, checkUsername, emailKey, foldCase, toColumns } from './rules.ts';
import type { CreateUserInput } from './schemas.ts';
import type { UsersService } from './service.ts';

export type { ImportFormat } from './import-sources.ts';

export interface ImportOptions {
  /** `csv` (default) or `ndjson`. */
  format?: ImportFormat;
  /** Validate and check for existing users only; write nothing. */
  dryRun?: boolean;
  /**
   * Called every `batchSize` lines and at the end with the number of data lines read (blank and bad
   * ones included), so a total counted beforehand (`countDataLines`) is a fixed 100 %.
   */
  onProgress?: (linesRead: number) => void;
  ctx: ActionContext;
  /** Group name → group id in the tenant, or null when there is no such group. */
  resolveGroup?: (tenantId: string, name: string) => Promise<string | null>;
  addToGroup?: (tenantId: string, groupId: string, userId: string) => Promise<void>;
  /** Creates a missing group and returns its id (`--create-groups`); without it a missing group fails the row. */
  createGroup?: (tenantId: string, name: string) => Promise<string>;
  /** Rows per transaction (default 500). */
  batchSize?: number;
}

export interface ImportFailure {
  /** 1-based line of the file (the header is line 1 in a CSV file). */
  line: number;
  reason: string;
}

export interface ImportResult {
  /** Rows imported (with `dryRun`: rows that would be imported). */
  imported: number;
  /** Bad rows, by line. */
  failed: ImportFailure[];
  /** Data rows read, blank lines not counted (`imported + failed.length`). */
  total: number;
  /** Groups created for the rows (with `dryRun`: that would be created), by name. */
  groupsCreated: string[];
}

const MAX_GROUPS_PER_ROW = 50;

interface PendingRow {
  line: number;
  input: CreateUserInput;
  groupIds: string[];
}

function reasonOf(err: unknown): string {
  if (err instanceof AppError) return err.detail ?? err.message;
  throw err;
}

/**
 * Counts the data lines of a file (every line after the first, the last one also without a final
 * line break) without reading it whole: the fixed total of an import's progress.
 */
export async function countDataLines(input: AsyncIterable<Buffer | string>): Promise<number> {
  let breaks = 0;
  let last = 10;
  let any = false;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (bytes.length === 0) continue;
    any = true;
    for (const byte of bytes) if (byte === 10) breaks++;
    last = bytes[bytes.length - 1]!;
  }
  if (!any) return 0;
  const lines = breaks + (last === 10 ? 0 : 1);
  return Math.max(0, lines - 1);
}

/**
 * Imports users from a CSV or NDJSON stream into a tenant.
 *
 * @example
 * const result = await importUsers(users, tenant.id, createReadStream('users.csv'), { ctx: { actor: 'cli' } });
 * for (const f of result.failed) console.log(`line ${f.line}: ${f.reason}`);
 */
export async function importUsers(
  users: UsersService,
  tenantId: string,
  input: Readable | AsyncIterable<string | Buffer>,
  options: ImportOptions,
): Promise<ImportResult> {
  const batchSize = options.batchSize ?? 500;
  const failed: ImportFailure[] = [];
  const seenUsernames = new Map<string, number>();
  const seenEmails = new Map<string, number>();
  const groupIds = new Map<string, string | null>();
  const groupsCreated: string[] = [];
  let imported = 0;
  let total = 0;
  let linesRead = 0;
  let batch: PendingRow[] = [];

  async function groupId(name: string): Promise<string | null> {
    const key = foldCase(name);
    if (groupIds.has(key)) return groupIds.get(key)!;
    let id = await options.resolveGroup!(tenantId, name);
    if (id === null && options.createGroup) {
      id = options.dryRun ? `(new) ${key}` : await options.createGroup(tenantId, name);
      groupsCreated.push(name);
    }
    groupIds.set(key, id);
    return id;
  }

  async function resolveGroups(cell: string): Promise<string[]> {
    const names = [
      ...new Set(
        cell
          .split(';')
          .map((g) => g.trim())
          .filter((g) => g.length > 0),
      ),
    ];
    if (names.length === 0) return [];
    if (!options.resolveGroup || (!options.addToGroup && !options.dryRun)) {
      throw new AppError('validation_failed', { detail: 'groups column not supported here' });
    }
    if (names.length > MAX_GROUPS_PER_ROW) {
      throw new AppError('validation_failed', { detail: `at most ${MAX_GROUPS_PER_ROW} groups per row` });
    }
    const ids: string[] = [];
    for (const name of names) {
      const id = await groupId(name);
      if (!id)
        throw new AppError('validation_failed', {
          detail: `unknown group "${name.slice(0, 80)}" (create it first, or import with create-groups)`,
        });
      ids.push(id);
    }
    return ids;
  }

  /** Validates one row; returns the row to write, or pushes a failure. */
  async function check(
    cells: Partial<Record<ImportColumn, string>>,
    line: number,
  ): Promise<PendingRow | null> {
    const cell = (c: ImportColumn) => (cells[c] ?? '').trim();
    try {
      if (cell('username') === '') throw new AppError('validation_failed', { detail: 'missing username' });
      const input: CreateUserInput = { username: checkUsername(cell('username')) };
      const email = checkEmail(cell('email'));
      if (email !== null) input.email = email;
      if (cell('fullname') !== '') input.name = cell('fullname');
      toColumns(input); // every other rule (lengths, characters)
      const username = foldCase(input.username);
      const firstU = seenUsernames.get(username);
      if (firstU !== undefined)
        throw new AppError('validation_failed', {
          detail: `duplicate username in file (first on line ${firstU})`,
        });
      const emailFold = email === null ? null : (emailKey(email) ?? foldCase(email));
      const firstE = emailFold === null ? undefined : seenEmails.get(emailFold);
      if (firstE !== undefined)
        throw new AppError('validation_failed', {
          detail: `duplicate email in file (first on line ${firstE})`,
        });
      const ids = await resolveGroups(cell('groups'));
      seenUsernames.set(username, line);
      if (emailFold !== null) seenEmails.set(emailFold, line);
      return { line, input, groupIds: ids };
    } catch (err) {
      failed.push({ line, reason: reasonOf(err) });
      return null;
    }
  }

  async function flush(): Promise<void> {
    const rows = batch;
    batch = [];
    if (rows.length === 0) return;
    if (options.dryRun) {
      const existing = await users.findExisting(
        tenantId,
        rows.map((r) => r.input.username),
        rows.flatMap((r) => (r.input.email ? [r.input.email] : [])),
      );
      for (const r of rows) {
        if (existing.usernames.has(foldCase(r.input.username)))
          failed.push({ line: r.line, reason: 'username already exists' });
        else if (r.input.email && existing.emails.has(emailKey(r.input.email) ?? foldCase(r.input.email)))
          failed.push({ line: r.line, reason: 'email already exists' });
        else imported++;
      }
      return;
    }
    const outcomes = await users.createMany(
      tenantId,
      rows.map((r) => r.input),
      options.ctx,
    );
    for (const [i, outcome] of outcomes.entries()) {
      const row = rows[i]!;
      if (!outcome.ok) {
        failed.push({ line: row.line, reason: outcome.reason });
        continue;
      }
      const groupFailure = await addToGroups(row, outcome.user.id);
      if (groupFailure) failed.push({ line: row.line, reason: groupFailure });
      else imported++;
    }
  }

  async function addToGroups(row: PendingRow, userId: string): Promise<string | null> {
    for (const id of row.groupIds) {
      try {
        await options.addToGroup!(tenantId, id, userId);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return `user created, but adding it to a group failed: ${why.slice(0, 200)}`;
      }
    }
    return null;
  }

  const source = input instanceof Readable ? input : Readable.from(input);
  const records: AsyncGenerator<ImportRecord> =
    options.format === 'ndjson' ? ndjsonRecords(source) : csvRecords(source);
  try {
    for await (const record of records) {
      linesRead++;
      if (record.kind === 'bad') {
        total++;
        failed.push({ line: record.line, reason: record.reason });
      } else if (record.kind === 'row') {
        total++;
        const row = await check(record.cells, record.line);
        if (row) batch.push(row);
        if (batch.length >= batchSize) await flush();
      }
      if (linesRead % batchSize === 0) options.onProgress?.(linesRead);
    }
  } finally {
    source.destroy();
  }
  await flush();
  failed.sort((a, b) => a.line - b.line);
  options.onProgress?.(linesRead);
  return { imported, failed, total, groupsCreated };
}

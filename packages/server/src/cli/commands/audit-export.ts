/**
 * `gatekeeper audit export --output FILE`: the audit log in seq order as CSV or XLSX, streamed in
 * batches (keyset on seq through the audit store) with a progress bar, optionally narrowed to one
 * tenant and a time window. The export is a snapshot: it stops at the head seq read when it starts,
 * so entries appended meanwhile are left for the next export. The export itself is audited.
 */
import { type Command, Option } from 'commander';
import { createAuditStore } from '../../capabilities/audit/index.ts';
import { SLUG_PATTERN } from '../../capabilities/tenants/schemas.ts';
import { AppError } from '../../errors/app-error.ts';
import type { AuditLogTable } from '../../storage/tables.ts';
import { cliActor, out, withRuntime } from '../context.ts';
import { createProgress } from '../progress.ts';
import { formatFromFileName, type TabularFormat, type TabularRow, writeTabular } from '../tabular.ts';

export const AUDIT_EXPORT_COLUMNS = [
  'seq',
  'time',
  'tenant',
  'actor',
  'action',
  'target',
  'result',
  'requestId',
  'data',
  'entryHash',
] as const;

/** Rows read per query. */
const BATCH = 1000;
const DAY_MS = 86_400_000;
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

function badOption(option: string, value: string, why: string): AppError {
  const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
  return new AppError('validation_failed', { detail: `${option} "${shown}": ${why}` });
}

/**
 * Parses an ISO 8601 date (`2025-03-01`) or date-time (`2025-03-01T12:30[:00[.000]][Z|±hh:mm]`,
 * UTC when it has no offset) to epoch ms. With `endOfDay`, a date alone means the last millisecond
 * of that UTC day, so `--to 2025-03-31` includes the whole of 31 March.
 */
export function parseInstant(option: string, value: string, endOfDay = false): number {
  const m = ISO_INSTANT.exec(value.trim());
  const why = 'expected an ISO 8601 date (2025-03-01) or date-time (2025-03-01T12:30:00Z)';
  if (!m) throw badOption(option, value, why);
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((x) => Number(x ?? 0));
  const millis = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  const local = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month! - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw badOption(option, value, 'no such date or time');
  }
  let offset = 0;
  const zone = m[8]?.toUpperCase();
  if (zone && zone !== 'Z') {
    const [hh, mm] = zone.slice(1).split(':').map(Number) as [number, number];
    if (hh > 23 || mm > 59) throw badOption(option, value, 'no such UTC offset');
    offset = (zone.startsWith('-') ? -1 : 1) * (hh * 60 + mm) * 60_000;
  }
  const instant = local - offset;
  return endOfDay && m[4] === undefined ? instant + DAY_MS - 1 : instant;
}

interface ExportFilter {
  tenant: string | undefined;
  from: number | undefined;
  to: number | undefined;
}

function matches(row: AuditLogTable, filter: ExportFilter): boolean {
  const ts = Number(row.ts);
  if (filter.tenant !== undefined && row.tenant !== filter.tenant) return false;
  if (filter.from !== undefined && ts < filter.from) return false;
  if (filter.to !== undefined && ts > filter.to) return false;
  return true;
}

function toRecord(row: AuditLogTable): TabularRow {
  return {
    seq: Number(row.seq),
    time: new Date(Number(row.ts)).toISOString(),
    tenant: row.tenant,
    actor: row.actor,
    action: row.action,
    target: row.target,
    result: row.result,
    requestId: row.request_id,
    data: row.data, // canonical JSON text, exactly as hashed into the chain
    entryHash: row.entry_hash,
  };
}

interface ExportOptions {
  output: string;
  format?: TabularFormat;
  tenant?: string;
  from?: string;
  to?: string;
}

/** Checks every option before anything is opened; returns the format and filter. */
function checkOptions(opts: ExportOptions): { format: TabularFormat; filter: ExportFilter } {
  const format = opts.format ?? formatFromFileName(opts.output);
  if (opts.tenant !== undefined && !new RegExp(SLUG_PATTERN).test(opts.tenant)) {
    throw badOption(
      '--tenant',
      opts.tenant,
      'not a tenant slug (lower-case letters, digits, single hyphens)',
    );
  }
  const from = opts.from === undefined ? undefined : parseInstant('--from', opts.from);
  const to = opts.to === undefined ? undefined : parseInstant('--to', opts.to, true);
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError('validation_failed', { detail: `--from ${opts.from} is after --to ${opts.to}` });
  }
  return { format, filter: { tenant: opts.tenant, from, to } };
}

export function registerAuditExport(audit: Command): void {
  audit
    .command('export')
    .description('export the audit log in seq order to a CSV or XLSX file')
    .requiredOption('-o, --output <file>', 'file to write (.csv or .xlsx); replaced if it exists')
    .addOption(
      new Option('--format <format>', 'file format (default: from the --output file name)').choices([
        'csv',
        'xlsx',
      ]),
    )
    .option('--tenant <slug>', 'only entries of this tenant')
    .option(
      '--from <date>',
      'only entries at or after this ISO 8601 date or date-time (UTC unless an offset is given)',
    )
    .option(
      '--to <date>',
      'only entries at or before this ISO 8601 date or date-time (a date alone includes that day)',
    )
    .action(async (opts: ExportOptions, cmd: Command) => {
      const { format, filter } = checkOptions(opts);
      await withRuntime(
        cmd,
        async (rt) => {
          const store = createAuditStore(rt.database);
          const head = await store.headSeq();
          // every entry before the first one at or after --from is older: skip them without reading
          const start = filter.from === undefined ? 0 : (await store.lastSeqBefore(filter.from)) + 1;
          const progress = createProgress('export', start > head ? 0 : await store.count(start));
          let scanned = 0;
          async function* entries(): AsyncGenerator<TabularRow> {
            let next = start;
            while (next <= head) {
              const rows = await store.readRows(next, BATCH);
              if (rows.length === 0) return;
              for (const row of rows) {
                if (Number(row.seq) > head) return;
                scanned += 1;
                if (matches(row, filter)) yield toRecord(row);
              }
              next = Number(rows.at(-1)!.seq) + 1;
              progress.update(scanned);
            }
          }
          const written = await writeTabular(
            opts.output,
            format,
            AUDIT_EXPORT_COLUMNS,
            entries(),
            undefined,
            {
              sheetName: 'audit',
            },
          );
          progress.update(scanned);
          progress.stop();
          rt.bus.emit({
            type: 'audit.exported',
            tenant: filter.tenant ?? null,
            actor: cliActor(),
            target: null,
            result: 'success',
            data: {
              format,
              entries: written,
              throughSeq: head,
              from: filter.from === undefined ? null : new Date(filter.from).toISOString(),
              to: filter.to === undefined ? null : new Date(filter.to).toISOString(),
            },
          });
          out(`${written} audit entries (through seq ${head}) written to ${opts.output}`);
        },
        { migrate: false },
      );
    });
}

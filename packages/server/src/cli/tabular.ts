/**
 * Streams rows to a CSV or XLSX file for the CLI's exports (`users export`, `audit export`). Rows
 * arrive as an async iterable and are written one at a time, never collected, so an export of
 * millions of rows runs in constant memory. The file appears under its name only when complete: rows
 * go to a temporary file in the same directory that is renamed over the target at the end and
 * removed on failure, so an interrupted export never leaves a truncated file behind.
 *
 * CSV (RFC 4180, written by `csv-stringify`): a header row, CRLF line ends, fields quoted when they
 * hold a comma, a double quote (doubled inside), CR or LF; UTF-8 without a byte-order mark.
 * Spreadsheet formula injection (OWASP "CSV injection"): a text cell starting with `=`, `+`, `-`,
 * `@`, TAB or CR is prefixed with `'`, which makes Excel, LibreOffice and Google Sheets show it as
 * text instead of evaluating it. Numbers (seq, counts) are written as they are. Anyone reading the
 * CSV with a program, not a spreadsheet, sees the `'` and should strip it from such cells.
 *
 * XLSX (exceljs's streaming `WorkbookWriter`, every row committed as it is added): one sheet, bold
 * header row, inline strings (a shared-string table would grow with every distinct value). Text is
 * stored as a typed string cell, never as a formula, so it needs no `'` prefix. Excel's limits are
 * kept: a cell holds at most 32,767 characters (longer text is cut and ends in `…[truncated]`; the
 * CSV keeps it whole), a sheet at most 1,048,576 rows (beyond that the rows continue on a second
 * sheet, `<name> (2)`, with the header repeated). Control characters XML cannot carry are dropped.
 *
 * Files are created owner-only (mode 0600): exports hold personal data.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type ExcelJS from 'exceljs';
import { AppError } from '../errors/app-error.ts';

export type TabularFormat = 'csv' | 'xlsx';
export type TabularValue = string | number | null;
export type TabularRow = Record<string, TabularValue>;

export interface TabularOptions {
  /** XLSX sheet name (default `export`); at most 31 characters, no `[]:*?/\`. */
  sheetName?: string;
  /** Data rows per XLSX sheet before continuing on the next (default and maximum: Excel's 1,048,575). */
  maxRowsPerSheet?: number;
}

/** Excel's row limit per sheet, less the header row. */
export const XLSX_MAX_DATA_ROWS = 1_048_575;
/** Excel's limit on the characters of one cell. */
export const XLSX_MAX_CELL_CHARS = 32_767;
const TRUNCATED = '…[truncated]';

/**
 * The format named by the file's extension (`.csv` or `.xlsx`, any case), for when `--format` is
 * omitted. Throws a validation error naming the file otherwise.
 *
 * @example formatFromFileName('audit-2025.xlsx') // 'xlsx'
 */
export function formatFromFileName(file: string): TabularFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new AppError('validation_failed', {
    detail: `cannot tell the format of ${file} from its name: use a .csv or .xlsx file name or pass --format csv|xlsx`,
  });
}

/**
 * Writes `rows` under a header of `columns` to `file` as CSV or XLSX, streaming; returns the number
 * of data rows written. `onRow(n)` is called after each row with the running count.
 *
 * @example
 * const n = await writeTabular('users.csv', 'csv', ['id', 'email'], streamUsers(), (n) => bar.update(n));
 */
export async function writeTabular(
  file: string,
  format: TabularFormat,
  columns: readonly string[],
  rows: AsyncIterable<TabularRow>,
  onRow?: (n: number) => void,
  options: TabularOptions = {},
): Promise<number> {
  if (columns.length === 0) throw new TypeError('writeTabular needs at least one column');
  const target = resolve(file);
  await checkWritable(target);
  const temp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const count =
      format === 'csv'
        ? await writeCsv(temp, columns, rows, onRow)
        : await writeXlsx(temp, columns, rows, onRow, options);
    await rename(temp, target);
    return count;
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw err;
  }
}

/** Fails early, with one line, when the file cannot be created where it was asked for. */
async function checkWritable(target: string): Promise<void> {
  const dir = await stat(dirname(target)).catch(() => undefined);
  if (!dir?.isDirectory()) {
    throw new AppError('validation_failed', {
      detail: `cannot write ${target}: the directory ${dirname(target)} does not exist`,
    });
  }
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new AppError('validation_failed', { detail: `cannot write ${target}: it is a directory` });
  }
}

/** Opens a write stream and waits until the file is open, so a permission error surfaces here. */
async function openOutput(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  try {
    await once(stream, 'open');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new AppError('validation_failed', { detail: `cannot write ${dirname(path)}: ${code}`, cause: err });
  }
  return stream;
}

async function writeCsv(
  path: string,
  columns: readonly string[],
  rows: AsyncIterable<TabularRow>,
  onRow: ((n: number) => void) | undefined,
): Promise<number> {
  let count = 0;
  async function* records(): AsyncGenerator<TabularValue[]> {
    for await (const row of rows) {
      yield columns.map((c) => row[c] ?? null);
      count += 1;
      onRow?.(count);
    }
  }
  const output = await openOutput(path);
  await pipeline(
    Readable.from(records()),
    stringify({
      header: true,
      columns: [...columns],
      record_delimiter: 'windows',
      escape_formulas: true,
      // csv-stringify quotes a field holding the record delimiter (CRLF), not one holding a lone
      // CR or LF; RFC 4180 §2.6 wants every field with a line break quoted.
      quoted_match: /[\r\n]/,
    }),
    output,
  );
  return count;
}

/** A cell value Excel can hold: text cut to the cell limit, null as an empty cell. */
function xlsxCell(value: TabularValue): string | number | null {
  if (typeof value !== 'string' || value.length <= XLSX_MAX_CELL_CHARS) return value;
  return value.slice(0, XLSX_MAX_CELL_CHARS - TRUNCATED.length) + TRUNCATED;
}

async function writeXlsx(
  path: string,
  columns: readonly string[],
  rows: AsyncIterable<TabularRow>,
  onRow: ((n: number) => void) | undefined,
  options: TabularOptions,
): Promise<number> {
  const perSheet = Math.min(options.maxRowsPerSheet ?? XLSX_MAX_DATA_ROWS, XLSX_MAX_DATA_ROWS);
  if (!Number.isSafeInteger(perSheet) || perSheet < 1) throw new RangeError('maxRowsPerSheet must be >= 1');
  const baseName = sheetNameOf(options.sheetName ?? 'export');
  // loaded on first use: exceljs takes about a quarter of a second to import, which every other
  // command (including `serve`) should not pay
  const { default: excel } = await import('exceljs');
  const output = await openOutput(path);
  let streamError: unknown;
  output.on('error', (err) => {
    streamError ??= err;
  });
  const workbook = new excel.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });

  let sheetIndex = 0;
  const addSheet = (): ExcelJS.Worksheet => {
    sheetIndex += 1;
    const name = sheetIndex === 1 ? baseName : `${baseName.slice(0, 25)} (${sheetIndex})`;
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c) => ({ key: c, width: Math.max(12, c.length + 2) }));
    const header = sheet.addRow([...columns]);
    header.font = { bold: true };
    header.commit();
    return sheet;
  };

  let sheet = addSheet();
  let inSheet = 0;
  let count = 0;
  for await (const row of rows) {
    if (streamError) break;
    if (inSheet === perSheet) {
      sheet.commit();
      sheet = addSheet();
      inSheet = 0;
    }
    sheet.addRow(columns.map((c) => xlsxCell(row[c] ?? null))).commit();
    inSheet += 1;
    count += 1;
    onRow?.(count);
    // let the zip stream drain to disk now and then instead of buffering the whole file
    if (count % 1000 === 0) await new Promise((r) => setImmediate(r));
  }
  if (streamError) throw streamError;
  sheet.commit();
  await workbook.commit();
  return count;
}

/** A valid Excel sheet name: forbidden characters replaced, at most 31 characters. */
function sheetNameOf(name: string): string {
  const clean = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 31);
  return clean.length > 0 ? clean : 'export';
}

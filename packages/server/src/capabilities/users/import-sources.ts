/**
 * The two formats a users import reads — CSV with a header row, and NDJSON (one JSON object per
 * line) — turned into one stream of numbered records, read line by line from a byte stream (never
 * the whole file in memory).
 *
 * One physical line is one record in both formats. No column of a user may hold a line break, so a
 * CSV field spanning lines is never valid here; reading line by line means a quote left open is a
 * malformed line of its own, reported by its number, and the lines after it are still read (a
 * CSV parser would swallow the rest of the file into that field). This is why the CSV splitter is
 * the few lines below rather than csv-parse: csv-parse can only stream records that may span lines,
 * and parsing each line with it separately costs ~0.1 ms a line.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.ts';

/** Columns an import reads. */
export const IMPORT_COLUMNS = ['username', 'email', 'fullname', 'groups'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
const REQUIRED = ['username', 'email', 'fullname'] as const;
/** Read-only columns of an export (`export.ts`): accepted in a header and ignored. */
export const IGNORED_COLUMNS = ['id', 'status', 'emailVerified', 'createdAt', 'lastSignInAt'] as const;

/** One data line of the file: its cells, or why it cannot be read. Blank lines are `blank`. */
export type ImportRecord =
  | { line: number; kind: 'row'; cells: Partial<Record<ImportColumn, string>> }
  | { line: number; kind: 'bad'; reason: string }
  | { line: number; kind: 'blank' };

export type ImportFormat = 'csv' | 'ndjson';

/** The lines of a byte stream, numbered from 1 (CRLF, LF; a UTF-8 BOM on the first line dropped). */
async function* numberedLines(input: Readable): AsyncGenerator<{ line: number; text: string }> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    yield { line, text: line === 1 ? text.replace(/^\ufeff/, '') : text };
  }
}

/**
 * Splits one CSV line into fields (RFC 4180 quoting: `"a, ""b"""` is `a, "b"`; a quote inside an
 * unquoted field is kept as it is). Returns a reason when the line is malformed.
 */
export function splitCsvLine(text: string): string[] | { reason: string } {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return { reason: 'malformed CSV: a quote opened here is never closed on this line' };
        value += text.slice(j, q);
        if (text[q + 1] === '"') {
          value += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < text.length && text[i] !== ',')
        return { reason: 'malformed CSV: text after a closing quote (quote the whole field)' };
      fields.push(value);
    } else {
      const comma = text.indexOf(',', i);
      fields.push(text.slice(i, comma < 0 ? text.length : comma));
      i = comma < 0 ? text.length : comma;
    }
    if (i >= text.length) return fields;
    i++; // the comma
    if (i === text.length) {
      fields.push('');
      return fields;
    }
  }
}

/** Maps header names to field positions; throws when a column is unknown, twice, or missing. */
function readHeader(fields: string[]): (ImportColumn | null)[] {
  const seen = new Set<string>();
  const positions = fields.map((raw) => {
    const name = raw.trim().toLowerCase();
    const known = IMPORT_COLUMNS.find((c) => c === name);
    const ignored = IGNORED_COLUMNS.find((c) => c.toLowerCase() === name);
    if (!known && !ignored) {
      throw new AppError('validation_failed', {
        detail: `line 1: unknown column "${raw.slice(0, 40)}" (expected username,email,fullname,groups; ${IGNORED_COLUMNS.join(',')} are ignored)`,
      });
    }
    if (seen.has(name))
      throw new AppError('validation_failed', { detail: `line 1: column "${name}" appears twice` });
    seen.add(name);
    return known ?? null;
  });
  const missing = REQUIRED.filter((c) => !positions.includes(c));
  if (missing.length > 0)
    throw new AppError('validation_failed', { detail: `line 1: missing column(s) ${missing.join(', ')}` });
  return positions;
}

/**
 * CSV records: the first non-blank line is the header (any column order, any case); throws when it
 * is not a header this import reads, or when the file has none.
 */
export async function* csvRecords(input: Readable): AsyncGenerator<ImportRecord> {
  let header: (ImportColumn | null)[] | undefined;
  for await (const { line, text } of numberedLines(input)) {
    if (text.trim() === '') {
      if (header) yield { line, kind: 'blank' };
      continue;
    }
    const fields = splitCsvLine(text);
    if (!header) {
      if (!Array.isArray(fields))
        throw new AppError('validation_failed', { detail: `line ${line}: ${fields.reason}` });
      header = readHeader(fields);
      continue;
    }
    if (!Array.isArray(fields)) {
      yield { line, kind: 'bad', reason: fields.reason };
      continue;
    }
    if (fields.length !== header.length) {
      yield { line, kind: 'bad', reason: `expected ${header.length} fields, found ${fields.length}` };
      continue;
    }
    const cells: Partial<Record<ImportColumn, string>> = {};
    for (const [i, column] of header.entries()) if (column) cells[column] = fields[i]!;
    yield { line, kind: 'row', cells };
  }
  if (!header)
    throw new AppError('validation_failed', { detail: 'the file is empty: a header row is required' });
}

function ndjsonCells(value: unknown): Partial<Record<ImportColumn, string>> | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'expected a JSON object';
  const cells: Partial<Record<ImportColumn, string>> = {};
  for (const [key, v] of Object.entries(value)) {
    const column = key === 'name' ? 'fullname' : IMPORT_COLUMNS.find((c) => c === key);
    if (!column) {
      if ((IGNORED_COLUMNS as readonly string[]).includes(key)) continue;
      return `unknown field "${key.slice(0, 40)}"`;
    }
    if (v === null || v === undefined) continue;
    if (column === 'groups' && Array.isArray(v)) {
      if (!v.every((g) => typeof g === 'string')) return 'groups: expected an array of group names';
      if (v.some((g: string) => g.includes(';'))) return 'groups: a group name cannot contain ";"';
      cells.groups = v.join(';');
    } else if (typeof v === 'string') cells[column] = v;
    else return `${key}: expected a string`;
  }
  return cells;
}

/** NDJSON records: one object per line with the CSV's columns as fields (`name` for `fullname`). */
export async function* ndjsonRecords(input: Readable): AsyncGenerator<ImportRecord> {
  for await (const { line, text } of numberedLines(input)) {
    if (text.trim() === '') {
      yield { line, kind: 'blank' };
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      yield { line, kind: 'bad', reason: 'malformed JSON' };
      continue;
    }
    const cells = ndjsonCells(parsed);
    if (typeof cells === 'string') yield { line, kind: 'bad', reason: cells };
    else yield { line, kind: 'row', cells };
  }
}

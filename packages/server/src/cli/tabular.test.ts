/**
 * CSV and XLSX export writing: RFC 4180 quoting, the formula-injection guard, streaming a large
 * XLSX that exceljs reads back, and no partial file on failure.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatFromFileName, type TabularRow, writeTabular, XLSX_MAX_CELL_CHARS } from './tabular.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gk-tabular-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* from(rows: TabularRow[]): AsyncGenerator<TabularRow> {
  for (const row of rows) yield row;
}

async function* generated(n: number): AsyncGenerator<TabularRow> {
  for (let i = 1; i <= n; i++) yield { seq: i, actor: `user:${i}`, note: i % 2 === 0 ? null : `row ${i}` };
}

describe('formatFromFileName', () => {
  it('reads .csv and .xlsx in any case', () => {
    expect(formatFromFileName('out/a.csv')).toBe('csv');
    expect(formatFromFileName('A.XLSX')).toBe('xlsx');
  });

  it('refuses other names with one line naming --format', () => {
    expect(() => formatFromFileName('audit.txt')).toThrow(/--format csv\|xlsx/);
    expect(() => formatFromFileName('audit')).toThrow(/\.csv or \.xlsx/);
  });
});

describe('writeTabular csv', () => {
  it('writes a header and quotes commas, quotes and line breaks per RFC 4180', async () => {
    const file = join(dir, 'q.csv');
    const n = await writeTabular(
      file,
      'csv',
      ['a', 'b', 'c'],
      from([
        { a: 'plain', b: 'with, comma', c: 'say "hi"' },
        { a: 'line\nbreak', b: 'cr\ronly', c: 'crlf\r\nend' },
        { a: 'Zoë Ł 東京 😀', b: null, c: 42 },
        { a: '', b: 'trailing space ', c: ' leading' },
      ]),
    );
    expect(n).toBe(4);
    expect(await readFile(file, 'utf8')).toBe(
      'a,b,c\r\n' +
        'plain,"with, comma","say ""hi"""\r\n' +
        '"line\nbreak","cr\ronly","crlf\r\nend"\r\n' +
        'Zoë Ł 東京 😀,,42\r\n' +
        ',trailing space , leading\r\n',
    );
  });

  it('prefixes cells that a spreadsheet would evaluate with an apostrophe', async () => {
    const file = join(dir, 'inject.csv');
    await writeTabular(
      file,
      'csv',
      ['v'],
      from([
        { v: '=HYPERLINK("http://evil.example","x")' },
        { v: '+1+1' },
        { v: '-2+3' },
        { v: '@SUM(A1)' },
        { v: '\t=1' },
        { v: '\r=1' },
        { v: 'a=b' },
        { v: -5 },
      ]),
    );
    const lines = (await readFile(file, 'utf8')).split('\r\n');
    expect(lines.slice(1, -1)).toEqual([
      `"'=HYPERLINK(""http://evil.example"",""x"")"`,
      "'+1+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\t=1",
      `"'\r=1"`,
      'a=b',
      '-5',
    ]);
  });

  it('writes only the header for no rows and reports progress per row', async () => {
    const file = join(dir, 'empty.csv');
    expect(await writeTabular(file, 'csv', ['x', 'y'], from([]))).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('x,y\r\n');
    const seen: number[] = [];
    await writeTabular(join(dir, 'three.csv'), 'csv', ['seq'], generated(3), (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
  });

  it('leaves no file (and keeps an existing one) when the rows fail midway', async () => {
    const file = join(dir, 'fail.csv');
    await writeFile(file, 'previous\r\n');
    async function* failing(): AsyncGenerator<TabularRow> {
      yield { v: 'one' };
      throw new Error('database went away');
    }
    await expect(writeTabular(file, 'csv', ['v'], failing())).rejects.toThrow('database went away');
    expect(await readFile(file, 'utf8')).toBe('previous\r\n');
    expect(await readdir(dir)).toEqual(['fail.csv']);
  });

  it('refuses a missing directory with one line', async () => {
    await expect(writeTabular(join(dir, 'nope', 'x.csv'), 'csv', ['v'], from([]))).rejects.toThrow(
      /directory .* does not exist/,
    );
  });
});

describe('writeTabular xlsx', () => {
  it('streams 20,000 rows that exceljs reads back with a bold header', async () => {
    const file = join(dir, 'big.xlsx');
    let last = 0;
    const n = await writeTabular(file, 'xlsx', ['seq', 'actor', 'note'], generated(20_000), (i) => {
      last = i;
    });
    expect(n).toBe(20_000);
    expect(last).toBe(20_000);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets).toHaveLength(1);
    const sheet = wb.worksheets[0]!;
    expect(sheet.actualRowCount).toBe(20_001);
    const header = sheet.getRow(1);
    expect(header.values).toEqual([undefined, 'seq', 'actor', 'note']);
    expect(header.getCell(1).font?.bold).toBe(true);
    const sample = sheet.getRow(12_346);
    expect(sample.getCell(1).value).toBe(12_345);
    expect(sample.getCell(2).value).toBe('user:12345');
    expect(sample.getCell(3).value).toBe('row 12345');
    expect(sheet.getRow(3).getCell(3).value).toBeNull();
  });

  it('stores formula-like text as text, cuts over-long cells and drops control characters', async () => {
    const file = join(dir, 'cells.xlsx');
    const long = 'x'.repeat(XLSX_MAX_CELL_CHARS + 10);
    await writeTabular(file, 'xlsx', ['v'], from([{ v: '=1+1' }, { v: long }, { v: 'a\u0001b' }]));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const sheet = wb.worksheets[0]!;
    const formulaLike = sheet.getRow(2).getCell(1);
    expect(formulaLike.type).toBe(ExcelJS.ValueType.String);
    expect(formulaLike.value).toBe('=1+1');
    const cut = sheet.getRow(3).getCell(1).value as string;
    expect(cut).toHaveLength(XLSX_MAX_CELL_CHARS);
    expect(cut.endsWith('…[truncated]')).toBe(true);
    expect(sheet.getRow(4).getCell(1).value).toBe('ab');
  });

  it('continues on another sheet with the header repeated past the sheet row limit', async () => {
    const file = join(dir, 'split.xlsx');
    const n = await writeTabular(file, 'xlsx', ['seq', 'actor', 'note'], generated(25), undefined, {
      sheetName: 'audit',
      maxRowsPerSheet: 10,
    });
    expect(n).toBe(25);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['audit', 'audit (2)', 'audit (3)']);
    expect(wb.worksheets.map((s) => s.actualRowCount)).toEqual([11, 11, 6]);
    expect(wb.worksheets[2]!.getRow(1).getCell(2).value).toBe('actor');
    expect(wb.worksheets[2]!.getRow(6).getCell(1).value).toBe(25);
  });
});

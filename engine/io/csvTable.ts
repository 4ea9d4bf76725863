/**
 * CSV text → a rectangular table of trimmed string cells, each row with the
 * line it starts on, so that later checks can point at the line. Parsing is
 * csv-parse's (RFC 4180 quoting, any line ending, UTF-8 BOM); this module
 * adds delimiter detection, the header, and the ragged-row and empty-file
 * checks, with messages in our words.
 */
import { parse, CsvError } from 'csv-parse/sync';
import { IoError } from './errors';

export type CsvDelimiter = ',' | ';' | '\t';

export interface CsvRow {
  /** 1-based line the row starts on. */
  line: number;
  cells: string[];
}

export interface CsvTable {
  /** Header names, or '0', '1', … (as pandas' `header=None`) without a header. */
  columns: string[];
  /** Line of the header row (undefined without one). */
  headerLine: number | undefined;
  rows: CsvRow[];
  delimiter: CsvDelimiter;
}

export function readCsvTable(text: string, fileName: string, options: { header: boolean; delimiter?: CsvDelimiter; expectedFields?: number }): CsvTable {
  const delimiter = options.delimiter ?? detectDelimiter(text);
  const records = parseRecords(text, fileName, delimiter);
  if (records.length === 0) throw new IoError(fileName, 'file is empty');

  const head = options.header ? records.shift()! : undefined;
  const columns = head ? head.cells : records[0]!.cells.map((_, i) => String(i));
  if (head) checkHeader(head, fileName);
  if (records.length === 0) throw new IoError(fileName, 'no data rows after the header', head?.line);
  for (const row of records) {
    if (row.cells.length !== columns.length) {
      // The counts are the file's content: the message says which row and what the model reads instead.
      const reference = head ? 'the header' : 'the first row';
      const expected = options.expectedFields === undefined ? '' : ` (the model reads ${options.expectedFields} column${options.expectedFields === 1 ? '' : 's'})`;
      throw new IoError(fileName, `this row has a different number of fields than ${reference}${expected}`, row.line);
    }
  }
  return { columns, headerLine: head?.line, rows: records, delimiter };
}

/**
 * The candidate that occurs most often, outside quotes, in the first line
 * (the header, usually); ties go to tab, then ';', then ','. A ',' that ties
 * with ';' is likely a decimal comma ("1,5;2,0"), and tabs rarely occur in
 * data at all. No candidate at all: ',' (a one-column file).
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts: Record<CsvDelimiter, number> = { '\t': 0, ';': 0, ',': 0 };
  let quoted = false;
  let sawContent = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '\n' || c === '\r')) {
      if (sawContent) break; // leading blank lines don't count
      continue;
    }
    sawContent = true;
    if (!quoted && c in counts) counts[c as CsvDelimiter]++;
  }
  const most = Math.max(...Object.values(counts));
  return most === 0 ? ',' : (['\t', ';', ','] as const).find((d) => counts[d] === most)!;
}

function parseRecords(text: string, fileName: string, delimiter: CsvDelimiter): CsvRow[] {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { delimiter, bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) throw new IoError(fileName, describeCsvError(error), typeof error.lines === 'number' ? error.lines : undefined);
    throw error;
  }
  return parsed.map(({ record, info }) => ({
    // csv-parse reports the line a record ends on; a quoted field may span lines.
    line: info.lines - record.reduce((n, cell) => n + countLineBreaks(cell), 0),
    cells: record.map((cell) => cell.trim()),
  }));
}

function countLineBreaks(cell: string): number {
  return cell.match(/\r\n|\r|\n/g)?.length ?? 0;
}

function describeCsvError(error: CsvError & { lines?: unknown }): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field (quote the whole field, and double the quotes inside it)';
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return 'text after the closing quote of a field';
    default:
      return `malformed CSV: ${error.message}`;
  }
}

function checkHeader(head: CsvRow, fileName: string): void {
  const seen = new Map<string, number>();
  head.cells.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined) throw new IoError(fileName, `fields ${first + 1} and ${i + 1} of the header have the same name`, head.line);
    seen.set(name, i);
  });
}

/**
 * Exports of a close snapshot (issue 7), each carrying the snapshot hash and log position.
 *
 * **CSV** (`text/csv`, UTF-8, RFC 4180 quoting): a header block of comment lines `# key: value`
 * (`snapshot_id`, `period`, `version`, `hash`, `position`, `previous_hash`, `cut_at`, `timezone`,
 * `rules_version`, `closed_by`, `override_reason`, `overridden_exceptions`), a blank line, then four blocks separated by blank lines, each with its own
 * header row and the block name in the first column: `totals` (side, currency, component, gross,
 * net, tax, fee), `status_count`, `finding_count`, `open_exception`. Money is in major units as in
 * the API. The hash is of the canonical JSON snapshot (`GET …/snapshots/{snapshotId}`), not of this
 * file: to verify, fetch the JSON and hash it (or replay the period). Text a spreadsheet would run as
 * a formula — a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return that is not a
 * decimal number, e.g. an order id `=1+2` an ERP document named — gets a leading apostrophe (OWASP
 * "CSV injection"); money such as `-4.23` stays as it is.
 *
 * **xlsx** (exceljs): sheet `Summary` (the same keys as the CSV header block, hash and position
 * included), `Totals`, `Counts`, `Open exceptions`. Money (totals, exception deltas) is a numeric cell
 * in major units, so a spreadsheet can sum it, with the number format of its currency's exponent
 * (EUR `#,##0.00`, JPY `#,##0`, KWD `#,##0.000`); see {@link xlsxMoneyCell}.
 */
import type ExcelJSModule from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { StoredSnapshot } from '../../../application/period/period-stream';
import { currency as currencyOf } from '../../../domain/shared/currency';

/** An amount of the snapshot: the decimal string in major units as stored, and its ISO 4217 code. */
interface MoneyCell {
  readonly money: string;
  readonly currency: string;
}

type Cell = string | number | MoneyCell;
type Row = Cell[];

/** A money cell for an amount that may be absent (an empty cell). */
const money = (amount: string | undefined, cur: string | undefined): Cell => (amount === undefined || amount === '' || cur === undefined ? '' : { money: amount, currency: cur });

const isMoney = (c: Cell): c is MoneyCell => typeof c === 'object';

/** A cell as CSV text: money stays the exact decimal string. */
const csvCell = (c: Cell): string | number => (isMoney(c) ? c.money : c);

/** The xlsx number format of a currency's exponent: `#,##0` for 0 digits, `#,##0.00` for 2, `#,##0.000` for 3. */
export function moneyNumFmt(currencyCode: string): string {
  const digits = currencyOf(currencyCode).exponent;
  return digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
}

/**
 * The xlsx value of an amount (a decimal string in major units): a number when the string has at most
 * 15 significant digits — such a string converts to the nearest double, which Excel (15 digits) shows
 * as exactly that decimal; the number comes from the string itself, never from float arithmetic.
 * An amount with more significant digits (or not a plain decimal) stays text rather than be rounded.
 */
export function xlsxMoneyValue(amount: string): number | string {
  const m = /^-?(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) return amount;
  const significant = `${m[1]}${m[2] ?? ''}`.replace(/^0+/, '').replace(/0+$/, '');
  return significant.length <= 15 ? Number(amount) : amount;
}

function summary(s: StoredSnapshot): [string, string][] {
  const b = s.snapshot;
  return [
    ['snapshot_id', s.snapshotId],
    ['period', b.period],
    ['version', String(s.version)],
    ['hash', s.hash],
    ['position', b.position],
    ['previous_hash', b.previousHash ?? ''],
    ['cut_at', b.cutAt],
    ['timezone', b.timezone],
    ['rules_version', b.rulesVersion],
    ['closed_by', b.close.startedBy],
    // One line per key: a reason written over several lines is joined with spaces.
    ['override_reason', (b.close.override?.reason ?? '').replace(/\s*[\r\n]+\s*/g, ' ')],
    ['overridden_exceptions', String(b.close.override?.exceptions.length ?? 0)],
  ];
}

const TOTALS_HEADER = ['side', 'currency', 'component', 'gross', 'net', 'tax', 'fee'];
const EXCEPTION_HEADER = ['exception_id', 'code', 'owner', 'severity', 'subject', 'order_id', 'component', 'status', 'opened_at', 'age_seconds', 'delta_currency', 'delta_gross', 'delta_net', 'delta_tax', 'explanation'];

function totalsRows(s: StoredSnapshot): Row[] {
  const rows: Row[] = [];
  for (const side of ['scayle', 'erp', 'psp'] as const) {
    const byCur = s.snapshot.totals[side];
    for (const cur of Object.keys(byCur).sort()) {
      const comps = byCur[cur] as Record<string, Record<string, string | undefined>>;
      for (const comp of Object.keys(comps).sort()) {
        const f = comps[comp]!;
        rows.push([side, cur, comp, money(f.gross, cur), money(f.net, cur), money(f.tax, cur), money(f.fee, cur)]);
      }
    }
  }
  return rows;
}

function exceptionRows(s: StoredSnapshot): Row[] {
  return s.snapshot.openExceptions.map((e) => [
    e.exceptionId,
    e.code,
    e.owner,
    e.severity,
    e.subject,
    e.orderId ?? '',
    e.component,
    e.status,
    e.openedAt,
    e.ageSeconds,
    e.delta?.currency ?? '',
    money(e.delta?.gross, e.delta?.currency),
    money(e.delta?.net, e.delta?.currency),
    money(e.delta?.tax, e.delta?.currency),
    e.explanation,
  ]);
}

/** A CSV cell a spreadsheet would evaluate as a formula, prefixed with an apostrophe (see module docs). */
export function csvSafeCell(value: string | number): string | number {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
}

/** The snapshot as CSV (see module docs). */
export function snapshotCsv(s: StoredSnapshot): string {
  const head = ['# scayle-erp-ledger close snapshot', ...summary(s).map(([k, v]) => `# ${k}: ${v}`)].join('\r\n');
  const block = (name: string, header: string[], rows: Row[]) => stringify([['block', ...header], ...rows.map((r) => [name, ...r.map((c) => csvSafeCell(csvCell(c)))])], { record_delimiter: '\r\n' });
  const counts = s.snapshot.counts;
  return [
    `${head}\r\n`,
    block('totals', TOTALS_HEADER, totalsRows(s)),
    block('status_count', ['status', 'count'], Object.entries(counts.byStatus)),
    block('finding_count', ['code', 'count'], Object.entries(counts.byFindingCode).sort()),
    block('open_exception', EXCEPTION_HEADER, exceptionRows(s)),
  ].join('\r\n');
}

/** The snapshot as an xlsx workbook (see module docs). */
export async function snapshotXlsx(s: StoredSnapshot): Promise<Buffer> {
  // Loaded on the first xlsx export: exceljs adds about 27 MiB to a process that never writes one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ExcelJS = require('exceljs') as typeof ExcelJSModule;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'scayle-erp-ledger';
  // A fixed date keeps the file a function of the snapshot (exceljs defaults to "now").
  wb.created = new Date(s.snapshot.cutAt);
  wb.modified = new Date(s.snapshot.cutAt);
  const sheet = (name: string, header: string[], rows: Row[]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(header).font = { bold: true };
    for (const r of rows) {
      const row = ws.addRow(r.map((c) => (isMoney(c) ? xlsxMoneyValue(c.money) : c)));
      r.forEach((c, i) => {
        if (isMoney(c) && typeof row.getCell(i + 1).value === 'number') row.getCell(i + 1).numFmt = moneyNumFmt(c.currency);
      });
    }
    ws.columns.forEach((c) => {
      c.width = 18;
    });
    return ws;
  };
  sheet('Summary', ['key', 'value'], [...summary(s), ['orders', String(s.snapshot.counts.orders)]]);
  sheet('Totals', TOTALS_HEADER, totalsRows(s));
  sheet('Counts', ['kind', 'key', 'count'], [
    ...Object.entries(s.snapshot.counts.byStatus).map(([k, n]) => ['status', k, n] as Row),
    ...Object.entries(s.snapshot.counts.byFindingCode)
      .sort()
      .map(([k, n]) => ['finding_code', k, n] as Row),
  ]);
  sheet('Open exceptions', EXCEPTION_HEADER, exceptionRows(s));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

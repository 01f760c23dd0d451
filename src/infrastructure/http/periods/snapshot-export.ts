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
 * included), `Totals`, `Counts`, `Open exceptions`.
 */
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { StoredSnapshot } from '../../../application/period/period-stream';

type Row = (string | number)[];

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
        rows.push([side, cur, comp, f.gross ?? '', f.net ?? '', f.tax ?? '', f.fee ?? '']);
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
    e.delta?.gross ?? '',
    e.delta?.net ?? '',
    e.delta?.tax ?? '',
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
  const block = (name: string, header: string[], rows: Row[]) => stringify([['block', ...header], ...rows.map((r) => [name, ...r.map(csvSafeCell)])], { record_delimiter: '\r\n' });
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
  const wb = new ExcelJS.Workbook();
  wb.creator = 'scayle-erp-ledger';
  // A fixed date keeps the file a function of the snapshot (exceljs defaults to "now").
  wb.created = new Date(s.snapshot.cutAt);
  wb.modified = new Date(s.snapshot.cutAt);
  const sheet = (name: string, header: string[], rows: Row[]) => {
    const ws = wb.addWorksheet(name);
    ws.addRow(header).font = { bold: true };
    for (const r of rows) ws.addRow(r);
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

/**
 * What the ledger's own exports to the ERP (issue 10) tell the reconciliation:
 * - why a counterpart is missing (`MISSING_IN_ERP` reasons: not yet due, not exported, export
 *   pending, export failed, exported but not posted), and from when its grace window counts — for an
 *   exported document from the export, not from the sale;
 * - `SYNC_FAILURE` for every export that failed or is blocked by a missing mapping (operations).
 */
import { describeMissing, type ExportCategory } from '../../erp-export/erp-export.events';
import { report, type RuleContext } from './context';

/** Why the ERP has no document for one side, from when the grace window counts, and what to do. */
export interface MissingReason {
  reason: 'not_yet_due' | 'not_exported' | 'export_pending' | 'export_failed' | 'exported_not_posted';
  /** ISO-8601 instant the grace window starts at. */
  since: string;
  /** What the ledger knows, as a clause of the finding's explanation. */
  detail: string;
  eventIds: string[];
}

const last = <T>(xs: readonly T[]): T | undefined => xs[xs.length - 1];

/**
 * The reason for a missing sale invoice (`category` `sale`) or credit memo (`credit`), or undefined
 * when the ledger has no export facts to add (credits never requested: the rule keeps its text).
 * `since` is the default start of the grace window (the sale or the latest refund).
 */
export function missingReason(ctx: RuleContext, category: ExportCategory, since: string): MissingReason | undefined {
  const facts = ctx.exports;
  if (!facts) return undefined;
  const records = facts.records.filter((r) => r.category === category);
  const trigger = ctx.policy.exportTrigger ?? 'order-invoiced';
  if (records.length === 0) {
    if (category === 'credit') return undefined;
    return facts.saleDue
      ? { reason: 'not_exported', since, detail: `it is due for export (${trigger}) but no export was requested`, eventIds: [facts.saleDue.trigger.eventId] }
      : { reason: 'not_yet_due', since, detail: `it has not reached ${trigger} in Scayle, so it is not due for export yet`, eventIds: [] };
  }
  const open = records.filter((r) => r.status !== 'exported');
  const broken = open.find((r) => r.status === 'failed' || r.status === 'blocked');
  if (broken) {
    const f = last(broken.failures)!;
    const why = f.data.missing?.length ? f.data.missing.map(describeMissing).join('; ') : f.data.message;
    return { reason: 'export_failed', since, detail: `export ${broken.request.data.documentNumber} ${broken.status === 'blocked' ? 'is blocked' : 'failed'} (${why})`, eventIds: [broken.request.eventId, f.eventId] };
  }
  if (open.length > 0) {
    const r = open[0]!;
    return { reason: 'export_pending', since, detail: `export ${r.request.data.documentNumber} requested ${r.request.data.requestedAt} has not been accepted by the ERP yet`, eventIds: [r.request.eventId] };
  }
  const latest = records.reduce((a, b) => (b.done!.at > a.done!.at ? b : a));
  const done = latest.done!;
  return {
    reason: 'exported_not_posted',
    since: done.occurredAt,
    detail: `it was exported to the ERP as ${done.data.erpDocumentNumber} (${done.data.exportedAt}) but is not posted`,
    eventIds: [latest.request.eventId, done.eventId],
  };
}

/** `SYNC_FAILURE` for each export whose latest outcome is a failure (blocked or failed). */
export function exportFailureRule(ctx: RuleContext): void {
  for (const r of ctx.exports?.records ?? []) {
    if (r.status !== 'failed' && r.status !== 'blocked') continue;
    const f = last(r.failures)!;
    const d = r.request.data;
    const why = f.data.missing?.length ? f.data.missing.map(describeMissing).join('; ') : f.data.message;
    const action =
      r.status === 'blocked'
        ? 'add the mapping: the export then goes out automatically'
        : f.data.retriable
          ? 'check the ERP connection, then run the export again (POST /v1/erp/exports/run with retryFailed)'
          : 'correct the cause in the ERP or the mapping, then run the export again with retryFailed';
    report(ctx, {
      code: 'SYNC_FAILURE',
      component: r.category === 'credit' ? 'refunds' : 'order',
      discriminator: `erp-export:${d.documentNumber}`,
      documentNumber: d.documentNumber,
      reason: f.data.reason,
      explanation: `Export of ${d.documentKind.replace('_', ' ')} ${d.documentNumber} to the ERP ${r.status === 'blocked' ? 'is blocked' : 'failed'} after ${f.data.attempt} attempt${f.data.attempt === 1 ? '' : 's'}: ${why}; ${action}`,
      eventIds: [r.request.eventId, f.eventId],
    });
  }
}

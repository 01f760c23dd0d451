import type { ErpExportFailed, MissingMapping, OrderExportedToErp, OrderExportRequested } from '../../domain/erp-export/erp-export.events';
import { buildExportDocument } from '../../domain/erp-export/erp-export.document';
import { orderStateFrom } from '../../domain/order/order.state';
import type { ErpRoundingProfile } from '../../domain/shared/rounding';
import { sourceEventName } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import type { EventData, EventStore } from '../ports/event-store.port';
import type { ErpExportEntry, ErpExportStore } from '../ports/erp-export-store.port';
import { ErpGatewayError, type ErpExportCall, type ErpGateway } from '../ports/erp-gateway.port';
import { backoffDelay, type BackoffPolicy } from '../shared/backoff';
import { canonicalJson, sha256Hex } from '../shared/canonical-json';
import { EXPORT_ACTOR, exportUuid } from './erp-export.planner';
import { readStreamOrEmpty } from '../shared/read-stream';
import type { ExportMappingsSource } from './export-mappings';

export interface SenderOptions extends BackoffPolicy {
  /** Attempts per export before it is given up as `ErpExportFailed` `unavailable` (≥ 1; 429s do not count). */
  maxAttempts: number;
  /** Per-call timeout of the ERP adapter, in ms (bounds the claim lease). */
  timeoutMs: number;
  profile: ErpRoundingProfile;
}

export interface SendLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What one pass over the due exports did. */
export interface SendSummary {
  exported: number;
  blocked: number;
  failed: number;
  retrying: number;
  /** ISO-8601 instant until which the ERP asked us to pause (429), if it did. */
  rateLimitedUntil?: string;
}

/** A claimed entry: its attempt number, and how many attempts count towards giving up. */
interface Claimed {
  entry: ErpExportEntry;
  attempt: number;
  budgetUsed: number;
}

/** A claimed entry with its request, read from the order stream. */
interface Work extends Claimed {
  request: OrderExportRequested['data'];
  requestEventId: string;
}

/**
 * Sends due exports to the ERP, in log order, a batch at a time (issue 10):
 * 1. **claims** the batch (one holder at a time across schedulers and processes, attempts counted
 *    durably before the call, so after a crash the next attempt knows the ERP may have it);
 * 2. re-reads the order stream — an export the log already records as exported is only settled —
 *    and **maps** it with the mappings as they are now; a missing mapping appends `ErpExportFailed`
 *    `mapping_missing` (blocked until a mapping changes);
 * 3. hands the batch to the {@link ErpGateway}: a repeated attempt is flagged `mayExist`, so the
 *    adapter reads back by external document number before creating anything;
 * 4. appends `OrderExportedToErp` (deterministic id: once per export) with the SHA-256 of the
 *    canonical JSON sent, or schedules a retry with back-off and jitter (`Retry-After` honoured; a
 *    429 pauses the pass and never uses up an export's attempts), or gives up with `ErpExportFailed`
 *    (`rejected` for a refusal, `unavailable` after the last attempt).
 */
export class ErpExportSender {
  constructor(
    private readonly events: EventStore,
    private readonly store: ErpExportStore,
    private readonly gateway: ErpGateway,
    private readonly mappings: ExportMappingsSource,
    private readonly clock: Clock,
    private readonly logger: SendLogger,
    private readonly options: SenderOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends everything due now, `batchSize` at a time, until nothing is due or the ERP throttles. */
  async sendDue(batchSize: number, correlationId: string, signal?: AbortSignal): Promise<SendSummary> {
    const summary: SendSummary = { exported: 0, blocked: 0, failed: 0, retrying: 0 };
    while (!signal?.aborted && summary.rateLimitedUntil === undefined) {
      const now = this.clock.now();
      const due = await this.store.due(now.toISOString(), batchSize);
      if (due.length === 0) break;
      const lease = new Date(now.getTime() + Math.max(300_000, this.options.timeoutMs * (due.length + 2))).toISOString();
      const claims = await this.store.claim(
        due.map((e) => e.exportId),
        now.toISOString(),
        lease,
      );
      const claimed: Claimed[] = due.filter((e) => claims.has(e.exportId)).map((entry) => ({ entry, ...claims.get(entry.exportId)! }));
      if (claimed.length === 0) break;
      await this.sendBatch(claimed, summary, correlationId, signal);
    }
    return summary;
  }

  private async sendBatch(claimed: Claimed[], summary: SendSummary, correlationId: string, signal?: AbortSignal): Promise<void> {
    const mappings = await this.mappings.current();
    const calls: { work: Work; call: ErpExportCall }[] = [];
    for (const claim of claimed) {
      const { entry, attempt } = claim;
      try {
        const stream = await readStreamOrEmpty(this.events, entry.streamId);
        const state = orderStateFrom(stream);
        const done = state.exportsDone[entry.exportId];
        const requested = state.exportRequests[entry.exportId];
        if (done) {
          const event = stream.find((e) => e.id === done.eventId)!;
          await this.store.settle({ exportId: entry.exportId, position: event.position, status: 'exported', at: done.data.exportedAt, erpDocumentNumber: done.data.erpDocumentNumber, payloadHash: done.data.payloadHash });
          continue;
        }
        if (!requested) throw new Error(`OrderExportRequested ${entry.exportId} is not in ${entry.streamId}`);
        const work: Work = { ...claim, request: requested.data, requestEventId: requested.eventId };
        const appliesTo = requested.data.correctsExportIds?.map((id) => state.exportsDone[id]?.data.erpDocumentNumber).find((n) => n !== undefined);
        let built: ReturnType<typeof buildExportDocument>;
        try {
          built = buildExportDocument(state, requested.data, mappings, this.options.profile, appliesTo);
        } catch (err) {
          await this.fail(work, { reason: 'rejected', retriable: false, errorKey: 'invalid_export', message: err instanceof Error ? err.message : String(err) }, correlationId);
          summary.failed++;
          continue;
        }
        if (!built.ok) {
          await this.fail(work, { reason: 'mapping_missing', retriable: true, missing: built.missing, message: `mapping missing: ${built.missing.length} mapping(s)` }, correlationId);
          summary.blocked++;
          continue;
        }
        const known = Object.values(state.exportsDone)
          .filter((d) => d.data.documentKind === requested.data.documentKind)
          .map((d) => d.data.erpDocumentNumber);
        calls.push({ work, call: { exportId: entry.exportId, document: built.document, canonical: canonicalJson(built.document), mayExist: attempt > 1, knownErpNumbers: known } });
      } catch (err) {
        await this.retryOrGiveUp(claim, new ErpGatewayError(0, 'internal_error', err instanceof Error ? err.message : String(err), true), summary, correlationId);
      }
    }
    if (calls.length === 0) return;
    let results;
    try {
      results = await this.gateway.exportDocuments(
        calls.map((c) => c.call),
        signal ? { signal } : {},
      );
    } catch (err) {
      const error = err instanceof ErpGatewayError ? err : new ErpGatewayError(0, 'internal_error', err instanceof Error ? err.message : String(err), true);
      results = calls.map(() => ({ ok: false as const, error }));
    }
    for (let i = 0; i < calls.length; i++) {
      const { work, call } = calls[i]!;
      const result = results[i] ?? { ok: false as const, error: new ErpGatewayError(0, 'no_result', 'the adapter returned no result for this document', true) };
      try {
        if (result.ok) {
          await this.succeed(work, call, result.receipt, correlationId);
          summary.exported++;
        } else await this.retryOrGiveUp(work, result.error, summary, correlationId);
      } catch (err) {
        this.logger.error({ err, exportId: work.entry.exportId }, 'recording the export outcome failed; the claim expires and it is retried');
      }
    }
  }

  private async succeed(work: Work, call: ErpExportCall, receipt: { erpDocumentNumber: string; erpDocumentId?: string; readBack: boolean }, correlationId: string): Promise<void> {
    const now = this.clock.now().toISOString();
    const payloadHash = sha256Hex(call.canonical);
    const data: OrderExportedToErp['data'] = {
      exportId: work.entry.exportId,
      documentKind: work.request.documentKind,
      documentNumber: work.request.documentNumber,
      erpDocumentNumber: receipt.erpDocumentNumber,
      ...(receipt.erpDocumentId !== undefined ? { erpDocumentId: receipt.erpDocumentId } : {}),
      payloadHash,
      target: this.gateway.target === 'none' ? 'file' : this.gateway.target,
      attempt: work.attempt,
      readBack: receipt.readBack,
      gross: call.document.totals.gross,
      currency: call.document.currency,
      exportedAt: now,
    };
    const res = await this.events.appendToStream(work.entry.streamId, [this.outcome(work, 'OrderExportedToErp', work.entry.exportId, data, correlationId)], { expectedRevision: 'any' });
    await this.store.settle({ exportId: work.entry.exportId, position: res.position, status: 'exported', at: now, attempts: work.attempt, erpDocumentNumber: receipt.erpDocumentNumber, payloadHash });
    this.logger.info({ exportId: work.entry.exportId, documentNumber: work.request.documentNumber, erpDocumentNumber: receipt.erpDocumentNumber, attempt: work.attempt, readBack: receipt.readBack }, 'exported to the ERP');
  }

  private async retryOrGiveUp(work: Claimed | Work, error: ErpGatewayError, summary: SendSummary, correlationId: string): Promise<void> {
    const now = this.clock.now().getTime();
    if (error.rateLimited || (error.retriable && work.budgetUsed < this.options.maxAttempts)) {
      const delay = backoffDelay(this.options, work.attempt, this.random, error.retryAfterMs);
      const at = new Date(now + delay).toISOString();
      if (error.rateLimited && (summary.rateLimitedUntil === undefined || summary.rateLimitedUntil < at)) summary.rateLimitedUntil = at;
      await this.store.recordRetry(work.entry.exportId, error.message, at, new Date(now).toISOString());
      summary.retrying++;
      this.logger.warn({ exportId: work.entry.exportId, attempt: work.attempt, delayMs: delay, status: error.status, errorKey: error.errorKey }, 'ERP export failed; will retry');
      return;
    }
    if (!('request' in work)) {
      // Its stream could not be read or holds no request: keep it pending and look again later.
      await this.store.recordRetry(work.entry.exportId, error.message, new Date(now + this.options.retryMaxMs).toISOString(), new Date(now).toISOString());
      summary.retrying++;
      return;
    }
    await this.fail(work, { reason: error.retriable ? 'unavailable' : 'rejected', retriable: error.retriable, errorKey: error.errorKey, message: `${error.message} (after ${work.attempt} attempt${work.attempt === 1 ? '' : 's'})` }, correlationId);
    summary.failed++;
  }

  private async fail(work: Work, f: { reason: ErpExportFailed['data']['reason']; retriable: boolean; missing?: MissingMapping[]; errorKey?: string; message: string }, correlationId: string): Promise<void> {
    const now = this.clock.now().toISOString();
    const data: ErpExportFailed['data'] = {
      exportId: work.entry.exportId,
      documentKind: work.request.documentKind,
      documentNumber: work.request.documentNumber,
      reason: f.reason,
      attempt: work.attempt,
      retriable: f.retriable,
      ...(f.missing ? { missing: f.missing } : {}),
      ...(f.errorKey ? { errorKey: f.errorKey } : {}),
      message: f.message,
      failedAt: now,
    };
    const res = await this.events.appendToStream(work.entry.streamId, [this.outcome(work, 'ErpExportFailed', `${work.entry.exportId}#${work.attempt}`, data, correlationId)], { expectedRevision: 'any' });
    await this.store.settle({
      exportId: work.entry.exportId,
      position: res.position,
      status: f.reason === 'mapping_missing' ? 'blocked' : 'failed',
      at: now,
      attempts: work.attempt,
      reason: f.reason,
      ...(f.missing ? { missing: f.missing } : {}),
      error: f.message,
    });
    const level = f.reason === 'mapping_missing' ? 'warn' : 'error';
    this.logger[level]({ exportId: work.entry.exportId, reason: f.reason, attempt: work.attempt, errorKey: f.errorKey }, 'ERP export not sent (SYNC_FAILURE)');
  }

  private outcome(work: Work, type: string, sourceEventId: string, data: unknown, correlationId: string): EventData {
    const now = this.clock.now().toISOString();
    return {
      id: exportUuid(sourceEventName('ledger', sourceEventId, type)),
      type,
      data,
      metadata: { source: 'ledger', sourceEventId, occurredAt: now, recordedAt: now, actor: EXPORT_ACTOR, causationId: work.requestEventId, correlationId, orderId: work.entry.orderId, schemaVersion: 1 },
    };
  }
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../ports/clock.port';
import type { EventStore } from '../ports/event-store.port';
import type { ErpExportStore } from '../ports/erp-export-store.port';
import type { ErpGateway, ErpTarget } from '../ports/erp-gateway.port';
import type { ErpExportIndexer } from './erp-export.indexer';
import type { ErpExportPlanner } from './erp-export.planner';
import type { ErpExportSender, SendLogger } from './erp-export.sender';
import { WakeableSleep } from '../shared/wakeable-sleep';

export interface SchedulerOptions {
  /** Sync interval between runs (`LEDGER_ERP_EXPORT_INTERVAL`), ms. */
  intervalMs: number;
  /** Orders planned and documents sent per batch. */
  batchSize: number;
  /** How long a run waits for the export index to reach the log's head, ms. */
  indexWaitMs: number;
}

/** What one run did. */
export interface RunSummary {
  runId: string;
  target: ErpTarget;
  /** False when no ERP target is configured: due exports are requested (visible, pending) but never sent. */
  sending: boolean;
  startedAt: string;
  finishedAt: string;
  /** Exports newly requested (due). */
  requested: number;
  exported: number;
  /** Not sent: a mapping is missing (`ErpExportFailed` `mapping_missing`). */
  blocked: number;
  /** Given up (`ErpExportFailed` `rejected` / `unavailable`). */
  failed: number;
  /** Failed attempts that will be retried after a back-off. */
  retrying: number;
  /** Failed exports re-opened by `retryFailed`. */
  reopened: number;
  rateLimitedUntil?: string;
}

/** Rounds of plan → send per run: an exported invoice can make a credit due (a return came first). */
const ROUNDS = 3;

/**
 * The export flow's scheduler (issue 10), a phase-20 lifecycle: every `intervalMs` — and as soon as a
 * retry is due, and on `POST /v1/erp/exports/run` — it plans every order whose facts changed and
 * sends everything due, in batches, in log order. Runs of one scheduler never overlap (a second call
 * waits for the first and runs after it); several schedulers (processes) are kept apart by the
 * store's claims and the log's expected revisions.
 *
 * With no ERP target configured the timer is off and nothing is sent: a manual run still records
 * what is due (`OrderExportRequested`, pending and visible in `GET /v1/erp/exports`), never faked
 * as exported.
 */
export class ErpExportScheduler {
  private chain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private stopped = true;
  private readonly sleeper = new WakeableSleep();
  private readonly abort = new AbortController();
  private last: RunSummary | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly store: ErpExportStore,
    private readonly indexer: ErpExportIndexer,
    private readonly planner: ErpExportPlanner,
    private readonly sender: ErpExportSender,
    private readonly gateway: ErpGateway,
    private readonly clock: Clock,
    private readonly logger: SendLogger,
    readonly options: SchedulerOptions,
  ) {}

  /** Whether documents are sent (a target is configured). */
  get sending(): boolean {
    return this.gateway.configured;
  }

  get target(): ErpTarget {
    return this.gateway.target;
  }

  /** Log position the export index reflects. */
  get indexedTo(): bigint {
    return this.indexer.consumed;
  }

  /** The last run's summary, if there was one since start. */
  get lastRun(): RunSummary | undefined {
    return this.last;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.indexer.start();
    // Claims still held were taken by a process that died mid-export (this one holds the instance
    // lock): without this their entries waited out the lease (up to an hour) after a crash.
    const released = await this.store.releaseClaims(this.clock.now().toISOString());
    if (released > 0) this.logger.warn({ released }, 'exports claimed by a process that stopped mid-export are released; each is read back from the ERP before it is sent again');
    const reopened = await this.store.unblockConfigured(this.clock.now().toISOString());
    if (reopened > 0) this.logger.info({ reopened }, 'exports blocked by a missing G/L account are tried again');
    if (this.gateway.configured) this.loop = this.runLoop();
    else this.logger.warn({}, 'LEDGER_ERP_EXPORT_TARGET is none: no export runs on the interval and nothing is sent to the ERP');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.sleeper.wake();
    await this.loop;
    await this.chain.catch(() => undefined);
    await this.indexer.stop();
  }

  /**
   * Plans and sends everything due now. Waits for a run in progress to finish first.
   * @param options.retryFailed re-open exports given up earlier before sending.
   */
  run(options: { retryFailed?: boolean; correlationId?: string } = {}): Promise<RunSummary> {
    const next = this.chain.then(() => this.runOnce(options));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs until nothing is pending any more — retries included, waiting for their back-off — or
   * `timeoutMs` passes (then rejects). For tests and the benchmark.
   */
  async drain(timeoutMs = 10_000): Promise<RunSummary> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const summary = await this.run();
      const pending = (await this.store.counts()).pending;
      if (pending === 0 || !this.gateway.configured) return summary;
      if (Date.now() > deadline) throw new Error(`ERP exports did not drain within ${timeoutMs} ms (${pending} pending)`);
      const next = await this.store.nextWakeAt();
      const wait = next ? Date.parse(next) - this.clock.now().getTime() : 5;
      await new Promise((resolve) => setTimeout(resolve, Math.min(Math.max(wait, 1), 1000)));
    }
  }

  private async runOnce(options: { retryFailed?: boolean; correlationId?: string }): Promise<RunSummary> {
    const runId = options.correlationId ?? randomUUID();
    const summary: RunSummary = {
      runId,
      target: this.gateway.target,
      sending: this.gateway.configured,
      startedAt: this.clock.now().toISOString(),
      finishedAt: '',
      requested: 0,
      exported: 0,
      blocked: 0,
      failed: 0,
      retrying: 0,
      reopened: 0,
    };
    if (options.retryFailed) summary.reopened = await this.store.reopenFailed(summary.startedAt);
    for (let round = 0; round < ROUNDS; round++) {
      const head = await this.events.headPosition();
      await this.indexer.reach(head, this.options.indexWaitMs);
      summary.requested += await this.planner.planAll(head, this.options.batchSize, (order, err) =>
        this.logger.error({ err, streamId: order.streamId }, 'planning the ERP export of an order failed; it is planned again on the next run'),
      );
      if (!this.gateway.configured || this.abort.signal.aborted) break;
      const sent = await this.sender.sendDue(this.options.batchSize, runId, this.abort.signal);
      summary.exported += sent.exported;
      summary.blocked += sent.blocked;
      summary.failed += sent.failed;
      summary.retrying += sent.retrying;
      if (sent.rateLimitedUntil) summary.rateLimitedUntil = sent.rateLimitedUntil;
      if (sent.exported === 0 || sent.rateLimitedUntil) break;
    }
    summary.finishedAt = this.clock.now().toISOString();
    this.last = summary;
    if (summary.requested + summary.exported + summary.blocked + summary.failed > 0) this.logger.info({ ...summary }, 'ERP export run');
    return summary;
  }

  private async runLoop(): Promise<void> {
    while (!this.stopped) {
      let rateLimitedUntil: string | undefined;
      try {
        rateLimitedUntil = (await this.run()).rateLimitedUntil;
      } catch (err) {
        if (this.stopped) break;
        this.logger.error({ err }, 'ERP export run failed; trying again on the next tick');
      }
      if (this.stopped) break;
      const now = this.clock.now().getTime();
      let wakeAt = now + this.options.intervalMs;
      const retry = await this.store.nextWakeAt().catch(() => undefined);
      if (retry) wakeAt = Math.min(wakeAt, Date.parse(retry));
      if (rateLimitedUntil) wakeAt = Math.max(wakeAt, Date.parse(rateLimitedUntil));
      await this.sleeper.sleep(Math.max(1, wakeAt - now));
    }
  }
}

import { v5 as uuidv5 } from 'uuid';
import { schemaRefusalOf } from '../../domain/event-schema/upcaster-registry';
import type { LineItemsCorrectionRecordedInScayle } from '../../domain/order/order-dispatch.events';
import type { LineItemsCorrected, RefundRecordedInScayle, RefundRequested, ScayleDispatchFailed } from '../../domain/order/order.events';
import { LEDGER_EVENT_NAMESPACE, sourceEventName } from '../../domain/shared/ids';
import type { Clock } from '../ports/clock.port';
import { backoffDelay } from '../shared/backoff';
import type { AllSubscription, EventData, EventStore, RecordedEvent } from '../ports/event-store.port';
import type { OutboxEntry, OutboxStore } from '../ports/outbox-store.port';
import { ScayleApiError, type ScayleGateway } from '../ports/scayle-gateway.port';
import { billingStatusForRefund, latestSnapshot, legacyCustomDataForCorrection, orderRefOf } from './scayle-dispatch.mapping';
import { WakeableSleep } from '../shared/wakeable-sleep';

/** Retry and timeout settings of the dispatcher. */
export interface OutboxDispatcherOptions {
  /** Attempts per command before it is given up as `ScayleDispatchFailed` (≥ 1). */
  maxAttempts: number;
  /** First back-off delay in ms; doubles per attempt. */
  retryBaseMs: number;
  /** Upper bound of one back-off delay in ms. */
  retryMaxMs: number;
  /** Timeout of one Admin API call in ms. */
  timeoutMs: number;
}

/** The log lines the dispatcher writes (pino's signature). */
export interface DispatchLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const COMMAND_TYPES = new Set(['RefundRequested', 'LineItemsCorrected']);
const ACTOR = 'system:outbox-dispatcher';

/** Command id of a command event (`refundId` / `correctionId`). */
function commandIdOf(event: RecordedEvent): string {
  const data = event.data as { refundId?: string; correctionId?: string };
  return (event.type === 'RefundRequested' ? data.refundId : data.correctionId) ?? event.id;
}

/** Scayle order id from a command's metadata (set by the handlers), else the stream's last part. */
function orderIdOf(event: RecordedEvent): string {
  const fromMeta = event.metadata.orderId;
  return typeof fromMeta === 'string' ? fromMeta : event.streamId.slice(event.streamId.lastIndexOf('-') + 1);
}

/**
 * The outbox to Scayle (issue 6): a catch-up subscription on the log with its own checkpoint
 * (in the {@link OutboxStore}) enqueues every `RefundRequested` and `LineItemsCorrected`; a sender
 * writes each one to the Admin API through the {@link ScayleGateway} and appends the outcome to the
 * order stream — `RefundRecordedInScayle`, `LineItemsCorrectionRecordedInScayle`, or
 * `ScayleDispatchFailed` (→ a `SYNC_FAILURE` exception) once the last attempt failed or Scayle refused
 * the call for good (a 4xx other than 408/429).
 *
 * - Retries: exponential back-off `base·2^(n-1)` capped at `retryMaxMs`, with equal jitter (half
 *   fixed, half random), never shorter than what Scayle asked for (`Retry-After` /
 *   `X-RateLimit-Reset`). A 429 pauses the whole sender until then: the limit is per scope.
 * - Delivery is at least once: the outcome event is appended before the entry is settled, with a
 *   deterministic id, so a crash in between re-sends the same update and appends nothing twice.
 * - With no base URL configured the sender does not run: entries stay `pending` and visible
 *   (`GET /v1/outbox`), never faked as sent; they go out after a restart with a base URL.
 */
export class OutboxDispatcher {
  private subscription: AllSubscription | undefined;
  private loops: Promise<void>[] = [];
  private stopped = true;
  private consumed = 0n;
  private readonly sleeper = new WakeableSleep();
  private rateLimitedUntil = 0;
  private inFlight = false;
  /** Set when an entry was enqueued since the sender last looked; closes the look-then-sleep race. */
  private nudged = false;
  private readonly abort = new AbortController();
  private readonly progress = new Set<() => void>();

  constructor(
    private readonly events: EventStore,
    private readonly outbox: OutboxStore,
    private readonly gateway: ScayleGateway,
    private readonly clock: Clock,
    private readonly logger: DispatchLogger,
    private readonly options: OutboxDispatcherOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether commands are sent (a Scayle base URL is configured). */
  get sending(): boolean {
    return this.gateway.configured;
  }

  /**
   * The last log position this dispatcher has read (0 before it starts). Ahead of the stored
   * checkpoint while it reads events it has nothing to do for: those move the checkpoint only every
   * 1000 events or when the subscription catches up, so the stored one alone makes a quiet outbox
   * look behind the log.
   */
  get position(): bigint {
    return this.consumed;
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.consumed = await this.outbox.checkpoint();
    const sub = this.events.subscribeToAll({ fromPosition: this.consumed === 0n ? 'start' : this.consumed });
    this.subscription = sub;
    this.loops = [this.consume(sub)];
    if (this.gateway.configured) this.loops.push(this.send());
    else this.logger.warn({}, 'SCAYLE_ADMIN_API_BASE_URL is not set: refunds and corrections stay pending in the outbox');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.subscription?.close();
    this.sleeper.wake();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  /**
   * Resolves once the dispatcher has consumed the log up to its head as of the call and — when it
   * sends — nothing is due or in flight any more (retries scheduled later included). For tests and
   * benchmarks; rejects after `timeoutMs`.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const head = await this.events.headPosition();
    const deadline = Date.now() + timeoutMs;
    const done = async (): Promise<boolean> => {
      if (this.consumed < head) return false;
      if (!this.gateway.configured) return true;
      const pending = await this.outbox.list({ status: 'pending', limit: 1 });
      return pending.entries.length === 0 && !this.inFlight;
    };
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`outbox did not drain within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5);
        this.progress.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private notifyProgress(): void {
    const waiters = [...this.progress];
    this.progress.clear();
    for (const w of waiters) w();
  }

  /** Subscription side: enqueue commands, settle outcomes, move the checkpoint. */
  private async consume(sub: AllSubscription): Promise<void> {
    let skipped = 0;
    try {
      for await (const message of sub) {
        if (this.stopped) break;
        if (message.kind === 'caughtUp') {
          if (message.position > (await this.outbox.checkpoint())) await this.outbox.advance(message.position, [], []);
          this.consumed = message.position > this.consumed ? message.position : this.consumed;
          this.notifyProgress();
          continue;
        }
        const event = message.event;
        const nowIso = this.clock.now().toISOString();
        const refusal = schemaRefusalOf(event);
        if (refusal) {
          this.logger.error({ err: refusal, eventId: event.id, streamId: event.streamId, position: String(event.position) }, 'outbox: event of an unknown schema version skipped, nothing sent for it');
        } else if (COMMAND_TYPES.has(event.type) && event.streamId.startsWith('order-')) {
          const entry: OutboxEntry = {
            commandId: commandIdOf(event),
            commandType: event.type as OutboxEntry['commandType'],
            streamId: event.streamId,
            orderId: orderIdOf(event),
            eventId: event.id,
            position: event.position,
            status: 'pending',
            attempts: 0,
            round: 1,
            enqueuedAt: nowIso,
            updatedAt: nowIso,
          };
          await this.outbox.advance(event.position, [entry], []);
          this.nudged = true;
          this.sleeper.wake();
          skipped = 0;
        } else if (event.type === 'RefundRecordedInScayle' || event.type === 'LineItemsCorrectionRecordedInScayle') {
          const data = event.data as { refundId?: string; correctionId?: string };
          await this.outbox.advance(event.position, [], [{ commandId: (data.refundId ?? data.correctionId)!, status: 'sent', at: nowIso }]);
          skipped = 0;
        } else if (event.type === 'ScayleDispatchFailed') {
          const data = event.data as ScayleDispatchFailed['data'];
          await this.outbox.advance(event.position, [], [{ commandId: data.commandId, status: 'failed', at: nowIso, error: data.message }]);
          skipped = 0;
        } else if (event.type === 'ScayleDispatchRetryRequested') {
          const data = event.data as { commandId: string };
          await this.outbox.advance(event.position, [], [], [{ commandId: data.commandId, at: nowIso }]);
          this.nudged = true;
          this.sleeper.wake();
          skipped = 0;
        } else if (++skipped >= 1000) {
          await this.outbox.advance(event.position, [], []);
          skipped = 0;
        }
        this.consumed = event.position;
        this.notifyProgress();
      }
    } catch (err) {
      if (!this.stopped) this.logger.error({ err }, 'outbox subscription failed');
    }
  }

  /** Sender side: one command at a time, oldest first, honouring rate limits and back-off. */
  private async send(): Promise<void> {
    while (!this.stopped) {
      try {
        const now = this.clock.now().getTime();
        if (this.rateLimitedUntil > now) {
          await this.sleeper.sleep(this.rateLimitedUntil - now);
          continue;
        }
        this.nudged = false;
        const due = await this.outbox.due(new Date(now).toISOString(), 20);
        if (due.length === 0) {
          const next = await this.outbox.nextWakeAt();
          if (this.nudged) continue;
          await this.sleeper.sleep(next ? Math.max(1, Date.parse(next) - now) : 60_000);
          continue;
        }
        for (const entry of due) {
          if (this.stopped || this.rateLimitedUntil > this.clock.now().getTime()) break;
          this.inFlight = true;
          try {
            await this.dispatch(entry);
          } finally {
            this.inFlight = false;
            this.notifyProgress();
          }
        }
      } catch (err) {
        if (this.stopped) break;
        this.logger.error({ err }, 'outbox sender failed; retrying');
        await this.sleeper.sleep(this.options.retryBaseMs);
      }
    }
  }


  /** One attempt for one entry, then either settle it or schedule the next attempt. */
  private async dispatch(entry: OutboxEntry): Promise<void> {
    const attempts = entry.attempts + 1;
    let command: RecordedEvent | undefined;
    try {
      const stream = await this.events.readStream(entry.streamId);
      command = stream.find((e) => e.id === entry.eventId);
      if (!command) throw new ScayleApiError(0, 'command_missing', `command event ${entry.eventId} not found in ${entry.streamId}`, false);
      const snapshot = latestSnapshot(stream);
      if (!snapshot) throw new ScayleApiError(0, 'order_unknown', `order ${entry.orderId} has no Scayle snapshot yet`, true);
      const ref = orderRefOf(snapshot);
      const call = { timeoutMs: this.options.timeoutMs, signal: this.abort.signal };
      let outcome: EventData;
      if (command.type === 'RefundRequested') {
        const refund = command.data as RefundRequested['data'];
        await this.gateway.updateBillingStatus(ref, billingStatusForRefund(refund, stream, snapshot), call);
        const data: RefundRecordedInScayle['data'] = { refundId: refund.refundId, recordedAt: this.clock.now().toISOString() };
        outcome = this.outcomeEvent(command, 'RefundRecordedInScayle', data);
      } else {
        const correction = command.data as LineItemsCorrected['data'];
        for (const item of correction.items) {
          await this.gateway.putItemLegacyCustomData(ref, item.orderItemId, { ...legacyCustomDataForCorrection(correction, item, snapshot.currency) }, call);
        }
        const data: LineItemsCorrectionRecordedInScayle['data'] = {
          correctionId: correction.correctionId,
          itemIds: correction.items.map((i) => i.orderItemId),
          recordedAt: this.clock.now().toISOString(),
        };
        outcome = this.outcomeEvent(command, 'LineItemsCorrectionRecordedInScayle', data);
      }
      await this.events.appendToStream(entry.streamId, [outcome], { expectedRevision: 'any' });
      await this.outbox.settle(entry.commandId, 'sent', attempts, this.clock.now().toISOString());
      this.logger.info({ commandId: entry.commandId, commandType: entry.commandType, attempts }, 'recorded in Scayle');
    } catch (err) {
      if (this.stopped) return;
      const apiError = err instanceof ScayleApiError ? err : undefined;
      const message = err instanceof Error ? err.message : String(err);
      const retriable = apiError ? apiError.retriable : true;
      if (retriable && attempts < this.options.maxAttempts) {
        const delay = this.backoff(attempts, apiError?.retryAfterMs);
        const now = this.clock.now().getTime();
        if (apiError?.status === 429) this.rateLimitedUntil = now + delay;
        await this.outbox.recordRetry(entry.commandId, attempts, message, new Date(now + delay).toISOString(), new Date(now).toISOString());
        this.logger.warn({ commandId: entry.commandId, attempts, delayMs: delay, status: apiError?.status, errorKey: apiError?.errorKey }, 'Scayle dispatch failed; will retry');
        return;
      }
      const failed: ScayleDispatchFailed['data'] = {
        commandId: entry.commandId,
        commandType: entry.commandType,
        ...(apiError?.errorKey ? { errorKey: apiError.errorKey } : {}),
        message: `${message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
        failedAt: this.clock.now().toISOString(),
        retriable,
      };
      // One failure event per round: an operator retry (next round) may fail again.
      const event = this.outcomeEvent(command, 'ScayleDispatchFailed', failed, entry.commandId, entry.round > 1 ? `${entry.commandId}#round${entry.round}` : undefined);
      await this.events.appendToStream(entry.streamId, [event], { expectedRevision: 'any' });
      await this.outbox.settle(entry.commandId, 'failed', attempts, this.clock.now().toISOString(), failed.message);
      this.logger.error({ commandId: entry.commandId, attempts, status: apiError?.status, errorKey: apiError?.errorKey }, 'Scayle dispatch given up (SYNC_FAILURE)');
    }
  }

  /** Back-off delay before attempt `attempts + 1`, in ms. */
  backoff(attempts: number, retryAfterMs?: number): number {
    return backoffDelay(this.options, attempts, this.random, retryAfterMs);
  }

  /** An outcome event with a deterministic id (command id + type), linked to its command. */
  private outcomeEvent(command: RecordedEvent | undefined, type: string, data: unknown, commandId?: string, sourceEventId?: string): EventData {
    const id = sourceEventId ?? commandId ?? commandIdOf(command!);
    const now = this.clock.now().toISOString();
    return {
      id: uuidv5(sourceEventName('ledger', id, type), LEDGER_EVENT_NAMESPACE),
      type,
      data,
      metadata: {
        source: 'ledger',
        sourceEventId: id,
        occurredAt: now,
        recordedAt: now,
        actor: ACTOR,
        schemaVersion: 1,
        ...(command ? { causationId: command.id } : {}),
        ...(typeof command?.metadata.correlationId === 'string' ? { correlationId: command.metadata.correlationId } : {}),
      },
    };
  }
}

import type { AllSubscription, EventStore } from '../../application/ports/event-store.port';
import type { OrderDirectory } from '../../application/ports/order-directory.port';
import { directoryUpdateOf } from '../../application/ingest/order-directory.indexer';
import type { OrderLinker } from '../../application/ingest/order-linker';
import type { Lifecycle } from '../di/tokens';
import { schemaRefusalOf } from '../../domain/event-schema/upcaster-registry';
import type { Logger } from '../logging/logger';

/**
 * Keeps the order directory in step with the log: a catch-up subscription from the directory's
 * checkpoint (0 after the file was deleted → full rebuild). `start()` returns once caught up, so
 * ingestion starts with a complete directory; then it follows live appends (including those of
 * other processes on the same log) and links facts that waited for an order.
 * Phase 5: after the stores (0), before projections (10).
 */
export class OrderDirectoryLifecycle implements Lifecycle {
  readonly name = 'order-directory';
  readonly phase = 5;
  private subscription: AllSubscription | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly directory: OrderDirectory & { close?(): Promise<void> | void },
    private readonly linker: OrderLinker,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    const from = await this.directory.checkpoint();
    const subscription = this.store.subscribeToAll({ fromPosition: from === 0n ? 'start' : from });
    this.subscription = subscription;
    let signalCaughtUp!: () => void;
    let failStart!: (err: unknown) => void;
    const caughtUp = new Promise<void>((resolve, reject) => {
      signalCaughtUp = resolve;
      failStart = reject;
    });
    this.loop = (async () => {
      let sinceSave = 0;
      try {
        for await (const message of subscription) {
          if (message.kind === 'caughtUp') {
            await this.directory.saveCheckpoint(message.position);
            sinceSave = 0;
            signalCaughtUp();
            continue;
          }
          const { event } = message;
          const refusal = schemaRefusalOf(event);
          if (refusal) {
            // Written by a newer release: not read, never guessed at (the projections dead-letter it too).
            this.logger.error({ err: refusal, eventId: event.id, streamId: event.streamId, position: String(event.position) }, 'order directory: event of an unknown schema version skipped');
            continue;
          }
          const update = directoryUpdateOf(event);
          if (update.entry && (await this.directory.record(update.entry))) {
            await this.linker.linkOrder(update.entry, { actor: 'order-directory' });
          }
          for (const link of update.pending ?? []) {
            await this.directory.addPending(link);
            await this.linker.linkIfKnown(link, { actor: 'order-directory' });
          }
          if (++sinceSave >= 500) {
            await this.directory.saveCheckpoint(event.position);
            sinceSave = 0;
          }
        }
      } catch (err) {
        this.logger.error({ err }, 'order directory subscription failed');
        failStart(err);
      }
    })();
    await caughtUp;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.loop;
    await this.directory.close?.();
  }
}

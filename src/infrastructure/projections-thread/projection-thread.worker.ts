/**
 * The projection thread's entry (`LEDGER_PROJECTION_THREAD=worker`, the default): a worker thread
 * that opens its own connections to the event log and the read-model store and runs the projection
 * runner and the grace-window scheduler there, so the main thread keeps HTTP and the appends. It
 * reports the runner's progress after every commit; the main thread answers read-your-writes, the
 * period close's catch-up and `/v1/freshness` from it ({@link ProjectionThread}).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EventStore } from '../../application/ports/event-store.port';
import type { ReadModelStore } from '../../application/ports/read-model-store.port';
import type { ProjectionRunner } from '../../projections/runner';
import { buildContainer } from '../di/container';
import { projectionWork } from '../di/modules/projections.module';
import { TOKENS } from '../di/tokens';
import { appendWakeable, walCheckpointer } from '../event-store/decorated-store';
import type { Logger } from '../logging/logger';
import type { FromProjectionThread, ProjectionThreadData, ToProjectionThread } from './projection-thread.messages';

const port = parentPort!;
/** How often the thread checkpoints the event log's WAL: at 2,000 appends/s of ~8 KiB, about 4 MiB each time. */
const WAL_CHECKPOINT_INTERVAL_MS = 250;
const post = (message: FromProjectionThread): void => port.postMessage(message);

async function main(): Promise<void> {
  const { config } = workerData as ProjectionThreadData;
  // The container of this thread runs the projections in its own event loop: in-thread mode.
  const container = buildContainer({ ...config, projections: { ...config.projections, thread: 'main' } });
  const logger = container.get<Logger>(TOKENS.Logger).child({ thread: 'projections' });
  const events = container.get<EventStore>(TOKENS.EventStore);
  const store = container.get<ReadModelStore>(TOKENS.ReadModelStore);
  const runner = container.get<ProjectionRunner>(TOKENS.ProjectionRunner);
  const work = projectionWork(container);
  const wakeable = appendWakeable(events);
  // The log's WAL is checkpointed here, off the main thread (see SqliteEventStore.checkpointWal).
  const checkpointer = walCheckpointer(events);

  let progressQueued = false;
  const reportProgress = (): void => {
    if (progressQueued) return;
    progressQueued = true;
    setImmediate(() => {
      progressQueued = false;
      post({ kind: 'progress', progress: runner.progress() });
    });
  };

  let walTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      clearInterval(walTimer);
      for (const part of [...work].reverse()) {
        try {
          await part.stop();
        } catch (err) {
          logger.error({ err, component: part.name }, 'failed to stop cleanly');
        }
      }
      await store.close().catch((err: unknown) => logger.error({ err }, 'closing the read-model store failed'));
      await events.close().catch((err: unknown) => logger.error({ err }, 'closing the event store failed'));
      post({ kind: 'stopped' });
      port.close();
    })());

  port.on('message', (message: ToProjectionThread) => {
    if (message.kind === 'appended') wakeable?.wakeSubscriptions();
    else if (message.kind === 'recheck') void runner.recheckGenerations();
    else if (message.kind === 'hurry') runner.hurry(message.position);
    else if (message.kind === 'stop') void stop();
  });

  const pinged = await Promise.all([events.ping(), store.ping()]);
  const down = pinged.find((a) => !a.ok);
  if (down) throw new Error(`A store does not answer in the projection thread: ${down.detail ?? 'no detail'}`);
  runner.onProgress(reportProgress);
  for (const part of work) await part.start();
  if (checkpointer) {
    walTimer = setInterval(() => {
      try {
        checkpointer.checkpointWal();
      } catch (err) {
        logger.warn({ err }, 'checkpointing the event log WAL failed; the next interval tries again');
      }
    }, WAL_CHECKPOINT_INTERVAL_MS);
    walTimer.unref();
  }
  post({ kind: 'started', progress: runner.progress() });
}

main().catch((err: unknown) => {
  post({ kind: 'failed', message: err instanceof Error ? err.message : String(err), ...(err instanceof Error && err.stack ? { stack: err.stack } : {}) });
  port.close();
});

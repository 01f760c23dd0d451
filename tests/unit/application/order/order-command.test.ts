/**
 * Racing order commands (refunds, corrections) re-read and re-decide after an expected-revision
 * conflict, so each ends as it would one after the other: recorded, or refused by a business rule.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { runOrderCommand } from '../../../../src/application/order/order-command';
import { ConcurrencyConflictError, type EventStore } from '../../../../src/application/ports/event-store.port';
import { withConflictRetry, CONFLICT_RETRIES } from '../../../../src/application/shared/command-context';
import { SqliteEventStore } from '../../../../src/infrastructure/event-store/sqlite/sqlite-event-store';
import { orderSnapshot, seedOrder } from '../../../support/order-fixtures';
import { tempDir } from '../../../support/temp-dir';
import express from 'express';
import request from 'supertest';
import { problemErrorHandler } from '../../../../src/infrastructure/http/problem-details';
import { createLogger } from '../../../../src/infrastructure/logging/logger';

/** A store whose reads take a few ms, as on a large log: racing commands all read the same revision. */
function slowReads(inner: EventStore, ms: number): EventStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'readStream' || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      return async (...args: unknown[]) => {
        const events = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await new Promise((r) => setTimeout(r, ms));
        return events;
      };
    },
  });
}

const refund = (i: number, amount: string) => ({
  type: 'RequestRefund' as const,
  data: { refundId: `refund-${i}`, amount, currency: 'EUR', items: [{ orderItemId: '81011', amount }], reason: 'race', requestedAt: '2024-05-03T10:00:00Z', requestedBy: 'cx:k1' },
});

describe('order commands racing on one stream', function () {
  this.timeout(20_000);
  const dir = tempDir();
  let store: SqliteEventStore;
  before(() => {
    store = new SqliteEventStore({ filename: join(dir.path, 'events.db') });
  });
  after(async () => {
    await store.close();
    dir.remove();
  });

  async function race(orderId: string, amounts: string[]): Promise<PromiseSettledResult<unknown>[]> {
    const snapshot = orderSnapshot(orderId);
    const streamId = await seedOrder(store, snapshot);
    const slow = slowReads(store, 5);
    return Promise.allSettled(
      amounts.map((amount, i) => {
        const command = { ...refund(i, amount), data: { ...refund(i, amount).data, refundId: `${orderId}-refund-${i}`, items: [{ orderItemId: `${orderId}1`, amount }] } };
        return runOrderCommand(
          slow,
          { streamId, orderId, shopKey: 'msde', countryCode: 'DE' },
          command,
          { commandId: command.data.refundId, requestHash: `h${i}`, eventType: 'RefundRequested', idOf: (e) => (e.data as { refundId: string }).refundId },
          (decided) => ({ id: `00000000-0000-5000-8000-${String(Number(orderId) * 100 + i).padStart(12, '0')}`, type: decided.type, data: decided.data, metadata: { source: 'ledger', occurredAt: '2024-05-03T10:00:00Z', recordedAt: '2024-05-03T10:00:00Z', schemaVersion: 1 } }),
        );
      }),
    );
  }

  it('12 refunds that all fit → all 12 recorded, none refused for a conflict', async () => {
    const results = await race('8101', Array(12).fill('0.10'));
    expect(results.map((r) => r.status), results.map((r) => (r.status === 'rejected' ? String(r.reason) : '')).join('\n')).to.deep.equal(Array(12).fill('fulfilled'));
    const refunds = (await store.readStream('order-msde-DE-8101')).filter((e) => e.type === 'RefundRequested');
    expect(refunds).to.have.length(12);
  });

  it('refunds that together over-spend an item → the ones that fit recorded, the rest a business-rule refusal, never a conflict', async () => {
    // Item 81021 is 119.00: 30.00 fits three times.
    const results = await race('8102', Array(8).fill('30.00'));
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(3);
    const reasons = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as { kind?: string }).kind);
    expect(reasons).to.deep.equal(Array(5).fill('business_rule'));
  });
});

describe('withConflictRetry', () => {
  it('gives up after CONFLICT_RETRIES re-tries with the conflict itself (→ 409 with Retry-After at the door)', async () => {
    let attempts = 0;
    const conflict = new ConcurrencyConflictError('s', 1n, 2n);
    const err = await withConflictRetry(async () => {
      attempts++;
      throw conflict;
    }).catch((e: unknown) => e);
    expect(err).to.equal(conflict);
    expect(attempts).to.equal(CONFLICT_RETRIES + 1);
  });

  it('does not retry when the client pinned the revision', async () => {
    let attempts = 0;
    await withConflictRetry(async () => {
      attempts++;
      throw new ConcurrencyConflictError('s', 1n, 2n);
    }, true).catch(() => undefined);
    expect(attempts).to.equal(1);
  });
});

describe('a conflict that outlasts the retries, at the door', () => {
  it('409 concurrency-conflict with a code and Retry-After', async () => {
    const app = express();
    app.post('/x', () => {
      throw new ConcurrencyConflictError('order-msde-DE-1', 3n, 4n);
    });
    app.use(problemErrorHandler(createLogger('silent')));
    const res = await request(app).post('/x').expect(409);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.headers['retry-after']).to.equal('1');
    expect(res.body).to.deep.include({ type: '/problems/concurrency-conflict', status: 409, code: 'concurrency_conflict' });
    expect(res.body.detail).to.not.include('order-msde-DE-1');
  });
});

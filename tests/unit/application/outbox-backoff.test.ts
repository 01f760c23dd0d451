import { expect } from 'chai';
import { OutboxDispatcher } from '../../../src/application/outbox/outbox-dispatcher';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { OutboxStore } from '../../../src/application/ports/outbox-store.port';
import type { ScayleGateway } from '../../../src/application/ports/scayle-gateway.port';
import { retryAfterMs } from '../../../src/infrastructure/scayle/scayle-admin-api.client';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const dispatcher = (random: () => number) =>
  new OutboxDispatcher({} as EventStore, {} as OutboxStore, { configured: true } as ScayleGateway, { now: () => new Date(0) }, quiet, { maxAttempts: 5, retryBaseMs: 1000, retryMaxMs: 30_000, timeoutMs: 1000 }, random);

describe('outbox back-off', () => {
  it('doubles per attempt with equal jitter and caps at retryMax', () => {
    expect([1, 2, 3, 4].map((n) => dispatcher(() => 0).backoff(n))).to.deep.equal([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => dispatcher(() => 0.999999).backoff(n))).to.deep.equal([1000, 2000, 4000, 8000]);
    expect(dispatcher(() => 0.5).backoff(20)).to.equal(22_500);
  });

  it('never waits less than Scayle asked for', () => {
    expect(dispatcher(() => 0).backoff(1, 7000)).to.equal(7000);
    expect(dispatcher(() => 0).backoff(3, 100)).to.equal(2000);
  });
});

describe('Retry-After / X-RateLimit-Reset', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).to.equal(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Wed, 01 May 2024 12:00:05 GMT' }), now)).to.equal(5000);
  });
  it('reads X-RateLimit-Reset as seconds to wait, or as a Unix epoch', () => {
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': '2' }), now)).to.equal(2000);
    expect(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(now / 1000 + 4) }), now)).to.equal(4000);
  });
  it('is undefined without either header', () => {
    expect(retryAfterMs(new Headers({}), now)).to.equal(undefined);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store.port';
import { StreamNotFoundError } from '../../src/application/ports/event-store.port';
import { TOKENS } from '../../src/infrastructure/di/tokens';
import type { LedgerService } from '../../src/infrastructure/service';

export const WEBHOOK_USER = 'scayle';
export const WEBHOOK_PASSWORD = 'webhook-secret-for-tests';
export const API_KEYS = {
  integrator: 'integrator-key-0123456789',
  operations: 'operations-key-0123456789',
  finance: 'finance-key-0123456789abc',
};

/** Environment of a service that accepts webhooks and knows the test API keys. */
export const INGEST_ENV = {
  SCAYLE_WEBHOOK_USERNAME: WEBHOOK_USER,
  SCAYLE_WEBHOOK_PASSWORD: WEBHOOK_PASSWORD,
  LEDGER_API_KEYS: Object.entries(API_KEYS)
    .map(([role, key]) => `${role}:${key}`)
    .join(','),
};

export const basicAuth = (user = WEBHOOK_USER, password = WEBHOOK_PASSWORD): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const bearer = (role: keyof typeof API_KEYS): string => `Bearer ${API_KEYS[role]}`;

/** A fixture of tests/fixtures/scayle (parsed). */
export function scayleFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(__dirname, '../../../tests/fixtures/scayle', name), 'utf8')) as T;
}

/** A raw fixture file's text. */
export function fixtureText(...parts: string[]): string {
  return readFileSync(join(__dirname, '../../../tests/fixtures', ...parts), 'utf8');
}

/** Older envelope generation (`locale`). */
export function localeEnvelope(key: string, type: string, payload: object, occurredAt = '2024-06-01T10:00:00Z'): Record<string, unknown> {
  return { key, occurredAt, type, locale: 'de_DE', payload };
}

/** Newer envelope generation (`meta` + `version`). */
export function metaEnvelope(key: string, type: string, payload: object, occurredAt = '2024-06-01T10:00:00Z'): Record<string, unknown> {
  return { key, occurredAt, type, version: 1, meta: { tenantKey: 'acme', shopKey: 'msde', countryCode: 'DE' }, payload };
}

export const storeOf = (service: LedgerService): EventStore => service.container.get<EventStore>(TOKENS.EventStore);

export async function head(service: LedgerService): Promise<bigint> {
  return storeOf(service).headPosition();
}

export async function streamEvents(service: LedgerService, streamId: string): Promise<RecordedEvent[]> {
  try {
    return await storeOf(service).readStream(streamId);
  } catch (err) {
    if (err instanceof StreamNotFoundError) return [];
    throw err;
  }
}

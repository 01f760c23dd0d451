import { expect } from 'chai';
import request from 'supertest';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { cursorList, type ListCursors } from '../../../src/infrastructure/http/pagination';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { appendErpInvoice, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';
import { NOT_HANDED_OUT_MESSAGE } from '../../../src/infrastructure/http/pagination';

/** base64url of any JSON: a cursor's payload as the list would write it. */
const forge = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
/** What a cursor this service handed out holds (tests only: the content, payload then a 43-character signature, is not part of the contract). */
const payloadOf = (cursor: string): unknown => JSON.parse(Buffer.from(cursor.slice(0, -43), 'base64url').toString('utf8'));

/** The 400 every refused cursor gets: a problem naming `cursor`, as the spec documents for the operation. */
function expectCursorRefused(res: request.Response, path: string, template: string, what: string): void {
  expect(res.status, `${path} ${what}: ${res.text.slice(0, 300)}`).to.equal(400);
  expect(res.headers['content-type'], `${path} ${what}`).to.match(/^application\/problem\+json/);
  expect(res.body.errors.map((e: { field: string }) => e.field), `${path} ${what}`).to.deep.equal(['cursor']);
  expectResponseMatchesSpec(res, 'get', template);
}

describe('list cursors: a list pages only from a nextCursor it handed out', () => {
  let api: ApiTestService;
  let position: bigint;
  before(async () => {
    api = await startApiService();
    const events = api.service.container.get<EventStore>(TOKENS.EventStore);
    for (const orderId of ['7101', '7102', '7103']) {
      const snapshot = orderSnapshot(orderId);
      const stream = await seedKnownOrder(api.service.container, snapshot);
      position = await appendErpInvoice(events, stream, { ...snapshot, items: [{ ...snapshot.items[0]!, gross: '109.00', net: '91.60', tax: '17.40' }, snapshot.items[1]!] });
    }
  });
  after(() => api.dispose());

  /**
   * `payload` signed by the service for the unfiltered list at `path` (`template` its spec path): a
   * cursor that passes the signature, so what is checked is the payload's shape behind it (unsigned
   * cursors are refused before that: signed-cursors.test.ts).
   */
  function signed(path: string, template: string, payload: unknown): string {
    const orderId = /^\/v1\/orders\/([^/]+)\/events$/.exec(path)?.[1];
    const list = cursorList(`GET ${template}`, orderId ? { orderId } : {}, {});
    return api.service.container.get<ListCursors>(TOKENS.ListCursors).seal(list, forge(payload));
  }

  /** Every item id of a read-model list, one page of `limit` at a time, following nextCursor. */
  async function walk(path: string, id: string, limit: number): Promise<{ ids: string[]; cursors: string[] }> {
    const ids: string[] = [];
    const cursors: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const res = await request(api.server)
        .get(path)
        .query({ limit: String(limit), minPosition: String(position), ...(cursor ? { cursor } : {}) })
        .set(auth('finance'));
      expect(res.status, res.text).to.equal(200);
      ids.push(...res.body.items.map((i: Record<string, string>) => i[id]));
      cursor = res.body.nextCursor;
      if (!cursor) break;
      cursors.push(cursor);
    }
    return { ids, cursors };
  }

  it('GET /v1/exceptions: its own cursors page; one of the right shape with a number for a string, or a key too many or too few, is a 400 naming cursor', async () => {
    const all = await walk('/v1/exceptions', 'exceptionId', 500);
    expect(all.ids.length).to.be.greaterThan(2);
    const paged = await walk('/v1/exceptions', 'exceptionId', 1);
    expect(paged.ids).to.deep.equal(all.ids);
    const [openedAt, id] = payloadOf(paged.cursors[0]!) as [string, string];
    const forged: [string, unknown][] = [
      ['a number for openedAt', [Date.parse(openedAt), id]],
      ['a number for the id', [openedAt, 7101]],
      ['a key too few', [openedAt]],
      ['a key too many', [openedAt, id, id]],
      ['an object', { openedAt, _id: id }],
      ['an empty array', []],
    ];
    for (const [what, payload] of forged) {
      const res = await request(api.server).get('/v1/exceptions').query({ cursor: signed('/v1/exceptions', '/v1/exceptions', payload) }).set(auth('finance'));
      expectCursorRefused(res, '/v1/exceptions', '/v1/exceptions', what);
    }
  });

  it('GET /v1/reconciliations: its own cursors page; a number for the stream id, or a key too many or too few, is a 400 naming cursor', async () => {
    const all = await walk('/v1/reconciliations', 'streamId', 500);
    expect(all.ids).to.have.length(3);
    const paged = await walk('/v1/reconciliations', 'streamId', 1);
    expect(paged.ids).to.deep.equal(all.ids);
    const [streamId] = payloadOf(paged.cursors[0]!) as [string];
    const forged: [string, unknown][] = [
      ['a number for the stream id', [7101]],
      ['a key too many', [streamId, streamId]],
      ['a key too few', []],
      ['an object', { _id: streamId }],
    ];
    for (const [what, payload] of forged) {
      const res = await request(api.server).get('/v1/reconciliations').query({ cursor: signed('/v1/reconciliations', '/v1/reconciliations', payload) }).set(auth('finance'));
      expectCursorRefused(res, '/v1/reconciliations', '/v1/reconciliations', what);
    }
  });

  it('outbox, ERP exports and order events: a cursor with a number, a non-position, an extra or a missing key is a 400 naming cursor; a well-formed one pages', async () => {
    const lists = [
      { path: '/v1/outbox', template: '/v1/outbox', key: 'after' },
      { path: '/v1/erp/exports', template: '/v1/erp/exports', key: 'after' },
      { path: '/v1/orders/7101/events', template: '/v1/orders/{orderId}/events', key: 'afterRevision' },
    ];
    for (const { path, template, key } of lists) {
      const forged: [string, unknown][] = [
        ['a number for the position', { [key]: 5 }],
        ['a word for the position', { [key]: 'five' }],
        ['a negative position', { [key]: '-1' }],
        ['a position with a leading zero', { [key]: '05' }],
        ['a key too many', { [key]: '5', page: '2' }],
        ['a key too few', {}],
        ['another list\u2019s key', { [key === 'after' ? 'afterRevision' : 'after']: '5' }],
        ['an array', ['5']],
      ];
      for (const [what, payload] of forged) {
        const res = await request(api.server).get(path).query({ cursor: signed(path, template, payload) }).set(auth('finance'));
        expectCursorRefused(res, path, template, what);
      }
      const ok = await request(api.server).get(path).query({ cursor: signed(path, template, { [key]: '1' }) }).set(auth('finance'));
      expect(ok.status, `${path}: ${ok.text}`).to.equal(200);
    }
  });

  it('GET /v1/outbox: positions beyond signed 64 bits (EventStoreDB\'s) page; beyond 40 digits is a 400 naming cursor, not a 500', async () => {
    const res = await request(api.server).get('/v1/outbox').query({ cursor: signed('/v1/outbox', '/v1/outbox', { after: '1'.padEnd(41, '0') }) }).set(auth('finance'));
    expectCursorRefused(res, '/v1/outbox', '/v1/outbox', 'beyond 10^40 - 1');
    for (const after of ['9223372036854775808', '9'.repeat(40)]) {
      const last = await request(api.server).get('/v1/outbox').query({ cursor: signed('/v1/outbox', '/v1/outbox', { after }) }).set(auth('finance'));
      expect(last.status, last.text).to.equal(200);
      expect(last.body.items).to.deep.equal([]);
    }
  });

  it('an empty cursor (cursor=) or cursor=%FF is a 400 naming cursor on every paged list, not the first page, in the one wording of a cursor not handed out (re-trial: two wordings)', async () => {
    const lists: [string, string][] = [
      ['/v1/exceptions', '/v1/exceptions'],
      ['/v1/reconciliations', '/v1/reconciliations'],
      ['/v1/outbox', '/v1/outbox'],
      ['/v1/erp/exports', '/v1/erp/exports'],
      ['/v1/orders/7101/events', '/v1/orders/{orderId}/events'],
    ];
    for (const [path, template] of lists) {
      const res = await request(api.server).get(`${path}?cursor=`).set(auth('finance'));
      expectCursorRefused(res, path, template, 'cursor=');
      expect(res.body.errors[0].message, path).to.equal(NOT_HANDED_OUT_MESSAGE);
      const notUtf8OrMalformed = await request(api.server).get(`${path}?cursor=%2F`).set(auth('finance'));
      expect(notUtf8OrMalformed.status, path).to.equal(400);
      expect(notUtf8OrMalformed.body.errors, path).to.deep.equal([{ field: 'cursor', message: NOT_HANDED_OUT_MESSAGE }]);
    }
  });
});

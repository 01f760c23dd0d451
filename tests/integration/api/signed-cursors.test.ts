import { expect } from 'chai';
import request from 'supertest';
import type { ErpExportEntry, ErpExportStore } from '../../../src/application/ports/erp-export-store.port';
import type { EventStore } from '../../../src/application/ports/event-store.port';
import type { OutboxDispatcher } from '../../../src/application/outbox/outbox-dispatcher';
import { TOKENS } from '../../../src/infrastructure/di/tokens';
import { auth, startApiService, type ApiTestService } from '../../support/api-service';
import { expectResponseMatchesSpec } from '../../support/openapi-validator';
import { appendErpInvoice, appendRefundRequested, orderSnapshot, seedKnownOrder } from '../../support/order-fixtures';
import { tempDir } from '../../support/temp-dir';

const SECRET = 'cursor-secret-for-tests-0123456789abcdef';

/** A cursor as a client could forge one today: base64url of any JSON, unsigned. */
const forge = (payload: unknown): string => Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
/** Length of a cursor's signature (tests only: base64url of an HMAC-SHA256, appended to the payload). */
const TAG = 43;
const payloadPart = (cursor: string): string => cursor.slice(0, -TAG);
const tagPart = (cursor: string): string => cursor.slice(-TAG);

type Query = Record<string, string>;

/** One paged list of the API: where it is, what its items are called, and a filter that shapes it differently. */
interface PagedList {
  path: string;
  template: string;
  items: 'items' | 'events';
  id: string;
  /** A filter the list takes, chosen from its first item so the filtered list is not empty. */
  filter: (first: Record<string, unknown>) => Query;
  /** The same route for other path parameters, if it has any. */
  otherPath?: string;
  /** Unsigned cursors in the format the list handed out before cursors were signed. */
  forged: unknown[];
  /** Whether the operation takes `minPosition` (the outbox and ERP export lists read their own stores and do not). */
  minPosition: boolean;
}

const LISTS: PagedList[] = [
  {
    path: '/v1/exceptions',
    template: '/v1/exceptions',
    items: 'items',
    id: 'exceptionId',
    filter: (first) => ({ owner: String(first.owner) }),
    forged: [['not a date', 'x'], ['2024-05-01T00:00:00.000Z', 'exc-0']],
    minPosition: true,
  },
  {
    path: '/v1/reconciliations',
    template: '/v1/reconciliations',
    items: 'items',
    id: 'streamId',
    filter: (first) => ({ status: String(first.status) }),
    forged: [['zzzz'], ['order-msde-DE-7101'], ['']],
    minPosition: true,
  },
  {
    path: '/v1/outbox',
    template: '/v1/outbox',
    items: 'items',
    id: 'commandId',
    filter: (first) => ({ orderId: String(first.orderId) }),
    forged: [{ after: '0' }, { after: '1' }],
    minPosition: false,
  },
  {
    path: '/v1/erp/exports',
    template: '/v1/erp/exports',
    items: 'items',
    id: 'exportId',
    filter: (first) => ({ period: String(first.period) }),
    forged: [{ after: '0' }, { after: '1' }],
    minPosition: false,
  },
  {
    path: '/v1/orders/7101/events',
    template: '/v1/orders/{orderId}/events',
    items: 'events',
    id: 'eventId',
    filter: () => ({ type: 'RefundRequested' }),
    otherPath: '/v1/orders/7102/events',
    forged: [{ afterRevision: '0' }, { afterRevision: '1' }],
    minPosition: true,
  },
];

/** The 400 every refused cursor gets: a problem naming `cursor`, saying the list did not hand it out. */
function expectNotHandedOut(res: request.Response, list: PagedList, what: string): void {
  expect(res.status, `${list.path} ${what}: ${res.text.slice(0, 300)}`).to.equal(400);
  expect(res.headers['content-type'], `${list.path} ${what}`).to.match(/^application\/problem\+json/);
  expect(res.body.errors, `${list.path} ${what}`).to.have.length(1);
  expect(res.body.errors[0].field, `${list.path} ${what}`).to.equal('cursor');
  expect(res.body.errors[0].message, `${list.path} ${what}`).to.match(/not handed out by this list/).and.to.match(/first page/);
  expectResponseMatchesSpec(res, 'get', list.template);
}

/** Seeds three orders with ERP invoices that differ (exceptions, reconciliations, order events), refunds (outbox) and exports. */
async function seed(api: ApiTestService): Promise<bigint> {
  const events = api.service.container.get<EventStore>(TOKENS.EventStore);
  let position = 0n;
  for (const orderId of ['7101', '7102', '7103']) {
    const snapshot = orderSnapshot(orderId);
    const stream = await seedKnownOrder(api.service.container, snapshot);
    position = await appendErpInvoice(events, stream, { ...snapshot, items: [{ ...snapshot.items[0]!, gross: '109.00', net: '91.60', tax: '17.40' }, snapshot.items[1]!] });
    if (orderId === '7103') continue;
    for (const n of [1, 2]) {
      position = await appendRefundRequested(events, stream, { refundId: `r-${orderId}-${n}`, amount: '1.00', items: [{ orderItemId: `${orderId}1`, amount: '1.00' }], orderId });
    }
  }
  await api.service.container.get<OutboxDispatcher>(TOKENS.OutboxDispatcher).drain();
  const exportsStore = api.service.container.get<ErpExportStore>(TOKENS.ErpExportStore);
  const at = '2024-05-03T09:00:00.000Z';
  const entries: ErpExportEntry[] = ['7101', '7102', '7103'].map((orderId, i) => ({
    exportId: `exp-${orderId}-INV1`,
    streamId: `order-msde-DE-${orderId}`,
    orderId,
    documentKind: 'invoice',
    category: 'sale',
    sequence: 1,
    documentNumber: `${orderId}-INV1`,
    postingDate: i === 2 ? '2024-06-01' : '2024-05-03',
    period: i === 2 ? '2024-06' : '2024-05',
    status: 'blocked',
    reason: 'mapping_missing',
    attempts: 0,
    position: BigInt(1_000_000 + i),
    requestedAt: at,
    updatedAt: at,
  })) as ErpExportEntry[];
  await exportsStore.addRequested(entries);
  return position;
}

describe('signed list cursors: a cursor pages only the list that handed it out', () => {
  let api: ApiTestService;
  let position: bigint;
  before(async () => {
    api = await startApiService({ LEDGER_CURSOR_SECRET: SECRET });
    position = await seed(api);
  });
  after(() => api.dispose());

  const listOf = (path: string): PagedList => LISTS.find((l) => l.path === path || l.otherPath === path)!;
  const get = (path: string, query: Query) =>
    request(api.server)
      .get(path)
      .query({ ...(listOf(path).minPosition ? { minPosition: String(position) } : {}), ...query })
      .set(auth('finance'));

  /** Every item id of a list, `limit` at a time (the first page's limit, then `nextLimit`), following nextCursor. */
  async function walk(list: PagedList, path: string, query: Query, limit: number, nextLimit = limit): Promise<{ ids: string[]; cursors: string[]; first: Record<string, unknown>[] }> {
    const ids: string[] = [];
    const cursors: string[] = [];
    let first: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 40; guard++) {
      const res = await get(path, { ...query, limit: String(cursor ? nextLimit : limit), ...(cursor ? { cursor } : {}) });
      expect(res.status, `${path}: ${res.text.slice(0, 300)}`).to.equal(200);
      const items = res.body[list.items] as Record<string, unknown>[];
      if (guard === 0) first = items;
      ids.push(...items.map((i) => String(i[list.id])));
      cursor = res.body.nextCursor;
      if (!cursor) break;
      cursors.push(cursor);
    }
    return { ids, cursors, first };
  }

  for (const list of LISTS) {
    describe(`GET ${list.template}`, () => {
      it('a genuine nextCursor pages to the end with the same items as one page, also when only limit changes', async () => {
        const all = await walk(list, list.path, {}, 500);
        expect(all.ids.length, 'the list has more than two items').to.be.greaterThan(2);
        expect(all.cursors).to.deep.equal([]);
        const paged = await walk(list, list.path, {}, 1);
        expect(paged.ids).to.deep.equal(all.ids);
        expect(paged.cursors).to.have.length(all.ids.length - 1);
        const resized = await walk(list, list.path, {}, 1, 2);
        expect(resized.ids).to.deep.equal(all.ids);
        const filter = list.filter(all.first[0]!);
        const filtered = await walk(list, list.path, filter, 500);
        const filteredPaged = await walk(list, list.path, filter, 1);
        expect(filteredPaged.ids).to.deep.equal(filtered.ids);
      });

      it('an edited cursor (payload changed, signature kept) is a 400 naming cursor', async () => {
        const { cursors } = await walk(list, list.path, {}, 1);
        const [c1, c2] = cursors as [string, string];
        expect(payloadPart(c1)).to.not.equal(payloadPart(c2));
        expectNotHandedOut(await get(list.path, { cursor: payloadPart(c2) + tagPart(c1) }), list, 'payload of page 3, signature of page 2');
        const flipped = payloadPart(c1).slice(0, -1) + (payloadPart(c1).endsWith('A') ? 'B' : 'A') + tagPart(c1);
        expectNotHandedOut(await get(list.path, { cursor: flipped }), list, 'last payload character changed');
        const tagEdited = payloadPart(c1) + tagPart(c1).slice(0, -1) + (tagPart(c1).endsWith('A') ? 'B' : 'A');
        expectNotHandedOut(await get(list.path, { cursor: tagEdited }), list, 'signature changed');
      });

      it('a cursor of the same route under another filter (or another order) is a 400 naming cursor; changing only limit is not', async () => {
        const unfiltered = await walk(list, list.path, {}, 1);
        const filter = list.filter(unfiltered.first[0]!);
        expectNotHandedOut(await get(list.path, { ...filter, cursor: unfiltered.cursors[0]! }), list, `unfiltered cursor with ${JSON.stringify(filter)}`);
        const filtered = await get(list.path, { ...filter, limit: '1' });
        expect(filtered.body.nextCursor, `${list.path} ${JSON.stringify(filter)} has a second page`).to.be.a('string');
        expectNotHandedOut(await get(list.path, { cursor: filtered.body.nextCursor }), list, `cursor of ${JSON.stringify(filter)} without it`);
        if (list.otherPath) {
          const other = await get(list.otherPath, { limit: '1' });
          expect(other.body.nextCursor, list.otherPath).to.be.a('string');
          expectNotHandedOut(await get(list.path, { cursor: other.body.nextCursor }), list, `cursor of ${list.otherPath}`);
        }
        const ok = await get(list.path, { cursor: unfiltered.cursors[0]!, limit: '7' });
        expect(ok.status, ok.text).to.equal(200);
      });

      it('an unsigned cursor in the format handed out before (forged) is a 400 naming cursor', async () => {
        const { cursors } = await walk(list, list.path, {}, 1);
        for (const payload of list.forged) expectNotHandedOut(await get(list.path, { cursor: forge(payload) }), list, `forged ${JSON.stringify(payload)}`);
        expectNotHandedOut(await get(list.path, { cursor: payloadPart(cursors[0]!) }), list, 'a genuine payload without its signature');
      });
    });
  }

  it('a cursor of another route is refused alike', async () => {
    const outbox = await get('/v1/outbox', { limit: '1' });
    expectNotHandedOut(await get('/v1/erp/exports', { cursor: outbox.body.nextCursor }), listOf('/v1/erp/exports'), 'an outbox cursor');
  });
});

describe('signed list cursors across a restart', () => {
  const dir = tempDir();
  after(() => dir.remove());

  async function firstPage(api: ApiTestService): Promise<{ cursor: string; next: string[] }> {
    const first = await request(api.server).get('/v1/orders/7201/events?limit=1').set(auth('finance')).expect(200);
    const next = await request(api.server).get(`/v1/orders/7201/events?limit=1&cursor=${first.body.nextCursor}`).set(auth('finance')).expect(200);
    return { cursor: first.body.nextCursor, next: next.body.events.map((e: { eventId: string }) => e.eventId) };
  }

  it('with LEDGER_CURSOR_SECRET a cursor still pages after a restart; without it, it is a 400 naming cursor', async () => {
    const one = await startApiService({ LEDGER_CURSOR_SECRET: SECRET }, {}, dir.path);
    await seedKnownOrder(one.service.container, orderSnapshot('7201'));
    const before = await firstPage(one);
    await one.stop();

    const two = await startApiService({ LEDGER_CURSOR_SECRET: SECRET }, {}, dir.path);
    const again = await request(two.server).get(`/v1/orders/7201/events?limit=1&cursor=${before.cursor}`).set(auth('finance'));
    expect(again.status, again.text).to.equal(200);
    expect(again.body.events.map((e: { eventId: string }) => e.eventId)).to.deep.equal(before.next);
    await two.stop();

    const three = await startApiService({}, {}, dir.path);
    const unsecret = await firstPage(three);
    const refused = await request(three.server).get(`/v1/orders/7201/events?limit=1&cursor=${before.cursor}`).set(auth('finance'));
    expect([refused.status, refused.body.errors?.[0]?.field]).to.deep.equal([400, 'cursor']);
    await three.stop();

    const four = await startApiService({}, {}, dir.path);
    const lost = await request(four.server).get(`/v1/orders/7201/events?limit=1&cursor=${unsecret.cursor}`).set(auth('finance'));
    expect([lost.status, lost.body.errors?.[0]?.field]).to.deep.equal([400, 'cursor']);
    expect(lost.body.errors[0].message).to.match(/first page/);
    await four.stop();
  });
});

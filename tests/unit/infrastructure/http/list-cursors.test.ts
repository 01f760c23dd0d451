import { expect } from 'chai';
import { cursorList, ListCursors, NOT_HANDED_OUT_MESSAGE } from '../../../../src/infrastructure/http/pagination';
import { HttpProblem } from '../../../../src/infrastructure/http/problem-details';

const SECRET = 'unit-test-cursor-secret-0123456789abcdef';
const EVENTS = 'GET /v1/orders/{orderId}/events';

/** The field errors of the HttpProblem `fn` throws (fails when it throws nothing or something else). */
function refusal(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(HttpProblem);
    expect((err as HttpProblem).status).to.equal(400);
    return (err as HttpProblem).extensions.errors ?? [];
  }
  return expect.fail('expected a 400 naming cursor');
}

describe('ListCursors (signed, list-bound paging cursors)', () => {
  const cursors = ListCursors.withSecret(SECRET);
  const list = cursorList(EVENTS, { orderId: '7101' }, { type: 'RefundRequested', limit: '5', cursor: 'x', minPosition: '9' });

  it('names the list by operation, path parameters and filters; limit, cursor, minPosition and unset filters do not count', () => {
    expect(list).to.deep.equal({ operation: EVENTS, path: { orderId: '7101' }, filters: { type: 'RefundRequested' } });
    expect(cursorList('GET /v1/outbox', {}, { status: undefined, orderId: '901' }).filters).to.deep.equal({ orderId: '901' });
  });

  it('round-trips positions for the same list, whatever the page size or the order filters are named in', () => {
    const cursor = cursors.encode(list, { afterRevision: 41n });
    expect(cursor).to.match(/^[A-Za-z0-9_-]+$/);
    expect(cursors.decode(cursorList(EVENTS, { orderId: '7101' }, { limit: '500', type: 'RefundRequested' }), cursor, { afterRevision: 100n })).to.deep.equal({ afterRevision: 41n });
    const two = cursorList('GET /v1/exceptions', {}, { owner: 'cx', status: 'open' });
    const swapped = cursorList('GET /v1/exceptions', {}, { status: 'open', owner: 'cx' });
    expect(cursors.open(swapped, cursors.seal(two, 'WyJhIl0'))).to.equal('WyJhIl0');
    expect(cursors.decode(list, undefined, { afterRevision: 100n })).to.equal(undefined);
    expect(cursors.open(list, undefined)).to.equal(undefined);
  });

  it('refuses another order, another filter, another route, another key, an edit, and the unsigned payload, naming cursor', () => {
    const cursor = cursors.encode(list, { afterRevision: 41n });
    const payload = cursor.slice(0, -43);
    const tag = cursor.slice(-43);
    const other = (last: string) => (last === 'A' ? 'B' : 'A');
    const refused: [string, () => unknown][] = [
      ['another order', () => cursors.open(cursorList(EVENTS, { orderId: '7102' }, { type: 'RefundRequested' }), cursor)],
      ['no filter', () => cursors.open(cursorList(EVENTS, { orderId: '7101' }, {}), cursor)],
      ['another filter value', () => cursors.open(cursorList(EVENTS, { orderId: '7101' }, { type: 'RefundRequested,ErpInvoicePosted' }), cursor)],
      ['another route', () => cursors.open(cursorList('GET /v1/outbox', { orderId: '7101' }, { type: 'RefundRequested' }), cursor)],
      ['another key', () => ListCursors.withSecret(`${SECRET}-rotated`).open(list, cursor)],
      ['a random key (another start without LEDGER_CURSOR_SECRET)', () => ListCursors.withSecret(undefined).open(list, ListCursors.withSecret(undefined).seal(list, payload))],
      ['the payload edited', () => cursors.open(list, Buffer.from('{"afterRevision":"40"}').toString('base64url') + tag)],
      ['the signature\u2019s last character edited (its spare bits too)', () => cursors.open(list, payload + tag.slice(0, -1) + other(tag.slice(-1)))],
      ['the payload alone (unsigned, the format before signing)', () => cursors.open(list, payload)],
      ['the signature alone', () => cursors.open(list, tag)],
      ['a character outside base64url', () => cursors.open(list, `${payload}.${tag}`)],
    ];
    for (const [what, fn] of refused) expect(refusal(fn), what).to.deep.equal([{ field: 'cursor', message: NOT_HANDED_OUT_MESSAGE }]);
  });

  it('still checks the payload\u2019s shape behind a valid signature (a position cursor on a revision-paged history)', () => {
    const byPosition = cursors.encode(list, { afterPosition: 7n });
    expect(refusal(() => cursors.decode(list, byPosition, { afterRevision: 100n }))).to.deep.equal([{ field: 'cursor', message: NOT_HANDED_OUT_MESSAGE }]);
    expect(refusal(() => cursors.decode(list, cursors.encode(list, { afterRevision: 101n }), { afterRevision: 100n }))).to.have.length(1);
    expect(NOT_HANDED_OUT_MESSAGE).to.match(/not handed out by this list/).and.to.match(/first page/);
  });
});

import { expect } from 'chai';
import {
  ORDER_EVENT_TYPES,
  SCAYLE_ORDER_FACT_TYPES,
  isOrderEvent,
  isScayleOrderFact,
  orderStreamId,
  erpUnlinkedStreamId,
  settlementStreamId,
  periodStreamId,
  type OrderEvent,
} from '../../../../src/domain/order/order.events';
import { ERP_EXPORT_EVENT_TYPES } from '../../../../src/domain/erp-export/erp-export.events';
import { FINDING_CODES, FINDING_CODE_LIST } from '../../../../src/domain/shared/findings';
import { DomainError } from '../../../../src/domain/shared/errors';

describe('domain/order/order.events', () => {
  it('lists every type once, past-tense PascalCase', () => {
    expect(new Set(ORDER_EVENT_TYPES).size).to.equal(ORDER_EVENT_TYPES.length);
    expect(ORDER_EVENT_TYPES.length).to.equal(SCAYLE_ORDER_FACT_TYPES.length + 12 + ERP_EXPORT_EVENT_TYPES.length);
    for (const t of ORDER_EVENT_TYPES) expect(t).to.match(/^[A-Z][A-Za-z]+$/);
  });
  it('guards known and unknown types', () => {
    const e: { type: string } = { type: 'ScayleOrderItemCancelled' };
    expect(isOrderEvent(e)).to.equal(true);
    expect(isScayleOrderFact(e)).to.equal(true);
    expect(isScayleOrderFact({ type: 'ErpInvoicePosted' })).to.equal(false);
    expect(isOrderEvent({ type: 'ExceptionAcknowledged' })).to.equal(false);
  });
  it('names streams', () => {
    expect(orderStreamId('msde', 'DE', '901')).to.equal('order-msde-DE-901');
    expect(erpUnlinkedStreamId('SI-1001')).to.equal('erp-unlinked-SI-1001');
    expect(settlementStreamId('adyen', 'B-7')).to.equal('settlement-adyen-B-7');
    expect(periodStreamId('2024-06')).to.equal('period-2024-06');
    expect(() => orderStreamId('msde', '', '901')).to.throw(DomainError);
    expect(() => periodStreamId('2024-6')).to.throw(DomainError);
  });
  it('types a refund request with decimal-string money', () => {
    const e: OrderEvent = {
      type: 'RefundRequested',
      data: { refundId: 'r1', amount: '10.00', currency: 'EUR', items: [{ orderItemId: '1', amount: '10.00' }], reason: 'damaged', requestedAt: '2024-06-01T10:00:00Z', requestedBy: 'cx:42' },
    };
    expect(e.type === 'RefundRequested' && e.data.amount).to.equal('10.00');
  });
  it('keeps the DESIGN §6 owner table', () => {
    expect(FINDING_CODE_LIST.length).to.equal(17);
    expect(FINDING_CODES.ORPHAN_REFUND.owner).to.equal('cx');
    expect(FINDING_CODES.STATUS_DRIFT.owner).to.equal('operations');
    expect(FINDING_CODES.DATA_QUALITY_WARNING.owner).to.equal('operations');
    expect(FINDING_CODES.ROUNDING_DIFFERENCE.severity).to.equal('info');
    expect(FINDING_CODE_LIST.slice(0, 2)).to.deep.equal(['CURRENCY_MISMATCH', 'PERIOD_DRIFT']);
  });
});

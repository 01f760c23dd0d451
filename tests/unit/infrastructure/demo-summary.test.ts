import { expect } from 'chai';
import { summarise } from '../../../src/infrastructure/simulator/demo.command';

describe('demo summary', () => {
  it('counts orders by status without the PSP payout batches, and names the batches apart', () => {
    const rows = [
      { subject: 'order-msde-DE-1', orderId: '1', status: 'matched', findings: [] },
      { subject: 'order-msde-DE-2', orderId: '2', status: 'drift', findings: [] },
      { subject: 'settlement-adyen-B1', status: 'matched', findings: [] },
      { subject: 'settlement-adyen-B2', status: 'drift', findings: [{ code: 'SETTLEMENT_DRIFT', subject: 'settlement-adyen-B2', component: 'settlement', autoAccepted: false, explanation: 'payout off' }] },
    ];
    const text = summarise(rows as never);
    expect(text).to.match(/matched\s*│?\s*1\b/);
    expect(text).to.match(/drift\s*│?\s*1\b/);
    expect(text).to.include('PSP payout batches checked: 2, 1 with a finding');
  });
});

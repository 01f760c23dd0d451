/**
 * Deciders for ledger commands that depend on order state (HOUSE-STYLE "Aggregates are deciders").
 *
 * Errors (`DomainError`): `not_found`/`order_not_found` when the stream holds no Scayle order;
 * `invalid` for malformed input (field named); `business_rule` for rules on state (field or item
 * named); `conflict`/`command_id_reused` when an id is reused with different data. A retry of an
 * already decided command (same id, same data) yields no events.
 */
import { assertNever, type Decider } from '../shared/decider';
import { isCurrencyCode } from '../shared/currency';
import { businessRule, DomainError, invalid, InvalidFieldsError } from '../shared/errors';
import { Money } from '../shared/money';
import { instantMs } from '../shared/period';
import { parseRate } from '../shared/tax';
import type { CorrectLineItems, OrderCommand, RequestRefund } from './order.commands';
import type { LineItemsCorrected, OrderEvent, OrderEventEnvelope, RefundRequested } from './order.events';
import { evolve, initialOrderState, type OrderState } from './order.state';
import { orderView, type OrderView } from './order.view';

export type { OrderCommand, RequestRefund, CorrectLineItems } from './order.commands';

/** Decides a command on the state of its order stream. */
export function decide(command: OrderCommand, state: OrderState): OrderEvent[] {
  switch (command.type) {
    case 'RequestRefund':
      return decideRefund(command, state);
    case 'CorrectLineItems':
      return decideCorrection(command, state);
    default:
      return assertNever(command, 'command');
  }
}

/** The order decider (evolve reads recorded events; decide emits `{type, data}`). */
export const orderDecider: Decider<OrderCommand, OrderState, OrderEvent, OrderEventEnvelope<{ type: string; data: unknown }>> = {
  initialState: initialOrderState,
  evolve,
  decide,
};

function knownOrder(state: OrderState): OrderView {
  if (state.kind !== 'order_known') throw new DomainError('not_found', 'order_not_found', 'No Scayle order is known for this stream');
  return orderView(state);
}

function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('required', `${field} is required`, field);
}

/**
 * `RequestRefund` rules: currency = order currency; amounts written on its scale (new input:
 * `"19.990"` EUR is `too_many_decimals`); `amount` > 0 and = Σ `items[].amount`; every item
 * belongs to the order, appears once, and is refundable up to what was paid for it (its gross after
 * allocated reductions, or its corrected gross) minus earlier refunds of it (ledger refunds of that
 * item, and Scayle refunds naming it, counted at the item's full gross); the total ≤ captured −
 * refunded, where refunded = Scayle's successful refunds + ledger refunds not yet recorded in Scayle
 * (once recorded, Scayle's `payment-refund` carries them).
 */
function decideRefund(command: RequestRefund, state: OrderState): RefundRequested[] {
  const c = command.data;
  const view = knownOrder(state);
  const previous = state.refundRequests[c.refundId];
  if (previous) {
    if (sameData(previous.data, c)) return [];
    throw new DomainError('conflict', 'command_id_reused', `Refund ${c.refundId} was already requested with other data`, 'refundId');
  }
  requireText(c.refundId, 'refundId');
  requireText(c.reason, 'reason');
  requireText(c.requestedBy, 'requestedBy');
  instantMs(c.requestedAt, 'requestedAt');
  const cur = view.currency!;
  if (!isCurrencyCode(c.currency)) throw invalid('unknown_currency', `Not an ISO 4217 currency code: ${String(c.currency)}`, 'currency');
  if (c.currency !== cur) throw businessRule('currency_mismatch', `The order is in ${cur}, the refund in ${c.currency}`, 'currency', { expected: cur });
  const amount = Money.parseInput(c.amount, cur, 'amount');
  if (!amount.isPositive()) throw invalid('not_positive', 'amount must be greater than zero', 'amount');
  if (!Array.isArray(c.items) || c.items.length === 0) throw invalid('required', 'refund_items must name at least one item', 'refund_items');

  const refundedByItem = earlierItemRefunds(view);
  const seen = new Set<string>();
  let sum = Money.zero(cur);
  c.items.forEach((it, i) => {
    const field = `refund_items[${i}]`;
    const itemAmount = Money.parseInput(it.amount, cur, `${field}.amount`);
    if (!itemAmount.isPositive()) throw invalid('not_positive', `${field}.amount must be greater than zero`, `${field}.amount`);
    if (seen.has(it.orderItemId)) throw invalid('duplicate_item', `Item ${it.orderItemId} appears twice`, `${field}.orderItemId`);
    seen.add(it.orderItemId);
    const item = view.items.find((x) => x.itemId === it.orderItemId);
    if (!item) throw businessRule('item_not_in_order', `Item ${it.orderItemId} does not belong to this order`, `${field}.orderItemId`, { orderItemId: it.orderItemId });
    const left = item.gross.subtract(refundedByItem.get(item.itemId) ?? Money.zero(cur));
    if (itemAmount.compare(left) > 0) {
      throw businessRule('refund_exceeds_item', `Item ${item.itemId} can be refunded up to ${left.toString()} ${cur}, asked ${itemAmount.toString()}`, `${field}.amount`, { orderItemId: item.itemId, refundable: left.toString() });
    }
    sum = sum.add(itemAmount);
  });
  if (!sum.equals(amount)) throw businessRule('amount_not_sum_of_items', `amount ${amount.toString()} ≠ Σ refund_items ${sum.toString()}`, 'amount', { sumOfItems: sum.toString() });

  const captured = view.captures.filter((p) => p.data.currency === cur).reduce((s, p) => s.add(Money.parse(p.data.amount, cur)), Money.zero(cur));
  const scayleRefunded = view.refunds.filter((p) => p.data.currency === cur).reduce((s, p) => s.add(Money.parse(p.data.amount, cur)), Money.zero(cur));
  const ledgerPending = view.refundRequests.filter((r) => !view.recordedRefundIds.has(r.data.refundId)).reduce((s, r) => s.add(Money.parse(r.data.amount, cur)), Money.zero(cur));
  const available = captured.subtract(scayleRefunded).subtract(ledgerPending);
  if (amount.compare(available) > 0) {
    throw businessRule('refund_exceeds_captured', `Only ${available.toString()} ${cur} captured and not yet refunded, asked ${amount.toString()}`, 'amount', { available: available.toString() });
  }
  return [{ type: 'RefundRequested', data: { ...c, amount: amount.toString(), items: c.items.map((it) => ({ orderItemId: it.orderItemId, amount: Money.parse(it.amount, cur).toString() })) } }];
}

function earlierItemRefunds(view: OrderView): Map<string, Money> {
  const cur = view.currency!;
  const out = new Map<string, Money>();
  const add = (id: string, m: Money) => out.set(id, (out.get(id) ?? Money.zero(cur)).add(m));
  for (const r of view.refundRequests) for (const it of r.data.items) add(it.orderItemId, Money.parse(it.amount, cur));
  const ledgerItems = new Set(view.refundRequests.flatMap((r) => r.data.items.map((i) => i.orderItemId)));
  for (const p of view.refunds) {
    for (const id of p.data.itemIds ?? []) {
      const item = view.items.find((i) => i.itemId === id);
      if (item && !ledgerItems.has(id)) add(id, item.gross);
    }
  }
  return out;
}

/**
 * `CorrectLineItems` rules: items exist and appear once; gross = net + tax in the order currency,
 * written on its scale (the command is new input: `"100.000"` EUR is `too_many_decimals`); rate a
 * fraction; tax = net × rate up to (1 + rate) minor units of rounding (`tax_inconsistent_with_rate`).
 * Input faults (an item twice, an amount off the scale, a rate that is no fraction) are all collected
 * before any rule on state: one is thrown as is, several as one {@link InvalidFieldsError} naming
 * each (README "400s list every invalid field").
 */
function decideCorrection(command: CorrectLineItems, state: OrderState): LineItemsCorrected[] {
  const c = command.data;
  const view = knownOrder(state);
  const previous = state.corrections[c.correctionId];
  if (previous) {
    if (sameData(previous.data, c)) return [];
    throw new DomainError('conflict', 'command_id_reused', `Correction ${c.correctionId} was already made with other data`, 'correctionId');
  }
  requireText(c.correctionId, 'correctionId');
  requireText(c.reason, 'reason');
  instantMs(c.correctedAt, 'correctedAt');
  if (!Array.isArray(c.items) || c.items.length === 0) throw invalid('required', 'items must name at least one item', 'items');
  const cur = view.currency!;
  const faults: DomainError[] = [];
  const checked = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind !== 'invalid') throw err;
      faults.push(err);
      return undefined;
    }
  };
  const seen = new Set<string>();
  const parsed = c.items.map((it, i) => {
    const field = `items[${i}]`;
    if (seen.has(it.orderItemId)) faults.push(invalid('duplicate_item', `Item ${it.orderItemId} appears twice`, `${field}.orderItemId`));
    seen.add(it.orderItemId);
    const gross = checked(() => Money.parseInput(it.gross, cur, `${field}.gross`));
    const net = checked(() => Money.parseInput(it.net, cur, `${field}.net`));
    const tax = checked(() => Money.parseInput(it.tax, cur, `${field}.tax`));
    const rate = checked(() => parseRate(it.taxRate, `${field}.taxRate`));
    return { it, field, gross, net, tax, rate };
  });
  if (faults.length === 1) throw faults[0]!;
  if (faults.length > 1) throw new InvalidFieldsError(faults.map((f) => ({ field: f.field ?? 'items', code: f.code, message: f.message })));
  const items = parsed.map(({ it, field, gross, net, tax, rate }) => {
    if (!view.items.some((x) => x.itemId === it.orderItemId)) throw businessRule('item_not_in_order', `Item ${it.orderItemId} does not belong to this order`, `${field}.orderItemId`, { orderItemId: it.orderItemId });
    if (!gross || !net || !tax || !rate) throw new Error('unreachable: input faults are thrown above');
    if (!net.add(tax).equals(gross)) throw businessRule('gross_not_net_plus_tax', `${field}: gross ${gross.toString()} ≠ net ${net.toString()} + tax ${tax.toString()}`, `${field}.gross`);
    // One unit's tax is net × rate up to rounding: at most (1 + rate) minor units off when net was
    // extracted from a rounded gross and the ERP distributed a per-document remainder (DESIGN §5).
    const tolerance = Money.fromMinorUnits(1n, cur).multiply(rate.add(1));
    const expectedTax = net.multiply(rate);
    if (tax.subtract(expectedTax).abs().compare(tolerance) > 0) {
      throw businessRule('tax_inconsistent_with_rate', `${field}: tax ${tax.toString()} is not net ${net.toString()} × rate ${it.taxRate} (${expectedTax.quantise('half_up').toString()}) up to rounding`, `${field}.tax`);
    }
    const out: LineItemsCorrected['data']['items'][number] = { orderItemId: it.orderItemId, gross: gross.toString(), net: net.toString(), tax: tax.toString(), taxRate: it.taxRate };
    if (it.taxCode !== undefined) out.taxCode = it.taxCode;
    return out;
  });
  const data: LineItemsCorrected['data'] = { correctionId: c.correctionId, reason: c.reason, items, correctedAt: c.correctedAt };
  if (c.correctedBy !== undefined) data.correctedBy = c.correctedBy;
  return [{ type: 'LineItemsCorrected', data }];
}

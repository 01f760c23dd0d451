import type { Request, Response, Router } from 'express';
import type { CorrectLineItemsHandler } from '../../../application/order/correct-line-items.handler';
import type { EventStore } from '../../../application/ports/event-store.port';
import type { OrderDirectory } from '../../../application/ports/order-directory.port';
import { getRefund } from '../../../application/refund/get-refund.query';
import type { RequestRefundHandler } from '../../../application/refund/request-refund.handler';
import { requestHash } from '../../../application/shared/idempotency';
import { DomainError } from '../../../domain/shared/errors';
import { Money } from '../../../domain/shared/money';
import type { HttpRoutes } from '../app';
import type { ApiKeyRegistry } from '../auth/api-keys';
import { guard } from '../auth/route-roles';
import { commandContext, runCommand } from '../commands';
import { HttpProblem, type FieldError } from '../problem-details';
import { dtoFieldErrors, requireContentType, validateDto } from '../validation';
import { CorrectLineItemsDto, RequestRefundDto } from './order-commands.dto';

/** `Idempotency-Key`: 1–255 printable ASCII characters, no spaces (the spec's `pattern`). */
export const KEY_RE = /^[\x21-\x7E]{1,255}$/;
const REFUND_FIELDS = { items: 'refund_items', orderItemId: 'order_item_id' };
const CORRECTION_FIELDS = { orderItemId: 'order_item_id', gross: 'gross_amount', net: 'net_amount', tax: 'tax_amount', taxRate: 'tax_rate', taxCode: 'tax_code' };

/** The `Idempotency-Key` header: required for refunds, optional for corrections. */
function idempotencyKey(req: Request, required: boolean): string | undefined {
  const value = req.header('idempotency-key');
  if (value === undefined || value === '') {
    if (!required) return undefined;
    throw new DomainError('invalid', 'idempotency_key_required', 'The Idempotency-Key header is required: choose one key (e.g. a UUID) per refund and resend it on retries', 'Idempotency-Key');
  }
  if (!KEY_RE.test(value)) throw new DomainError('invalid', 'invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters without spaces', 'Idempotency-Key');
  return value;
}

/** Money checked on the currency's scale as written, zeros beyond it too (400 `too_many_decimals` naming the field). */
function onScale(amount: string, currency: string, field: string): string {
  return Money.parseInput(amount, currency, field).toString();
}

const orderIdOf = (req: Request): string => String(req.params.orderId);

/**
 * The refund body, every field checked at once: the DTO's constraints and, for each amount the DTO
 * takes, the currency's scale — so a 400 lists a missing `reason` and an `amount` of `"1.001"`
 * together instead of one per round trip.
 * @throws HttpProblem 400 listing every invalid field ({@link HttpProblem.invalidFields}): of the
 *   amounts' code (`too_many_decimals`, …) when they alone are wrong, else `validation-error` with
 *   each amount entry's `code`.
 */
async function validRefund(body: unknown): Promise<RequestRefundDto> {
  const { instance: dto, errors } = await dtoFieldErrors(RequestRefundDto, body);
  const money: DomainError[] = [];
  if (!errors.some((e) => e.field === 'currency')) {
    const amounts: [string, unknown][] = [['amount', dto.amount]];
    if (Array.isArray(dto.refund_items)) dto.refund_items.forEach((i, n) => amounts.push([`refund_items[${n}].amount`, (i as RefundItemLike | undefined)?.amount]));
    for (const [field, value] of amounts) {
      if (typeof value !== 'string' || errors.some((e) => e.field === field)) continue;
      try {
        onScale(value, dto.currency, field);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (!money.some((m) => m.field === err.field && m.message === err.message)) money.push(err);
      }
    }
  }
  if (errors.length === 0 && money.length === 1) throw money[0]!;
  const moneyFields: FieldError[] = money.map((m) => ({ field: m.field ?? 'amount', message: m.message, code: m.code }));
  if (errors.length + money.length > 0) throw HttpProblem.invalidFields([...errors, ...moneyFields]);
  return dto;
}

type RefundItemLike = { amount?: unknown };

/**
 * Order commands: `POST /v1/orders/{orderId}/refunds`, `GET /v1/orders/{orderId}/refunds/{refundId}`
 * and `POST /v1/orders/{orderId}/line-item-corrections`.
 */
export class OrderCommandsController implements HttpRoutes {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly refunds: RequestRefundHandler,
    private readonly corrections: CorrectLineItemsHandler,
    private readonly events: EventStore,
    private readonly directory: OrderDirectory,
  ) {}

  register(router: Router): void {
    router.post('/v1/orders/:orderId/refunds', guard(this.keys, 'POST /v1/orders/{orderId}/refunds'), requireContentType('application/json'), (req, res) => this.refund(req, res));
    router.get('/v1/orders/:orderId/refunds/:refundId', guard(this.keys, 'GET /v1/orders/{orderId}/refunds/{refundId}'), async (req, res) => {
      const view = await getRefund(this.events, this.directory, orderIdOf(req), String(req.params.refundId));
      res.setHeader('Cache-Control', 'private, no-cache');
      res.json({ ...view, items: view.items.map((i) => ({ order_item_id: i.orderItemId, amount: i.amount })), position: String(view.position) });
    });
    router.post(
      '/v1/orders/:orderId/line-item-corrections',
      guard(this.keys, 'POST /v1/orders/{orderId}/line-item-corrections'),
      requireContentType('application/json'),
      (req, res) => this.correct(req, res),
    );
  }

  private async refund(req: Request, res: Response): Promise<void> {
    const key = idempotencyKey(req, true)!;
    const dto = await validRefund(req.body);
    const input = {
      orderId: orderIdOf(req),
      amount: onScale(dto.amount, dto.currency, 'amount'),
      currency: dto.currency,
      items: dto.refund_items.map((i, n) => ({ orderItemId: i.order_item_id, amount: onScale(i.amount, dto.currency, `refund_items[${n}].amount`) })),
      reason: dto.reason,
      idempotencyKey: key,
      requestHash: requestHash(req.body),
    };
    const accepted = await runCommand(() => this.refunds.handle(input, commandContext(res)), { fieldNames: REFUND_FIELDS });
    res
      .status(201)
      .location(`/v1/orders/${encodeURIComponent(input.orderId)}/refunds/${accepted.refundId}`)
      .setHeader('Idempotent-Replayed', String(accepted.replayed))
      .json({ refundId: accepted.refundId, status: accepted.status, amount: accepted.amount, currency: accepted.currency, position: String(accepted.position) });
  }

  private async correct(req: Request, res: Response): Promise<void> {
    const key = idempotencyKey(req, false);
    const dto = await validateDto(CorrectLineItemsDto, req.body);
    const input = {
      orderId: orderIdOf(req),
      reason: dto.reason,
      items: dto.items.map((i) => ({
        orderItemId: i.order_item_id,
        gross: i.gross_amount,
        net: i.net_amount,
        tax: i.tax_amount,
        taxRate: i.tax_rate,
        ...(i.tax_code !== undefined ? { taxCode: i.tax_code } : {}),
      })),
      ...(key ? { idempotencyKey: key } : {}),
      requestHash: requestHash(req.body),
    };
    const accepted = await runCommand(() => this.corrections.handle(input, commandContext(res)), { fieldNames: CORRECTION_FIELDS });
    res
      .status(201)
      .setHeader('Idempotent-Replayed', String(accepted.replayed))
      .json({ correctionId: accepted.correctionId, status: accepted.status, itemIds: accepted.itemIds, position: String(accepted.position) });
  }
}

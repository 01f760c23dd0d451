import type { Router } from 'express';
import type { IngestScayleWebhookHandler } from '../../../application/ingest/ingest-scayle-webhook.handler';
import type { ScayleWebhookEnvelope } from '../../../application/ingest/scayle/scayle-webhook.mapper';
import type { HttpRoutes } from '../app';
import { FieldError, HttpProblem } from '../problem-details';
import { sourceIdPattern, sourceInstantProblem } from '../dto/calendar.validators';
import { requireContentType } from '../validation';
import { webhookGuard } from './webhook-basic-auth';
import { ingestContext, sendOutcome } from './ingest-response';

const WEBHOOK_KEY = sourceIdPattern(200);

/**
 * Validates the webhook envelope (both generations). Envelope faults are the sender's: 400 naming
 * the field, nothing appended. Unknown extra envelope members are allowed (Scayle adds fields).
 * @throws HttpProblem 400.
 */
export function parseEnvelope(body: unknown): ScayleWebhookEnvelope {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw HttpProblem.validation([{ field: 'body', message: 'must be a JSON object' }]);
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof b.key !== 'string' || b.key.length === 0) errors.push({ field: 'key', message: 'must be a non-empty string (the delivery id)' });
  else if (!WEBHOOK_KEY.test(b.key)) errors.push({ field: 'key', message: "must be at most 200 characters without whitespace, '|', control or invisible characters" });
  if (typeof b.type !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,99}$/.test(b.type)) errors.push({ field: 'type', message: 'must be a Scayle event type such as order-confirmed' });
  // The fact's source time (metadata.occurredAt): the domain folds and dates the order by it.
  const occurredAtProblem = sourceInstantProblem(b.occurredAt);
  if (occurredAtProblem) errors.push({ field: 'occurredAt', message: occurredAtProblem });
  if (b.payload === null || typeof b.payload !== 'object' || Array.isArray(b.payload)) errors.push({ field: 'payload', message: 'must be a JSON object' });
  const hasMeta = b.meta !== undefined;
  if (hasMeta && (b.meta === null || typeof b.meta !== 'object' || Array.isArray(b.meta))) errors.push({ field: 'meta', message: 'must be a JSON object' });
  if (hasMeta && typeof b.version !== 'string' && typeof b.version !== 'number') errors.push({ field: 'version', message: 'is required with meta (string or number)' });
  // Scayle documents `locale` as an object {appId, countryCode, currencyCode, languageCode}; a plain string is accepted too.
  if (b.locale !== undefined && typeof b.locale !== 'string' && (b.locale === null || typeof b.locale !== 'object' || Array.isArray(b.locale))) errors.push({ field: 'locale', message: 'must be an object {appId, countryCode, currencyCode, languageCode} (or a locale string)' });
  if (!hasMeta && b.locale === undefined) errors.push({ field: 'meta', message: 'the envelope needs either locale (older) or meta + version (newer)' });
  if (errors.length > 0) throw HttpProblem.validation(errors);
  return b as unknown as ScayleWebhookEnvelope;
}

/** `POST /v1/ingest/scayle/webhooks` (HTTP Basic, see webhook-basic-auth.ts). */
export class ScayleWebhookController implements HttpRoutes {
  /** First of all routes: most requests are webhooks (see {@link HttpRoutes.order}). */
  readonly order = -1;

  constructor(
    private readonly handler: IngestScayleWebhookHandler,
    private readonly credentials: { username: string; password: string } | undefined,
  ) {}

  register(router: Router): void {
    router.post('/v1/ingest/scayle/webhooks', webhookGuard(this.credentials), requireContentType('application/json'), async (req, res) => {
      const envelope = parseEnvelope(req.body);
      sendOutcome(res, await this.handler.handle(envelope, ingestContext(res, 'scayle-webhook')));
    });
  }
}

import pino, { Logger } from 'pino';

/**
 * Paths redacted from every log line: credentials, API keys, and customer personal data that
 * Scayle payloads carry (DESIGN §10: no secrets or personal data in logs).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-access-token"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-access-token"]',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.accessToken',
  '*.email',
  '*.firstName',
  '*.lastName',
  '*.phone',
  '*.street',
  '*.zipCode',
  '*.city',
  '*.houseNumber',
  // Payloads never belong in a log line: body-parser errors carry the body, ingestion errors the record.
  'err.body',
  '*.raw',
  '*.payload',
];

export type { Logger };

/** JSON logger on stdout (pino); `destination` lets tests capture output. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'scayle-erp-ledger' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request a correlation id: the caller's `X-Correlation-Id` when it is a sane token,
 * otherwise a new UUID. It is echoed in the response header, put on every log line of the request,
 * and carried into event metadata by command and ingest handlers.
 */
export const correlationId: RequestHandler = (req, res, next) => {
  const given = req.header('x-correlation-id');
  const id = given && ACCEPTABLE.test(given) ? given : randomUUID();
  res.locals.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};

import type { Request, Response } from 'express';
import { PreconditionFailedError, type CommandContext } from '../../application/shared/command-context';
import { DomainError, InvalidFieldsError } from '../../domain/shared/errors';
import { actorOf } from './auth/auth.middleware';
import { preconditionFailed, versionEtag } from './etag';

/** The command context of a request: actor from the API key, the request's correlation id. */
export function commandContext(res: Response): CommandContext {
  return { actor: actorOf(res), correlationId: res.locals.correlationId as string };
}

/**
 * Runs a command handler and translates what the HTTP layer words differently: a pinned version
 * that no longer holds → 412 with the current ETag; domain field paths (`items[0].orderItemId`) →
 * the request's JSON names (`items[0].order_item_id`) via `fieldNames`.
 */
export async function runCommand<T>(fn: () => Promise<T>, options: { etagPrefix?: string; fieldNames?: Record<string, string> } = {}): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PreconditionFailedError) throw preconditionFailed(versionEtag(err.current, options.etagPrefix));
    if (err instanceof InvalidFieldsError && options.fieldNames) {
      const names = options.fieldNames;
      throw new InvalidFieldsError(err.errors.map((e) => ({ ...e, field: renameField(e.field, names) })));
    }
    if (err instanceof DomainError && err.field && options.fieldNames) {
      const field = renameField(err.field, options.fieldNames);
      if (field !== err.field) throw new DomainError(err.kind, err.code, err.message, field, err.details);
    }
    throw err;
  }
}

/** Renames each segment of a field path (`items[0].orderItemId`) found in `names`, keeping indexes. */
export function renameField(path: string, names: Record<string, string>): string {
  return path
    .split('.')
    .map((segment) => {
      const m = /^([^[]+)(.*)$/.exec(segment);
      return m && names[m[1]!] ? `${names[m[1]!]}${m[2]}` : segment;
    })
    .join('.');
}

/** A header of the request that must be present, or a 400 naming it. */
export function requiredHeader(req: Request, name: string, hint: string): string {
  const value = req.header(name);
  if (value === undefined || value.trim() === '') {
    throw new DomainError('invalid', 'missing_header', `The ${name} header is required: ${hint}`, name);
  }
  return value.trim();
}

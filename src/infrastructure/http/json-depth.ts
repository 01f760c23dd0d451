import type { RequestHandler } from 'express';
import { HttpProblem } from './problem-details';

/**
 * Deepest nesting of objects and arrays a JSON request body may have. The deepest body the API
 * documents (a Scayle webhook: envelope → payload → items → price → tax → vat) nests fewer than ten
 * levels; the validators (class-transformer, class-validator) recurse per level and overflow the
 * stack a few thousand levels down, which would answer 500 instead of naming the body.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests objects/arrays more than `max` levels deep (iterative: no recursion). Runs
 * on every JSON body (a Scayle order is a few hundred objects), so it keeps one stack of nodes and
 * one of depths instead of a pair and an `Object.values` array per node.
 */
export function jsonDepthExceeds(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** Refuses (400, field `body`) a parsed JSON body nested deeper than `max` levels. */
export function limitJsonDepth(max = MAX_JSON_DEPTH): RequestHandler {
  return (req, _res, next) => {
    if (jsonDepthExceeds(req.body, max)) {
      next(HttpProblem.validation([{ field: 'body', message: `nests objects and arrays more than ${max} levels deep` }], `The request body nests objects and arrays more than ${max} levels deep.`));
      return;
    }
    next();
  };
}

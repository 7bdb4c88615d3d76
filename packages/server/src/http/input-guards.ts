/**
 * Edge guards around schema validation: before it, refuse strings a store cannot hold (NUL bytes)
 * with a 400 instead of a failure deep inside, and refuse absurdly nested JSON; after it, refuse
 * non-finite numbers — Ajv's type coercion turns "Infinity" or "1e400" into a number that passes
 * `integer` and even `maximum`, so the check has to look at the coerced values.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';

const MAX_DEPTH = 32;

function findNul(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) throw new AppError('validation_failed', { detail: `${path}: nested too deeply` });
  if (typeof value === 'string') return value.includes('\0') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], `${path}/${i}`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\0')) return `${path}/${k.replace(/\0/g, '\\0')}`;
      const hit = findNul(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

function findNonFinite(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findNonFinite(v, `${path}/${k}`, depth + 1);
      if (hit) return hit;
    }
  }
  return null;
}

/** Installs the NUL-byte, nesting and finite-number guards on body, querystring and params. */
export function registerInputGuards(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const hit =
      findNul(request.params, 'params', 0) ??
      findNul(request.query, 'querystring', 0) ??
      findNul(request.body, 'body', 0);
    if (hit) throw new AppError('invalid_characters', { detail: `${hit} contains a NUL byte` });
  });
  app.addHook('preHandler', async (request) => {
    const hit =
      findNonFinite(request.params, 'params', 0) ??
      findNonFinite(request.query, 'querystring', 0) ??
      findNonFinite(request.body, 'body', 0);
    if (hit) throw new AppError('validation_failed', { detail: `${hit} must be a finite number` });
  });
}

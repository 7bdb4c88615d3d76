/**
 * How the admin API reads request bodies: `application/json` (and `+json` types) only — any other
 * media type, `text/plain` holding JSON included, is 415 — and strictly:
 * - the bytes must be valid UTF-8 (a lenient decoder would store U+FFFD in their place);
 * - an empty body is no body (`undefined`), so an operation that takes none accepts a client that
 *   labels every request `application/json`; where a body is required, validation names it;
 * - prototype-poisoning keys (`__proto__`, `constructor.prototype`) are refused (secure-json-parse,
 *   Fastify's own parser);
 * - duplicate keys in one object are refused instead of letting the last one win silently
 *   (RFC 8259 §4: names SHOULD be unique; behaviour with duplicates is unpredictable across parsers,
 *   so a proxy and Gatekeeper could read one body differently).
 * The duplicate check is a small scanner over text that `JSON.parse` has already accepted: it only
 * has to track string boundaries and object nesting, never to validate syntax.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from '../errors/app-error.ts';

/** `application/vnd.x+json` and the like (Fastify matches a string type ignoring its parameters). */
const SUFFIXED_JSON = /^application\/[a-z0-9.-]+\+json(?:\s*;|$)/i;

/** The first key that occurs twice in one object of already-valid JSON text, or null. */
export function findDuplicateKey(text: string): string | null {
  // one frame per open object or array: the keys seen (objects) and whether a key comes next
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j++; // the escaped character cannot end the string
        } else if (d === 0x22) break;
      }
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i, j + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */) frames.push({ keys: new Set(), expectKey: true });
    else if (c === 0x5b /* [ */) frames.push({ keys: null, expectKey: false });
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) frames.pop();
    else if (c === 0x2c /* , */) {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
  return null;
}

/** Parses a request body strictly (see the file header); throws AppError. */
export function parseJsonBody(body: Buffer): unknown {
  if (!isUtf8(body)) throw new AppError('invalid_characters', { detail: 'the body is not valid UTF-8' });
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const poisoned = err instanceof SyntaxError && /prototype/i.test(err.message);
    throw new AppError('invalid_json', {
      detail: poisoned
        ? 'the body holds a forbidden key (__proto__ or constructor.prototype)'
        : 'the body is not valid JSON',
    });
  }
  if (typeof value === 'object' && value !== null) {
    const duplicate = findDuplicateKey(text);
    if (duplicate !== null) {
      throw new AppError('invalid_json', {
        detail: `duplicate key "${duplicate.slice(0, 64).toWellFormed()}" in one object`,
      });
    }
  }
  return value;
}

/** Replaces the context's body parsers with the strict JSON one (encapsulated: admin API only). */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parse = (
    _request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, value?: unknown) => void,
  ) => {
    try {
      done(null, parseJsonBody(body));
    } catch (err) {
      done(err as Error);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parse);
  app.addContentTypeParser(SUFFIXED_JSON, { parseAs: 'buffer' }, parse);
}

/**
 * Start-up time: Fastify compiles a validator (Ajv) and a serializer (fast-json-stringify) for every
 * route part when the route is registered — for the whole admin API that is most of a cold start.
 * These wrappers compile each one on its first use instead, so start-up pays only for registering
 * routes, and a route that is never called never costs anything. Schemas are still checked at
 * registration (`assertStrictSchema`) and every route's are exercised by the test suite.
 */

import serializerSelector from '@fastify/fast-json-stringify-compiler';
import type { ValidateFunction } from 'ajv';
import { buildValidator, type RouteSchemaDefinition } from './validation.ts';

/** A validator factory whose validators compile on first call (and expose `errors` like Ajv's). */
export function buildLazyValidator(externalSchemas: Record<string, unknown> | undefined) {
  const compile = buildValidator(externalSchemas);
  return (route: RouteSchemaDefinition) => {
    let real: ValidateFunction | undefined;
    const validate = (data: unknown): boolean => {
      real ??= compile(route);
      const ok = real(data) as boolean;
      validate.errors = real.errors;
      return ok;
    };
    validate.errors = null as ValidateFunction['errors'];
    return validate;
  };
}

type SerializerFactory = (
  externalSchemas: unknown,
  options: unknown,
) => (route: unknown) => (data: unknown) => string;

/** A serializer factory whose serializers compile on first response. */
export function buildLazySerializer(externalSchemas: unknown, options: unknown) {
  const factory = (serializerSelector as unknown as () => SerializerFactory)();
  const compile = factory(externalSchemas, options);
  return (route: unknown) => {
    let real: ((data: unknown) => string) | undefined;
    return (data: unknown) => {
      real ??= compile(route);
      return real(data);
    };
  };
}

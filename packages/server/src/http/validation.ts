/**
 * Request validation with two Ajv instances: query strings, path parameters and headers arrive as
 * text, so they are coerced to the schema's types; JSON bodies already carry types, so they are NOT
 * coerced — `{"active": true}` must not become `"true"` because a union lists `string` first, and
 * `{"name": 42}` is a 400, not the name "42". Neither removes unknown properties (Fastify's default
 * Ajv silently drops them; here they are refused) and both fill defaults.
 *
 * Installed as Fastify's validator *factory* (`schemaController.compilersFactory.buildValidator`),
 * not with `setValidatorCompiler`: a plugin that calls `addSchema` gets a fresh schema controller,
 * which would fall back to the default compiler; the factory is used for every context.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    // every failing field is reported (bounded by the schemas' own limits; http/validation-messages.ts)
    allErrors: true,
    strict: false,
    // the schemas are ours (TypeBox, checked by assertStrictSchema at registration and against the
    // JSON Schema meta-schema by http/route-schemas.meta-schema.test.ts); checking each one against
    // the meta-schema here compiled that meta-schema at every start (~25 ms)
    validateSchema: false,
  });
  // ajv-formats is CommonJS with its function on `default`
  (formats as unknown as { default: (a: Ajv) => void }).default(ajv);
  return ajv;
}

// One pair for the process: building an Ajv instance costs ~10 ms (meta-schemas, formats) and Fastify
// asks for a validator per plugin context, so fresh instances per call made start-up seconds slower.
// Shared schemas are added once per $id; compiled validators are cached by Ajv per schema object.
// Whether a shared schema is there is asked of Ajv's registry (`schemas`/`refs`), not `getSchema`,
// which compiles the schema: at every plugin context that compiled every shared schema at start-up
// (~20 ms) instead of on first use.
let instances: { bodies: Ajv; text: Ajv } | undefined;

function ajvPair(shared: readonly AnySchema[]): { bodies: Ajv; text: Ajv } {
  instances ??= { bodies: createAjv(false), text: createAjv(true) };
  for (const ajv of [instances.bodies, instances.text]) {
    for (const schema of shared) {
      const id = (schema as { $id?: string }).$id;
      if (id && !ajv.schemas[id] && !ajv.refs[id]) ajv.addSchema(schema);
    }
  }
  return instances;
}

/** What Fastify passes the compiler for each route part (its type declarations say less). */
export interface RouteSchemaDefinition {
  schema: unknown;
  httpPart?: string;
}

/** The validator factory for `Fastify({ schemaController: { compilersFactory: { buildValidator } } })`. */
export function buildValidator(
  externalSchemas: Record<string, unknown> | undefined,
): (route: RouteSchemaDefinition) => ValidateFunction {
  const { bodies, text } = ajvPair(Object.values(externalSchemas ?? {}) as AnySchema[]);
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodies : text;
    const id = (schema as { $id?: string }).$id;
    const existing = id ? ajv.getSchema(id) : undefined;
    return (existing ?? ajv.compile(schema as AnySchema)) as ValidateFunction;
  };
}

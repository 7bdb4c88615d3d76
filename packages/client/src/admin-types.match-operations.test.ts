/**
 * The named types against the operations each helper calls: `Tenant` must be exactly what
 * `GET`, `POST` and `PATCH` answer and what the list pages hold, `CreatedToken` what both token
 * routes answer, and so on. The server inlines some of these answers instead of referring to the
 * shared schema, so an answer could change while `components['schemas']` does not; these checks catch
 * that. They are type assertions: `npm run typecheck` enforces them, and at run time they are no-ops.
 * (`generated-types.fresh.test.ts` keeps the generated file itself equal to what the server serves.)
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AuditEntry,
  CreatedToken,
  CreateTokenInput,
  components,
  Group,
  ListAuditQuery,
  Page,
  QueryOf,
  RequestBodyOf,
  ResponseOf,
  Tenant,
  User,
} from './admin-types.ts';
import type { ProblemDocument, ProblemFieldError } from './problem-error.ts';

/** The named properties of T, without its index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

const TENANT = '/api/v1/tenants/{tenant}';
const USER = '/api/v1/tenants/{tenant}/users/{userId}';

describe('the named types are the served operations', () => {
  it('tenants', () => {
    expectTypeOf<ResponseOf<typeof TENANT, 'get', 200>>().toEqualTypeOf<Tenant>();
    expectTypeOf<ResponseOf<typeof TENANT, 'patch', 200>>().toEqualTypeOf<Tenant>();
    expectTypeOf<ResponseOf<'/api/v1/tenants', 'post', 201>>().toEqualTypeOf<Tenant>();
    expectTypeOf<ResponseOf<'/api/v1/tenants', 'get', 200>>().toEqualTypeOf<Page<Tenant>>();
  });

  it('users', () => {
    expectTypeOf<ResponseOf<typeof USER, 'get', 200>>().toEqualTypeOf<User>();
    expectTypeOf<ResponseOf<typeof USER, 'patch', 200>>().toEqualTypeOf<User>();
    expectTypeOf<ResponseOf<'/api/v1/tenants/{tenant}/users', 'post', 201>>().toEqualTypeOf<User>();
    expectTypeOf<ResponseOf<'/api/v1/tenants/{tenant}/users', 'get', 200>>().toEqualTypeOf<Page<User>>();
  });

  it('groups', () => {
    const GROUPS = '/api/v1/tenants/{tenant}/groups';
    expectTypeOf<ResponseOf<typeof GROUPS, 'post', 201>>().toEqualTypeOf<Group>();
    expectTypeOf<ResponseOf<typeof GROUPS, 'get', 200>>().toEqualTypeOf<Page<Group>>();
  });

  it('tokens: the all-tenant and the tenant route take and answer the same', () => {
    expectTypeOf<RequestBodyOf<'/api/v1/tokens', 'post'>>().toEqualTypeOf<CreateTokenInput>();
    expectTypeOf<ResponseOf<'/api/v1/tokens', 'post', 201>>().toEqualTypeOf<CreatedToken>();
  });

  it('audit: both logs page the same entries and take the same filters', () => {
    expectTypeOf<ResponseOf<'/api/v1/audit', 'get', 200>>().toEqualTypeOf<Page<AuditEntry>>();
    expectTypeOf<ResponseOf<'/api/v1/tenants/{tenant}/audit', 'get', 200>>().toEqualTypeOf<
      Page<AuditEntry>
    >();
    expectTypeOf<Omit<QueryOf<'/api/v1/tenants/{tenant}/audit', 'get'>, 'cursor'>>().toEqualTypeOf<
      Omit<QueryOf<'/api/v1/audit', 'get'>, 'cursor' | 'tenant'>
    >();
    expectTypeOf<keyof ListAuditQuery>().toEqualTypeOf<'tenant' | 'action' | 'from' | 'to' | 'limit'>();
  });

  it('problem documents: the hand-written error type names every served field', () => {
    type Served = components['schemas']['Problem'];
    expectTypeOf<Served>().toExtend<ProblemDocument>();
    expectTypeOf<KnownKeys<ProblemDocument>>().toEqualTypeOf<keyof Served>();
    expectTypeOf<NonNullable<Served['errors']>[number]>().toEqualTypeOf<ProblemFieldError>();
  });
});

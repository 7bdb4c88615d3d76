/**
 * The hand-written types in `admin-types.ts` against the contract the server serves at
 * `/openapi.json`: for every operation a helper calls, the property names of the response, request
 * body and query parameters must be the same on both sides. The key lists below are type-checked
 * against the TypeScript types (a missing or extra key fails `tsc`), and compared here with the
 * OpenAPI document (a server change fails this test), so the two cannot drift apart unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditEntry,
  CreatedToken,
  CreateGroupInput,
  CreateTenantInput,
  CreateTokenInput,
  CreateUserInput,
  Credential,
  Group,
  ListAuditQuery,
  ListGroupsQuery,
  ListTenantsQuery,
  ListUsersQuery,
  Tenant,
  UpdateTenantInput,
  UpdateUserInput,
  User,
} from './admin-types.ts';
import type { ProblemDocument } from './problem-error.ts';
import { type LiveServer, startLiveServer } from './test-support.ts';

interface Schema {
  $ref?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
}
interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** The sorted keys of a record that must name every key of T and nothing else. */
const keysOf = <T>(record: Record<keyof T, true>): string[] => Object.keys(record).sort();

let server: LiveServer;
let spec: OpenApi;

beforeAll(async () => {
  server = await startLiveServer();
  spec = (await server.admin.request<OpenApi>('GET', '/openapi.json')).data;
});
afterAll(() => server?.close());

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = spec.components.schemas[name];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return resolve(target);
}
function operation(method: string, path: string): Operation {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in /openapi.json`);
  return op;
}
function propertiesOf(schema: Schema | undefined): string[] {
  return Object.keys(resolve(schema ?? {}).properties ?? {}).sort();
}
function responseSchema(method: string, path: string, status: string): Schema {
  const content = operation(method, path).responses[status]?.content;
  // errors are documented as RFC 9457 application/problem+json, successes as application/json
  const schema = (content?.['application/json'] ?? content?.['application/problem+json'])?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} JSON body`);
  return resolve(schema);
}
function bodyOf(method: string, path: string): string[] {
  return propertiesOf(operation(method, path).requestBody?.content['application/json']?.schema);
}
function queryOf(method: string, path: string): string[] {
  return (operation(method, path).parameters ?? [])
    .filter((p) => p.in === 'query')
    .map((p) => p.name)
    .sort();
}
function pageItemOf(path: string): string[] {
  const page = responseSchema('get', path, '200');
  expect(propertiesOf(page)).toEqual(['items', 'nextCursor']);
  return propertiesOf(page.properties?.items?.items);
}

const LIST = { limit: true, cursor: true, sort: true } as const;
const TENANTS = '/api/v1/tenants';
const TENANT = '/api/v1/tenants/{tenant}';
const USERS = '/api/v1/tenants/{tenant}/users';
const USER = '/api/v1/tenants/{tenant}/users/{userId}';
const GROUPS = '/api/v1/tenants/{tenant}/groups';

describe('admin-types.ts matches /openapi.json', () => {
  it('tenants', () => {
    const tenant = keysOf<Tenant>({
      id: true,
      slug: true,
      displayName: true,
      status: true,
      domains: true,
      issuer: true,
      createdAt: true,
      updatedAt: true,
      version: true,
    });
    expect(propertiesOf(responseSchema('get', TENANT, '200'))).toEqual(tenant);
    expect(propertiesOf(responseSchema('post', TENANTS, '201'))).toEqual(tenant);
    expect(propertiesOf(responseSchema('patch', TENANT, '200'))).toEqual(tenant);
    expect(pageItemOf(TENANTS)).toEqual(tenant);
    expect(bodyOf('post', TENANTS)).toEqual(
      keysOf<CreateTenantInput>({ slug: true, displayName: true, domains: true }),
    );
    expect(bodyOf('patch', TENANT)).toEqual(
      keysOf<UpdateTenantInput>({ displayName: true, status: true, domains: true }),
    );
    expect(queryOf('get', TENANTS)).toEqual(keysOf<ListTenantsQuery>({ ...LIST, status: true, q: true }));
  });

  it('users', () => {
    const fields = {
      username: true,
      email: true,
      emailVerified: true,
      name: true,
      givenName: true,
      familyName: true,
      locale: true,
      picture: true,
      status: true,
    } as const;
    const user = keysOf<User>({
      ...fields,
      id: true,
      createdAt: true,
      updatedAt: true,
      lastSignInAt: true,
      version: true,
    });
    expect(propertiesOf(responseSchema('get', USER, '200'))).toEqual(user);
    expect(propertiesOf(responseSchema('post', USERS, '201'))).toEqual(user);
    expect(propertiesOf(responseSchema('patch', USER, '200'))).toEqual(user);
    expect(pageItemOf(USERS)).toEqual(user);
    expect(bodyOf('post', USERS)).toEqual(keysOf<CreateUserInput>({ ...fields, password: true }));
    expect(bodyOf('patch', USER)).toEqual(keysOf<UpdateUserInput>(fields));
    expect(queryOf('get', USERS)).toEqual(
      keysOf<ListUsersQuery>({ ...LIST, status: true, q: true, emailVerified: true }),
    );
  });

  it('groups', () => {
    const group = keysOf<Group>({
      id: true,
      name: true,
      description: true,
      createdAt: true,
      updatedAt: true,
      version: true,
    });
    expect(propertiesOf(responseSchema('post', GROUPS, '201'))).toEqual(group);
    expect(pageItemOf(GROUPS)).toEqual(group);
    expect(bodyOf('post', GROUPS)).toEqual(keysOf<CreateGroupInput>({ name: true, description: true }));
    expect(queryOf('get', GROUPS)).toEqual(keysOf<ListGroupsQuery>({ ...LIST, q: true }));
    expect(operation('put', `${GROUPS}/{groupId}/members/users/{userId}`).responses).toHaveProperty('204');
  });

  it('tokens', () => {
    const credential = keysOf<Credential>({
      id: true,
      kind: true,
      tenant: true,
      name: true,
      prefix: true,
      abilities: true,
      ownerType: true,
      ownerId: true,
      expiresAt: true,
      lastUsedAt: true,
      revokedAt: true,
      createdAt: true,
      createdBy: true,
    });
    for (const path of ['/api/v1/tokens', '/api/v1/tenants/{tenant}/tokens']) {
      const created = responseSchema('post', path, '201');
      expect(propertiesOf(created)).toEqual(keysOf<CreatedToken>({ secret: true, credential: true }));
      expect(propertiesOf(created.properties?.credential)).toEqual(credential);
      expect(bodyOf('post', path)).toEqual(
        keysOf<CreateTokenInput>({ name: true, abilities: true, expiresInDays: true }),
      );
    }
  });

  it('audit', () => {
    const entry = keysOf<AuditEntry>({
      seq: true,
      time: true,
      tenant: true,
      actor: true,
      action: true,
      target: true,
      result: true,
      requestId: true,
      data: true,
      prevHash: true,
      entryHash: true,
    });
    expect(pageItemOf('/api/v1/audit')).toEqual(entry);
    expect(pageItemOf('/api/v1/tenants/{tenant}/audit')).toEqual(entry);
    // `tenant` picks the route; `cursor` is paginate()'s business
    const filters = keysOf<ListAuditQuery>({ tenant: true, action: true, from: true, to: true, limit: true });
    expect(queryOf('get', '/api/v1/audit')).toEqual([...filters, 'cursor'].sort());
  });

  it('problem documents', () => {
    const documented: (keyof ProblemDocument)[] = [
      'type',
      'title',
      'status',
      'code',
      'detail',
      'instance',
      'requestId',
      'errors',
    ];
    expect(propertiesOf(responseSchema('get', TENANT, '404'))).toEqual([...documented].sort());
  });
});

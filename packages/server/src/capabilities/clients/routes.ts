/**
 * The clients admin API under `/tenants/{tenant}/clients` (mounted behind the admin guard): clients
 * (201 + Location on create, with the first secret of a confidential client shown once; ETag on read
 * and update; If-Match on update and delete) and their secrets (`…/clients/{id}/secrets`: add — the
 * secret is shown once —, list, revoke).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actionContextOf as ctxOf, tenantOf } from '../../http/admin-guard.ts';
import { expectedVersion, sendEtag } from '../../http/etag.ts';
import { locationOf } from '../../http/location.ts';
import { PageSchema, toListOptions } from '../../http/pagination.ts';
import {
  CLIENT_SORTS,
  ClientParams,
  ClientSchema,
  ClientSecretSchema,
  CreateClientBody,
  type CreateClientInput,
  CreatedClientSchema,
  CreatedSecretSchema,
  CreateSecretBody,
  ListClientsQuery,
  type ListClientsQueryInput,
  SecretParams,
  TenantParams,
  UpdateClientBody,
  type UpdateClientInput,
} from './schemas.ts';
import type { ClientsService } from './service.ts';

const TAGS = ['clients'];
const READ = { ability: 'clients:read' };
const WRITE = { ability: 'clients:write' };
const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

export function registerClientRoutes(app: FastifyInstance, deps: { clients: ClientsService }): void {
  const { clients } = deps;

  app.get(
    '/clients',
    {
      config: READ,
      schema: {
        tags: TAGS,
        summary: 'List clients (or find one by its exact client_id)',
        params: TenantParams,
        querystring: ListClientsQuery,
        response: { 200: PageSchema(ClientSchema) },
      },
    },
    async (request) => {
      const q = request.query as ListClientsQueryInput;
      return clients.list(tenantOf(request).id, toListOptions(q, CLIENT_SORTS[0]), q.clientId);
    },
  );

  app.post(
    '/clients',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary: 'Register a client (a confidential client gets its first secret, shown once)',
        params: TenantParams,
        body: CreateClientBody,
        response: { 201: CreatedClientSchema },
      },
    },
    async (request, reply) => {
      const created = await clients.create(
        tenantOf(request).id,
        request.body as CreateClientInput,
        ctxOf(request),
      );
      sendEtag(reply, created.client.version);
      return reply.code(201).header('location', locationOf(request, created.client.id)).send(created);
    },
  );

  app.get(
    '/clients/:id',
    {
      config: READ,
      schema: { tags: TAGS, summary: 'Get a client', params: ClientParams, response: { 200: ClientSchema } },
    },
    async (request, reply) => {
      const client = await clients.get(tenantOf(request).id, idOf(request));
      sendEtag(reply, client.version);
      return client;
    },
  );

  app.patch(
    '/clients/:id',
    {
      config: { ...WRITE, etag: true },
      schema: {
        tags: TAGS,
        summary: 'Update a client (send If-Match with the ETag you read); status disables or enables it',
        params: ClientParams,
        body: UpdateClientBody,
        response: { 200: ClientSchema },
      },
    },
    async (request, reply) => {
      const client = await clients.update(
        tenantOf(request).id,
        idOf(request),
        request.body as UpdateClientInput,
        expectedVersion(request),
        ctxOf(request),
      );
      sendEtag(reply, client.version);
      return client;
    },
  );

  app.delete(
    '/clients/:id',
    {
      config: { ...WRITE, etag: true },
      schema: {
        tags: TAGS,
        summary: 'Delete a client and revoke its secrets',
        params: ClientParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      await clients.delete(tenantOf(request).id, idOf(request), expectedVersion(request), ctxOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/clients/:id/secrets',
    {
      config: READ,
      schema: {
        tags: TAGS,
        summary: "List a client's secrets (prefixes and expiry, never the secret)",
        params: ClientParams,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: ClientSecretSchema } } },
        },
      },
    },
    async (request) => ({ items: await clients.listSecrets(tenantOf(request).id, idOf(request)) }),
  );

  app.post(
    '/clients/:id/secrets',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary: 'Add a secret (for rotation: the old ones stay valid until revoked or expired)',
        params: ClientParams,
        body: CreateSecretBody,
        response: { 201: CreatedSecretSchema },
      },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as { expiresInDays?: number };
      const issued = await clients.addSecret(
        tenantOf(request).id,
        idOf(request),
        body.expiresInDays === undefined ? {} : { expiresInDays: body.expiresInDays },
        ctxOf(request),
      );
      return reply.code(201).send(issued);
    },
  );

  app.delete(
    '/clients/:id/secrets/:secretId',
    {
      config: WRITE,
      schema: {
        tags: TAGS,
        summary: 'Revoke a secret (every instance refuses it within a second)',
        params: SecretParams,
        response: { 204: { type: 'null' } },
      },
    },
    async (request, reply) => {
      const { secretId } = request.params as { secretId: string };
      await clients.revokeSecret(tenantOf(request).id, idOf(request), secretId, ctxOf(request));
      return reply.code(204).send(null);
    },
  );
}

/**
 * The audit capability's public surface: the service that chains every domain event
 * (`createAuditLog`), the verifier behind `gatekeeper audit verify` (`verifyChain`), and the chain's
 * pure rules and types, and the admin routes that read the log.
 */
import type { FastifyPluginAsync } from 'fastify';
import { registerAuditRoutes } from './routes.ts';
import type { AuditSearch } from './search.ts';

export {
  type AuditEntry,
  CHAIN_NAME,
  type Checkpoint,
  type CheckpointKey,
  type CheckpointPayload,
  computeEntryHash,
  GENESIS_ACTION,
  GENESIS_PREV_HASH,
  PRUNED_ACTION,
  type PruneRecord,
  redactSecrets,
  SECRET_KEY_PATTERN,
  signCheckpoint,
  verifyCheckpointSignature,
} from './chain.ts';
export { type AuditSearch, createAuditSearch } from './search.ts';
export { type AuditLog, type AuditLogger, type AuditLogOptions, createAuditLog } from './service.ts';
export {
  AUDIT_LOCK,
  type AuditStore,
  type CheckpointQuery,
  createAuditStore,
  type PruneResult,
} from './store.ts';
export {
  type VerifyOptions,
  type VerifyProblem,
  type VerifyProblemKind,
  type VerifyReport,
  verifyChain,
} from './verify.ts';

/** The audit log routes (`/audit`, `/tenants/:tenant/audit`), at the admin API root behind the guard. */
export const auditPlugin: FastifyPluginAsync<{ auditSearch: AuditSearch }> = async (app, { auditSearch }) => {
  registerAuditRoutes(app, { auditSearch });
};

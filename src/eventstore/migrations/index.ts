import type { Migration, MigrationProvider } from 'kysely'
import * as eventLog from './2026-11-30T00-00-00-event-log.js'
import * as readModels from './2026-11-30T01-00-00-read-models.js'
import * as apiKeys from './2026-12-01T00-00-00-api-keys.js'
import * as idempotencyKeys from './2026-12-01T01-00-00-idempotency-keys.js'
import * as relayCheckpoints from './2026-12-01T02-00-00-relay-checkpoints.js'
import * as logClock from './2026-12-01T03-00-00-log-clock.js'
import * as projectionDocumentParts from './2026-12-01T03-30-00-projection-document-parts.js'
import * as applyProjectionBatch from './2026-12-01T04-00-00-apply-projection-batch.js'
import * as appendGroup from './2026-12-01T05-00-00-append-group.js'
import * as applyBatchByKey from './2026-12-01T05-30-00-apply-batch-by-key.js'

/**
 * Every migration, by name. A static list rather than a folder scan, so that migrations load
 * the same way under tsx, a bundler or compiled output.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-30T00-00-00-event-log': eventLog,
  '2026-11-30T01-00-00-read-models': readModels,
  '2026-12-01T00-00-00-api-keys': apiKeys,
  '2026-12-01T01-00-00-idempotency-keys': idempotencyKeys,
  '2026-12-01T02-00-00-relay-checkpoints': relayCheckpoints,
  '2026-12-01T03-00-00-log-clock': logClock,
  '2026-12-01T03-30-00-projection-document-parts': projectionDocumentParts,
  '2026-12-01T04-00-00-apply-projection-batch': applyProjectionBatch,
  '2026-12-01T05-00-00-append-group': appendGroup,
  '2026-12-01T05-30-00-apply-batch-by-key': applyBatchByKey,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
}

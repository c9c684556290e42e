import type { FastifyInstance } from 'fastify'
import { type CommandHandler, createCommandHandler } from '../app/command-handler.js'
import type { EventLogConnection } from '../eventstore/index.js'
import { EVENT_DATA_SCHEMAS } from '../schemas/events.js'
import type { ApiDeps } from './deps.js'
import { DocumentCache } from './document-cache.js'
import { auditRoutes } from './routes/audit.js'
import { callRoutes } from './routes/calls.js'
import { correctionRoutes } from './routes/corrections.js'
import { eventRoutes } from './routes/events.js'
import { itineraryRoutes } from './routes/itineraries.js'
import { meetingRoutes } from './routes/meetings.js'
import { relationshipRoutes } from './routes/relationships.js'
import { statementRoutes } from './routes/statements.js'
import { visitRoutes } from './routes/visits.js'
import { RecordedEvent } from './schemas/events.js'
import {
  CalendarEntry,
  CallView,
  MeetingView,
  RelationshipStatus,
  VisitView,
} from './schemas/read-models.js'
import { CommandResult } from './schemas/results.js'

/** What the /v1 routes are served from. */
export interface ApiOptions {
  log: EventLogConnection
  /** The application service; by default one on `log`. */
  handle?: CommandHandler
  /** The server's clock (tests pin it). */
  clock?: () => Date
  /** Heartbeat of the live event stream (default 15 s). */
  heartbeatMs?: number
  /** How long a request holds its Idempotency-Key before a retry may take it over (30 s). */
  idempotencyLeaseMs?: number
  /** Memory for documents read lately, in stored bytes (default 64 MiB; 0: none kept). */
  documentCacheBytes?: number
}

/** READ_CACHE_MB's default. */
export const DEFAULT_DOCUMENT_CACHE_BYTES = 64 * 1024 * 1024

/** The cache of documents the options ask for (none for 0 bytes), forgotten when `app` closes. */
export function documentCacheOf(
  app: FastifyInstance,
  options: ApiOptions,
): DocumentCache | undefined {
  const bytes = options.documentCacheBytes ?? DEFAULT_DOCUMENT_CACHE_BYTES
  if (bytes <= 0) return undefined
  const documents = new DocumentCache(options.log.readModels, bytes)
  app.addHook('onClose', async () => documents.close())
  return documents
}

/**
 * The REST contract (DESIGN.md §6): commands, queries, the event log over HTTP and the audit
 * routes. Shared schemas are added to the root so that the OpenAPI document names them.
 */
export async function registerV1(
  app: FastifyInstance,
  options: ApiOptions,
  documents = documentCacheOf(app, options),
): Promise<void> {
  const deps: ApiDeps = {
    documents,
    log: options.log,
    handle: options.handle ?? createCommandHandler({ log: options.log }),
    clock: options.clock ?? (() => new Date()),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    idempotencyLeaseMs: options.idempotencyLeaseMs ?? 30_000,
  }
  for (const schema of [
    CommandResult,
    RecordedEvent,
    VisitView,
    CallView,
    MeetingView,
    CalendarEntry,
    RelationshipStatus,
    // Each event type's data: documented in components.schemas, named by the events' `data`.
    ...Object.values(EVENT_DATA_SCHEMAS),
  ])
    app.addSchema(schema)
  for (const routes of [
    visitRoutes,
    callRoutes,
    meetingRoutes,
    statementRoutes,
    relationshipRoutes,
    correctionRoutes,
    itineraryRoutes,
    eventRoutes,
    auditRoutes,
  ])
    await app.register(routes, { deps })
}

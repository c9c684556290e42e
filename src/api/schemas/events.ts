import { Type } from 'typebox'
import type { RecordedEvent as StoredEvent } from '../../eventstore/index.js'
import { JsonObject, Source } from './common.js'

/** Who recorded an event, why, and on which sources. */
export const EventMetadata = Type.Object(
  {
    actor: Type.Optional(Type.String({ description: 'The API key’s principal' })),
    commandType: Type.Optional(Type.String()),
    commandAt: Type.Optional(Type.String({ description: 'When the server received the command' })),
    sources: Type.Optional(Type.Array(Source)),
    requestId: Type.Optional(Type.String()),
    correlationId: Type.Optional(Type.String()),
    causationId: Type.Optional(Type.String()),
    idempotencyKey: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
)

/** An event as the log holds it. */
export const RecordedEvent = Type.Object(
  {
    eventId: Type.String({ format: 'uuid' }),
    streamId: Type.String(),
    streamVersion: Type.Integer({ minimum: 1 }),
    globalPosition: Type.Integer({
      minimum: 1,
      description: 'Its place in the log: `after` and Last-Event-ID take it',
    }),
    type: Type.String({ examples: ['VisitScheduled'] }),
    schemaVersion: Type.Integer(),
    data: {
      ...JsonObject,
      description:
        'The event’s payload as stored, at `schemaVersion`. Its JSON Schema at the current ' +
        'version is `EventData.<type>.v<version>` in components.schemas (e.g. ' +
        '`EventData.VisitScheduled.v1`); older versions are upcast by readers.',
    },
    metadata: EventMetadata,
    recordedAt: Type.String({ format: 'date-time' }),
    hash: Type.String({ description: 'SHA-256 over the event and the previous hash, hex' }),
    prevHash: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'RecordedEvent' },
)

/** An event for a JSON body. */
export function eventJson(e: StoredEvent) {
  return {
    eventId: e.eventId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    globalPosition: e.globalPosition,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    metadata: e.metadata,
    recordedAt: e.recordedAt.toISOString(),
    hash: e.hash,
    prevHash: e.prevHash,
  }
}

const EventRef = Type.Unsafe({ $ref: 'RecordedEvent#' })

export const EventPage = Type.Object({
  items: Type.Array(EventRef, { description: 'In log order' }),
  next: Type.String({
    description:
      'The position to pass as `after` for what follows (the last event’s, or `after` when ' +
      'none came): poll with it',
  }),
  caughtUp: Type.Boolean({ description: 'No more events for now' }),
})

export const StreamEventPage = Type.Object({
  streamId: Type.String(),
  version: Type.Integer({ description: 'The stream’s version (at asOf): its ETag' }),
  items: Type.Array(EventRef, { description: 'In version order' }),
  next: Type.Optional(
    Type.String({ description: 'Pass as `from` for the next page; absent on the last' }),
  ),
})

/** An RFC 6902 JSON Patch operation. */
export const PatchOperation = Type.Object({
  op: Type.Enum(['add', 'remove', 'replace']),
  path: Type.String({ description: 'JSON pointer into the state' }),
  value: Type.Optional(Type.Unknown()),
})

export const HistoryEntry = Type.Object({
  version: Type.Integer(),
  event: EventRef,
  actor: Type.Union([Type.String(), Type.Null()], { description: 'Who recorded it' }),
  recordedAt: Type.String({ format: 'date-time', description: 'When the log recorded it' }),
  commandAt: Type.Union([Type.String(), Type.Null()]),
  sources: Type.Array(Source),
  correlationId: Type.Union([Type.String(), Type.Null()]),
  changes: Type.Array(PatchOperation, {
    description: 'What the event changed in the aggregate’s state: a JSON Patch (RFC 6902)',
  }),
  state: Type.Unknown({ description: 'The aggregate’s state after the event' }),
})

export const StreamHistory = Type.Object({
  streamId: Type.String(),
  version: Type.Integer(),
  items: Type.Array(HistoryEntry),
  next: Type.Optional(
    Type.String({ description: 'Pass as `from` for the next page; absent on the last' }),
  ),
})

export const VerifyReport = Type.Object({
  ok: Type.Boolean({ description: 'Every hash chain is intact' }),
  eventsChecked: Type.Integer(),
  streamsChecked: Type.Integer(),
  broken: Type.Array(
    Type.Object({
      streamId: Type.String(),
      streamVersion: Type.Integer(),
      globalPosition: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.Enum(['hash-mismatch', 'chain-broken', 'version-gap', 'head-mismatch']),
    }),
    { description: 'The first broken link of each broken stream' },
  ),
})

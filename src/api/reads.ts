import type { FastifyReply } from 'fastify'
import { type Kysely, sql } from 'kysely'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import type { JsonObject } from '../domain/json.js'
import {
  type Checkpoint,
  checkpointAt,
  type Database,
  LOG_START,
  readAll,
} from '../eventstore/index.js'
import { toProjectedEvent } from '../projections/projected-event.js'
import type { Projection } from '../projections/projection.js'
import { documentAsOf } from '../projections/queries.js'
import { replay } from '../projections/replay.js'
import { etagOf } from './commands.js'
import type { DocumentCache } from './document-cache.js'

/** What a document keeps for the runner and not for readers. */
const BOOKKEEPING = ['facts', 'engagementRevisions', 'updatedAt', 'position'] as const

/** A read model's document as readers see it. */
export function viewOf(doc: JsonObject): JsonObject {
  const view = { ...doc }
  for (const field of BOOKKEEPING) delete view[field]
  return view
}

/**
 * Sends a read model's document as a resource: its view, serialized by the route's 200
 * schema, with the version as ETag. The JSON is worked out once per document object, so a
 * document served from memory (the same object on every hit, see DocumentCache) is
 * serialized on its first hit only. One sender per route: each route has its own schema.
 */
export function resourceSender() {
  const bodies = new WeakMap<JsonObject, string>()
  return (reply: FastifyReply, doc: JsonObject, version: number): FastifyReply => {
    let body = bodies.get(doc)
    if (body === undefined) {
      body = reply.getSerializationFunction('200')!(viewOf(doc))
      bodies.set(doc, body)
    }
    // A string with a JSON content type is sent as it is, not serialized again.
    return reply.header('etag', etagOf(version)).type('application/json; charset=utf-8').send(body)
  }
}

/** A stream's version now, or as it stood at recorded time `asOf`. */
export async function streamVersionAt(
  db: Kysely<Database>,
  streamId: string,
  asOf?: Date,
): Promise<number> {
  let query = db
    .selectFrom('events')
    .select((eb) => eb.fn.max('stream_version').as('version'))
    .where('stream_id', '=', streamId)
  // Compared at millisecond precision, as as-of replays compare recorded times.
  if (asOf) query = query.where(sql<boolean>`date_trunc('milliseconds', recorded_at) <= ${asOf}`)
  const row = await query.executeTakeFirst()
  return Number(row?.version ?? 0)
}

export interface ResourceRead {
  projection: Projection
  kind: string
  id: string
  /** The stream whose version is the resource's ETag. */
  streamId: string
  /** Read the record as it stood at this recorded time. */
  asOf?: Date
  /** Names the resource in a 404. */
  what: string
}

/** One document of a read model, now or as of a recorded time, with its stream version. */
export async function readResource(
  db: Kysely<Database>,
  read: ResourceRead,
  cache?: DocumentCache,
): Promise<{ doc: JsonObject; version: number }> {
  if (!read.asOf) return readCurrent(db, read, cache)
  const doc = await documentAsOf(db, read.projection, { kind: read.kind, id: read.id }, read.asOf)
  if (!doc) throw new NotFoundError(read.what, read.id)
  return { doc, version: await streamVersionAt(db, read.streamId, read.asOf) }
}

/**
 * The document from the read model's active generation (with its stored parts, for a
 * projection that keeps a member in parts) and the version of `streamId` it reflects, in one
 * round trip: that of the stream's last event at or before the last event the document
 * applied, in log order. The read model may lag behind the log; an ETag ahead of what the
 * reader saw would let a stale If-Match through.
 *
 * With a cache, a document read before and not changed since comes from memory. Only a
 * document that records the position it reflects is kept: its version moves only with it.
 */
async function readCurrent(
  db: Kysely<Database>,
  read: ResourceRead,
  cache?: DocumentCache,
): Promise<{ doc: JsonObject; version: number }> {
  const name = read.projection.name
  const key = `${read.kind}\u0000${read.id}`
  const cached = cache?.get(name, key, read.streamId)
  if (cached) return cached
  const ticket = cache?.ticket(name)
  const parted = read.projection.parts !== undefined
  const { rows } = await sql<{
    doc: JsonObject
    version: number | null
    parts: unknown[][] | null
    bytes: number
  }>`
    select d.doc,
           pg_column_size(d.doc) + case when ${parted} then
             coalesce((select sum(pg_column_size(p.items)) from projection_document_parts p
                        where p.projection = d.projection and p.generation = d.generation
                          and p.kind = d.kind and p.id = d.id), 0)
           else 0 end as bytes,
           case when ${parted} then
             (select jsonb_agg(p.items order by p.part) from projection_document_parts p
               where p.projection = d.projection and p.generation = d.generation
                 and p.kind = d.kind and p.id = d.id)
           end as parts,
           case when jsonb_typeof(d.doc->'position') = 'number' then
             (select max(e.stream_version)
                from events e join events p on p.global_position = (d.doc->>'position')::bigint
               where e.stream_id = ${read.streamId}
                 and (e.transaction_id, e.global_position) <= (p.transaction_id, p.global_position))
           else
             (select max(e.stream_version) from events e where e.stream_id = ${read.streamId})
           end as version
      from projection_documents d
     where d.projection = ${name}
       and d.generation = (select active_generation from projections where name = ${name})
       and d.kind = ${read.kind}
       and d.id = ${read.id}`.execute(db)
  const row = rows[0]
  if (!row) throw new NotFoundError(read.what, read.id)
  const field = read.projection.parts?.field
  const doc = (
    field && row.parts ? { ...row.doc, [field]: row.parts.flat() } : row.doc
  ) as JsonObject
  const version = Number(row.version ?? 0)
  if (cache && ticket !== undefined && typeof row.doc.position === 'number')
    cache.keep(name, key, { doc, version, streamId: read.streamId }, Number(row.bytes), ticket)
  return { doc, version }
}

/**
 * Where a reader that remembers only a global position resumes (`?after=`, `Last-Event-ID`).
 * A position the log does not hold is the caller's mistake, not a missing resource.
 */
export async function checkpointFor(
  db: Kysely<Database>,
  position: number,
  field: string,
): Promise<Checkpoint> {
  try {
    return await checkpointAt(db, position)
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
    throw new ValidationError(`no event at position ${position}`, [
      { field, rule: 'known-position', message: 'must be the position of an event of the log' },
    ])
  }
}

/**
 * Every document of a read model as the record stood at recorded time `asOf`: the same pure
 * evolve, replayed over the log's events of its types recorded up to then. An audit query
 * that reads the whole log, not a hot path.
 */
export async function documentsAsOf(
  db: Kysely<Database>,
  projection: Projection,
  asOf: Date,
): Promise<JsonObject[]> {
  let docs = new Map<string, JsonObject>()
  let after = LOG_START
  for (;;) {
    const slice = await readAll(db, {
      after,
      limit: 1_000,
      eventTypes: projection.eventTypes,
      lean: true,
    })
    const recorded = slice.events.filter((e) => e.recordedAt <= asOf).map(toProjectedEvent)
    docs = replay(projection, recorded, docs)
    after = slice.checkpoint
    if (slice.caughtUp) return [...docs.values()]
  }
}

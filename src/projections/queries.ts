import { type Kysely, sql } from 'kysely'
import { ValidationError } from '../domain/errors.js'
import type { JsonObject } from '../domain/json.js'
import { type Database, LOG_START, readAll } from '../eventstore/index.js'
import { toProjectedEvent } from './projected-event.js'
import type { DocumentKey, Projection } from './projection.js'
import type { RelationshipDoc } from './relationship-status/evolve.js'
import { relationshipStatus } from './relationship-status/index.js'
import { docKey } from './replay.js'
import { keyOf, withParts } from './store.js'

export interface RowQuery {
  projection: string
  /** One kind of row, or several (merged in one order). */
  kind: string | readonly string[]
  /** Rows that concern this person id (QID or slug). */
  person?: string
  /** Rows that concern this ISO 3166-1 alpha-2 country. */
  country?: string
  /** Rows whose time may overlap [from, to] (RFC 3339 instants). */
  from?: string
  to?: string
  /** The `next` cursor of the previous page. */
  after?: string
  limit?: number
  /** Give each row's whole document (the one it derives from) instead of the row's doc. */
  documents?: boolean
}

export interface RowPage {
  items: JsonObject[]
  /** Pass as `after` for the next page; absent on the last page. */
  next?: string
}

/** Where a page ended: rows of several kinds may share an id, so the kind breaks ties. */
interface Cursor {
  earliest: string | null
  id: string
  kind: string
}

const encode = (c: Cursor) =>
  Buffer.from(JSON.stringify([c.earliest, c.id, c.kind])).toString('base64url')

function decode(cursor: string): Cursor {
  try {
    const [earliest, id, kind = ''] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      (earliest === null || typeof earliest === 'string') &&
      typeof id === 'string' &&
      typeof kind === 'string'
    )
      return { earliest, id, kind }
  } catch {}
  throw new ValidationError('the cursor is not valid', [
    { field: '/query/after', rule: 'cursor', message: 'pass the `next` value of a page' },
  ])
}

/**
 * A page of a read model's rows, from its active generation, ordered by earliest bound (rows
 * without one last) then id and kind, filtered by person, country and time range.
 */
export async function queryRows(db: Kysely<Database>, q: RowQuery): Promise<RowPage> {
  const limit = q.limit ?? 50
  const generation = sql`(select active_generation from projections where name = ${q.projection})`
  let query = db
    .selectFrom('projection_rows as r')
    .select(['r.id', 'r.kind', 'r.earliest', 'r.source_kind', 'r.source_id'])
    .select(
      q.documents
        ? sql<JsonObject>`(select d.doc from projection_documents d
                            where d.projection = r.projection and d.generation = r.generation
                              and d.kind = r.source_kind and d.id = r.source_id)`.as('doc')
        : sql<JsonObject>`r.doc`.as('doc'),
    )
    .where('r.projection', '=', q.projection)
    .where('r.generation', '=', generation as never)
    .where('kind', 'in', typeof q.kind === 'string' ? [q.kind] : [...q.kind])
  if (q.person) query = query.where(sql<boolean>`people @> array[${q.person}]::text[]`)
  if (q.country) query = query.where(sql<boolean>`countries @> array[${q.country}]::text[]`)
  if (q.from)
    query = query.where(sql<boolean>`(latest is null or latest >= ${q.from}::timestamptz)`)
  if (q.to)
    query = query.where(sql<boolean>`(earliest is null or earliest <= ${q.to}::timestamptz)`)
  if (q.after) {
    const c = decode(q.after)
    query = query.where(
      c.earliest === null
        ? sql<boolean>`(earliest is null and (id, kind) > (${c.id}, ${c.kind}))`
        : sql<boolean>`(earliest > ${c.earliest}::timestamptz or earliest is null
                        or (earliest = ${c.earliest}::timestamptz
                            and (id, kind) > (${c.id}, ${c.kind})))`,
    )
  }
  const rows = await query
    .orderBy(sql`earliest asc nulls last`)
    .orderBy('id')
    .orderBy('kind')
    .limit(limit + 1)
    .execute()
  const items = rows.slice(0, limit)
  if (q.documents)
    await withParts(
      db,
      q.projection,
      generation,
      new Map(items.map((r) => [keyOf({ kind: r.source_kind, id: r.source_id }), r.doc])),
    )
  const last = items.at(-1)
  return {
    items: items.map((r) => r.doc as JsonObject),
    ...(rows.length > limit && last
      ? {
          next: encode({
            earliest: last.earliest?.toISOString() ?? null,
            id: last.id,
            kind: last.kind,
          }),
        }
      : {}),
  }
}

/** One document of a read model's active generation, or undefined. */
export async function readDocument(
  db: Kysely<Database>,
  projection: string,
  kind: string,
  id: string,
): Promise<JsonObject | undefined> {
  const generation = sql`(select active_generation from projections where name = ${projection})`
  const row = await db
    .selectFrom('projection_documents')
    .select('doc')
    .where('projection', '=', projection)
    .where('generation', '=', generation as never)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .executeTakeFirst()
  const doc = row?.doc as JsonObject | undefined
  if (doc) await withParts(db, projection, generation, new Map([[keyOf({ kind, id }), doc]]))
  return doc
}

/** The status of a pair of countries at `now` (codes in either order), or undefined. */
export async function readRelationshipStatus(
  db: Kysely<Database>,
  a: string,
  b: string,
  now: string,
) {
  const doc = await readDocument(db, 'relationship-status', 'relationship', [a, b].sort().join('-'))
  return doc ? relationshipStatus(doc as unknown as RelationshipDoc, now) : undefined
}

/**
 * A document as the record stood at recorded time `asOf`: the same pure evolve, replayed
 * over the log's events recorded up to then (the stored model only knows the present).
 * Reads the projection's event types from the whole log: an audit query, not a hot path.
 */
export async function documentAsOf(
  db: Kysely<Database>,
  projection: Projection,
  key: DocumentKey,
  asOf: Date,
): Promise<JsonObject | undefined> {
  const wanted = docKey(key)
  let doc: JsonObject | undefined
  let after = LOG_START
  for (;;) {
    const slice = await readAll(db, {
      after,
      limit: 1_000,
      eventTypes: projection.eventTypes,
      lean: true,
    })
    for (const stored of slice.events) {
      if (stored.recordedAt > asOf) continue
      const event = toProjectedEvent(stored)
      const key = projection.keysOf(event).find((k) => docKey(k) === wanted)
      if (key) doc = projection.evolve(doc, event, key)
    }
    after = slice.checkpoint
    if (slice.caughtUp) return doc
  }
}

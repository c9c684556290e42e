import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import type { JsonObject } from '../domain/json.js'
import type { Database } from '../eventstore/index.js'
import type { DocumentKey, Projection } from './projection.js'

type Db = Kysely<Database> | Transaction<Database>

export const keyOf = (key: DocumentKey) => `${key.kind}\u0000${key.id}`

/**
 * Keys as the two arrays of `unnest(kinds, ids)`. Each statement that finds documents, parts or
 * rows by key walks these in a nested loop, with a lateral subquery per key (`offset 0` keeps
 * it apart), so that each key is one index lookup whatever the planner believes. A plain join
 * with the keys as a set was planned as a hash of the whole generation whenever the table's
 * statistics lagged behind its growth: a live read model growing between two autovacuum
 * analyses, and every rebuild's new generation, which no statistics know. Every batch then read
 * every document of its projection.
 */
function unnested(keys: readonly DocumentKey[]) {
  return sql`unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.id)}::text[]) as k(kind, id)`
}

/** The documents of one generation for these keys, by `keyOf`. */
export async function loadDocuments(
  db: Db,
  projection: string,
  generation: number,
  keys: readonly DocumentKey[],
  /** Whether the projection stores documents in parts (`Projection.parts`). */
  parted = true,
): Promise<Map<string, JsonObject>> {
  const found = new Map<string, JsonObject>()
  if (keys.length === 0) return found
  const { rows } = await sql<{ kind: string; id: string; doc: JsonObject }>`
    select d.kind, d.id, d.doc
      from ${unnested(keys)}
     cross join lateral (
       select d.kind, d.id, d.doc from projection_documents d
        where d.projection = ${projection} and d.generation = ${generation}
          and d.kind = k.kind and d.id = k.id
       offset 0) d`.execute(db)
  for (const row of rows) found.set(keyOf(row), row.doc)
  if (parted) await withParts(db, projection, generation, found)
  return found
}

/**
 * The parts each document is stored in, as loaded or as last planned for writing, to tell which
 * parts a write has to replace.
 */
const storedParts = new WeakMap<JsonObject, unknown[][]>()

/**
 * Puts the stored parts of each document (by `keyOf`) back into its array member, in place:
 * the documents were just read and are not shared yet. `generation` may be a subquery.
 */
export async function withParts(
  db: Db,
  projection: string,
  generation: number | RawBuilder<unknown>,
  docs: ReadonlyMap<string, JsonObject>,
): Promise<void> {
  if (docs.size === 0) return
  const keys = [...docs.keys()].map((k) => {
    const [kind = '', id = ''] = k.split('\u0000')
    return { kind, id }
  })
  const { rows } = await sql<{ kind: string; id: string; field: string; items: unknown[] }>`
    select p.kind, p.id, p.field, p.items
      from ${unnested(keys)}
     cross join lateral (
       select p.kind, p.id, p.field, p.items, p.part from projection_document_parts p
        where p.projection = ${projection} and p.generation = ${generation}
          and p.kind = k.kind and p.id = k.id
       offset 0) p
     order by p.kind, p.id, p.part`.execute(db)
  const parts = new Map<string, { field: string; items: unknown[][] }>()
  for (const row of rows) {
    const k = keyOf(row)
    const entry = parts.get(k) ?? { field: row.field, items: [] }
    entry.items.push(row.items)
    parts.set(k, entry)
  }
  for (const [k, { field, items }] of parts) {
    const doc = docs.get(k)!
    ;(doc as Record<string, unknown>)[field] = items.flat()
    storedParts.set(doc, items)
  }
}

/** A row of `projection_rows` as written: the document it derives from, and its values. */
interface RowWrite {
  source_kind: string
  source_id: string
  kind: string
  id: string
  doc: JsonObject
  earliest: string | null
  latest: string | null
  countries: string[]
  people: string[]
}

/**
 * What writing changed documents takes, worked out in memory: the stored documents to replace
 * (their rows and document are deleted first), the documents as stored (without a parted
 * member), their parts that changed since they were loaded, where removed or shrunk documents'
 * parts end, and every row derived from the documents.
 */
export interface DocumentWrites {
  replaced: DocumentKey[]
  documents: { key: DocumentKey; doc: JsonObject }[]
  partCuts: { kind: string; id: string; from: number }[]
  parts: { kind: string; id: string; field: string; part: number; items: unknown[] }[]
  rows: RowWrite[]
}

/** The keys whose documents exist: all of them when `stored` (by `keyOf`) is not given. */
function storedAmong(keys: readonly DocumentKey[], stored?: ReadonlyMap<string, unknown>) {
  return stored ? keys.filter((key) => stored.has(keyOf(key))) : [...keys]
}

/**
 * Plans the writes of changed documents (undefined: removed). `stored` (by `keyOf`), when
 * given, holds the documents that exist: only those are replaced, since a new document has
 * nothing to replace (most of them, in a rebuild).
 */
export function planWrites(
  projection: Projection,
  changed: ReadonlyMap<string, { key: DocumentKey; doc: JsonObject | undefined }>,
  stored?: ReadonlyMap<string, unknown>,
): DocumentWrites {
  const replaced = storedAmong(
    [...changed.values()].map((c) => c.key),
    stored,
  )
  const present = [...changed.values()].filter(
    (c): c is { key: DocumentKey; doc: JsonObject } => c.doc !== undefined,
  )
  const rows = present.flatMap(({ key, doc }) =>
    projection.rows(key, doc).map((row) => ({
      source_kind: key.kind,
      source_id: key.id,
      kind: row.kind,
      id: row.id,
      doc: row.doc,
      earliest: row.earliest ?? null,
      latest: row.latest ?? null,
      countries: row.countries ?? [],
      people: row.people ?? [],
    })),
  )
  if (!projection.parts) return { replaced, documents: present, partCuts: [], parts: [], rows }
  return { replaced, rows, ...planParts(projection.parts, changed, stored) }
}

/**
 * The parts of documents stored in parts that changed since they were loaded (whole parts;
 * removed documents lose theirs), and the documents as stored, without the parted member.
 */
function planParts(
  { field, size }: { field: string; size: number },
  changed: ReadonlyMap<string, { key: DocumentKey; doc: JsonObject | undefined }>,
  stored?: ReadonlyMap<string, unknown>,
): Pick<DocumentWrites, 'documents' | 'partCuts' | 'parts'> {
  const documents: DocumentWrites['documents'] = []
  const parts: DocumentWrites['parts'] = []
  const partCuts: DocumentWrites['partCuts'] = []
  for (const [k, { key, doc }] of changed) {
    const before = stored?.get(k)
    const had = (before ? storedParts.get(before as JsonObject) : undefined) ?? []
    const all = doc ? ((doc[field] ?? []) as unknown[]) : []
    const count = Math.ceil(all.length / size)
    const now: unknown[][] = []
    for (let part = 0; part < count; part++) {
      const items = all.slice(part * size, (part + 1) * size)
      now.push(items)
      const old = had[part]
      if (old && old.length === items.length && old.every((x, i) => x === items[i])) continue
      parts.push({ ...key, field, part, items })
    }
    if (had.length > count || (!doc && stored?.has(k))) partCuts.push({ ...key, from: count })
    if (doc) {
      documents.push({ key, doc: { ...doc, [field]: [] } })
      // What the store holds once this commits: a rebuild's next batch may go on from `doc`.
      storedParts.set(doc, now)
    }
  }
  return { documents, partCuts, parts }
}

/**
 * Writes changed documents (undefined: removed) and replaces the rows derived from each: two
 * set-based deletes, then multi-row inserts of 500. For large batches (a rebuild's): a live
 * batch goes through `applyLiveWrites` in one statement.
 */
export async function writeDocuments(
  db: Db,
  projection: Projection,
  generation: number,
  changed: Map<string, { key: DocumentKey; doc: JsonObject | undefined }>,
  stored?: ReadonlyMap<string, unknown>,
): Promise<void> {
  if (changed.size === 0) return
  const writer = documentWriter(db, projection, generation, stored)
  await writer.replace([...changed.values()].map((c) => c.key))
  await writer.write(changed)
  await writer.done()
}

/**
 * Writes a batch's documents into one generation in groups, on one connection (a transaction):
 * `replace` first deletes the stored ones among the batch's keys, and their rows; each `write`
 * then inserts a group's documents, parts and rows. Statements go one after another, queued
 * while those before them run on the server (see `pipeline`): `write` returns once its
 * statements are queued, with at most `PIPELINE_DEPTH` waiting, so the caller can make the next
 * group meanwhile. `done` waits for the last.
 */
export function documentWriter(
  db: Db,
  projection: Projection,
  generation: number,
  /** The documents that exist (by `keyOf`), as loaded: only those are replaced. */
  stored?: ReadonlyMap<string, unknown>,
) {
  const name = projection.name
  const statements = pipeline()
  return {
    async replace(keys: readonly DocumentKey[]): Promise<void> {
      const found = storedAmong(keys, stored)
      // `replaced` sends two statements, the second once the first is done: it cannot join the
      // queue, where inserts would run between them. What is queued goes first.
      await statements.done()
      if (found.length > 0) await replaced(db, name, generation, found)
    },
    async write(
      changed: ReadonlyMap<string, { key: DocumentKey; doc: JsonObject | undefined }>,
    ): Promise<void> {
      const { documents, partCuts, parts, rows } = planWrites(projection, changed, stored)
      if (partCuts.length > 0) await statements.add(cutParts(db, name, generation, partCuts))
      for (const slice of chunks(parts, PER_STATEMENT)) {
        const values = slice.map(
          (w) => sql`(${name}, ${generation}, ${w.kind}, ${w.id}, ${w.field}, ${w.part},
                      ${new JsonbParameter(w.items)}::jsonb)`,
        )
        await statements.add(
          sql`
          insert into projection_document_parts (projection, generation, kind, id, field, part, items)
          values ${sql.join(values)}
          on conflict (projection, generation, kind, id, part) do update
            set items = excluded.items, field = excluded.field`.execute(db),
        )
      }
      // Multi-row inserts with one parameter a value: each document goes over as its JSON text,
      // which the server parses once (a single jsonb array of every document, decomposed again
      // on the server, cost three times as much for large batches).
      for (const slice of chunks(documents, PER_STATEMENT)) {
        const values = slice.map(
          ({ key, doc }) =>
            sql`(${name}, ${generation}, ${key.kind}, ${key.id}, ${new JsonbParameter(doc)}::jsonb)`,
        )
        await statements.add(
          sql`
          insert into projection_documents (projection, generation, kind, id, doc)
          values ${sql.join(values)}`.execute(db),
        )
      }
      for (const slice of chunks(rows, PER_STATEMENT)) {
        const values = slice.map(
          (r) =>
            sql`(${name}, ${generation}, ${r.source_kind}, ${r.source_id}, ${r.kind}, ${r.id},
                 ${new JsonbParameter(r.doc)}::jsonb, ${r.earliest}::timestamptz, ${r.latest}::timestamptz,
                 ${r.countries}::text[], ${r.people}::text[])`,
        )
        await statements.add(
          sql`
          insert into projection_rows (projection, generation, source_kind, source_id, kind, id, doc,
                                       earliest, latest, countries, people)
          values ${sql.join(values)}
          on conflict (projection, generation, kind, id) do update
            set doc = excluded.doc, earliest = excluded.earliest, latest = excluded.latest,
                countries = excluded.countries, people = excluded.people,
                source_kind = excluded.source_kind, source_id = excluded.source_id`.execute(db),
        )
      }
    },
    done: () => statements.done(),
  }
}

/**
 * A value for a `::jsonb` parameter of the rebuild writer's statements. node-postgres sends it in
 * jsonb's binary format (`toPostgres`: the format's version, 1, then the JSON text in UTF-8),
 * which it copies into its message as bytes: a JSON string it encodes through a path about three
 * times slower (27 MB of JSON: 361 to 431 ms as strings, 133 to 156 ms as buffers plus 15 to 49
 * ms to make them; README, _Read models_). Drivers that send an object as its JSON text (PGlite)
 * call `toJSON`.
 */
export class JsonbParameter {
  constructor(readonly value: unknown) {}

  toPostgres(): Buffer {
    const text = JSON.stringify(this.value)
    const bytes = Buffer.allocUnsafe(1 + Buffer.byteLength(text))
    bytes[0] = 1
    bytes.write(text, 1)
    return bytes
  }

  toJSON(): unknown {
    return this.value
  }
}

/** Deletes the parts of documents from `from` on (documents that shrank or were removed). */
async function cutParts(
  db: Db,
  name: string,
  generation: number,
  partCuts: DocumentWrites['partCuts'],
) {
  await sql`
    delete from projection_document_parts
     where ctid = any(array(
       select p.ctid
         from unnest(${partCuts.map((c) => c.kind)}::text[], ${partCuts.map((c) => c.id)}::text[],
                     ${partCuts.map((c) => c.from)}::int[]) as c(kind, id, "from")
        cross join lateral (
          select p.ctid from projection_document_parts p
           where p.projection = ${name} and p.generation = ${generation}
             and p.kind = c.kind and p.id = c.id and p.part >= c."from"
          offset 0) p))`.execute(db)
}

/**
 * Statements sent one after another on the transaction's connection, built while those before
 * them run on the server: `add` queues its statement and waits only while more than
 * `PIPELINE_DEPTH` are queued (for the oldest), so the client can go on folding the next
 * documents while the server inserts these. The connection sends each queued statement once the
 * one before it is done, when the client's event loop reads that reply (see `evolveAndWrite`,
 * which lets it). Awaited one by one, each side mostly idled while the other worked (README,
 * _Read models_).
 */
function pipeline() {
  const queued: Promise<unknown>[] = []
  return {
    async add(statement: Promise<unknown>): Promise<void> {
      // A failure surfaces here or in `done`; the transaction fails either way.
      statement.catch(() => {})
      queued.push(statement)
      while (queued.length > PIPELINE_DEPTH) await queued.shift()
    },
    async done(): Promise<void> {
      while (queued.length > 0) await queued.shift()
    },
  }
}

/** Statements a writer queues on its connection at most (about 5 MB of documents each). */
const PIPELINE_DEPTH = 4

/** Rows a statement: 500 rows of 11 values stay far below Postgres's 65,535 parameters. */
const PER_STATEMENT = 500

function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size)
}

/** Deletes these documents of a generation and the rows derived from them. */
async function replaced(db: Db, name: string, generation: number, keys: DocumentKey[]) {
  await deleteByKey(db, 'projection_rows', ['source_kind', 'source_id'], name, generation, keys)
  await deleteByKey(db, 'projection_documents', ['kind', 'id'], name, generation, keys)
}

/**
 * Deletes the rows of `table` in a generation whose key columns (kind, id) hold one of `keys`:
 * each found by one index lookup (see `unnested`), then deleted by ctid.
 */
async function deleteByKey(
  db: Db,
  table: 'projection_rows' | 'projection_documents',
  [kind, id]: [string, string],
  name: string,
  generation: number,
  keys: DocumentKey[],
) {
  await sql`
    delete from ${sql.table(table)}
     where ctid = any(array(
       select t.ctid from ${unnested(keys)}
        cross join lateral (
          select t.ctid from ${sql.table(table)} t
           where t.projection = ${name} and t.generation = ${generation}
             and ${sql.ref(`t.${kind}`)} = k.kind and ${sql.ref(`t.${id}`)} = k.id
          offset 0) t))`.execute(db)
}

/** Removes a whole generation (after a rebuild switched away from it, or a failed rebuild). */
export async function dropGeneration(db: Db, projection: string, generation: number) {
  await db
    .deleteFrom('projection_document_parts')
    .where('projection', '=', projection)
    .where('generation', '=', generation)
    .execute()
  await db
    .deleteFrom('projection_rows')
    .where('projection', '=', projection)
    .where('generation', '=', generation)
    .execute()
  await db
    .deleteFrom('projection_documents')
    .where('projection', '=', projection)
    .where('generation', '=', generation)
    .execute()
}

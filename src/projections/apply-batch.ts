import type { Kysely, Transaction } from 'kysely'
import { sql } from 'kysely'
import type { JsonObject } from '../domain/json.js'
import {
  type Checkpoint,
  type Database,
  type LeanRecordedEvent,
  readModelPayload,
} from '../eventstore/index.js'
import { toProjectedEvent } from './projected-event.js'
import type { DocumentKey, ProjectedEvent, Projection } from './projection.js'
import { eventsByDocument, evolveDocument } from './replay.js'
import { documentWriter, keyOf, loadDocuments, planWrites, writeDocuments } from './store.js'

/** Another instance moved this projection on: this one is no longer the active runner. */
export class CheckpointMovedError extends Error {
  constructor(projection: string) {
    super(`the checkpoint of ${projection} moved under this runner: another instance is active`)
    this.name = 'CheckpointMovedError'
  }
}

export interface ProjectionFailure {
  eventId: string
  globalPosition: number
  type: string
  message: string
}

export interface BatchOutcome {
  /** Where the projection now stands: after the last event applied. */
  checkpoint: Checkpoint
  applied: number
  failure?: ProjectionFailure
  /** The documents the batch wrote (`keyOf`): for a live batch, what readers must read again. */
  changed: string[]
}

/**
 * Evolves the documents (into `docs`) one event at a time, up to the first event that evolve
 * throws on: where the batch stops, how many events it applied, and the failure if any.
 */
function oneByOne(
  projection: Projection,
  from: Checkpoint,
  events: readonly LeanRecordedEvent[],
  relevant: readonly ProjectedEvent[],
  loaded: Map<string, JsonObject>,
  docs: Map<string, { key: DocumentKey; doc: JsonObject | undefined }>,
) {
  const handled = new Set(projection.eventTypes)
  let checkpoint = from
  let applied = 0
  let failure: ProjectionFailure | undefined
  let lastRecordedAt: Date | undefined
  let next = 0
  for (const stored of events) {
    if (handled.has(stored.type)) {
      const event = relevant[next++]!
      try {
        const changes: [string, DocumentKey, JsonObject | undefined][] = []
        for (const key of projection.keysOf(event)) {
          const k = keyOf(key)
          const before = docs.has(k) ? docs.get(k)!.doc : loaded.get(k)
          changes.push([k, key, projection.evolve(before, event, key)])
        }
        for (const [k, key, doc] of changes) docs.set(k, { key, doc })
      } catch (error) {
        failure = {
          eventId: stored.eventId,
          globalPosition: stored.globalPosition,
          type: stored.type,
          message: (error as Error).message ?? String(error),
        }
        break
      }
    }
    checkpoint = { transactionId: stored.transactionId, globalPosition: stored.globalPosition }
    lastRecordedAt = stored.recordedAt
    applied++
  }
  return { checkpoint, applied, failure, lastRecordedAt }
}

/** Where a batch ends once every one of its events is applied. */
function endOf(events: readonly LeanRecordedEvent[], from: Checkpoint): Checkpoint {
  const last = events.at(-1)
  return last ? { transactionId: last.transactionId, globalPosition: last.globalPosition } : from
}

/**
 * Each document evolved by its events at once (`evolveDocument`), by `keyOf`; throws where
 * evolve throws.
 */
function evolveEach(
  projection: Projection,
  documents: Iterable<{ key: DocumentKey; events: ProjectedEvent[] }>,
  loaded: Map<string, JsonObject>,
) {
  const docs = new Map<string, { key: DocumentKey; doc: JsonObject | undefined }>()
  for (const { key, events } of documents) {
    const k = keyOf(key)
    docs.set(k, { key, doc: evolveDocument(projection, loaded.get(k), events, key) })
  }
  return docs
}

/** Evolves the loaded documents by a batch's events (see the note above `applyLiveBatch`). */
function evolveBatch(
  projection: Projection,
  from: Checkpoint,
  events: readonly LeanRecordedEvent[],
  relevant: readonly ProjectedEvent[],
  byDocument: ReturnType<typeof eventsByDocument>,
  loaded: Map<string, JsonObject>,
) {
  // Each document takes its events at once; when one cannot be applied, start again one
  // event at a time to stop just before it.
  try {
    const docs = evolveEach(projection, byDocument.values(), loaded)
    const lastRecordedAt = events.at(-1)?.recordedAt
    return { docs, checkpoint: endOf(events, from), applied: events.length, lastRecordedAt }
  } catch {
    const docs = new Map<string, { key: DocumentKey; doc: JsonObject | undefined }>()
    return { docs, ...oneByOne(projection, from, events, relevant, loaded, docs) }
  }
}

/** Where a live projection stands after a batch, as the batch's own statement found it. */
export interface ProjectionState {
  version: number
  status: string
  rebuildRequested: boolean
}

/** A batch's events of the projection's types, upcast, by the documents they touch. */
export function prepareBatch(projection: Projection, events: readonly LeanRecordedEvent[]) {
  const handled = new Set(projection.eventTypes)
  const relevant = events.filter((e) => handled.has(e.type)).map(toProjectedEvent)
  const byDocument = eventsByDocument(projection, relevant)
  return { relevant, byDocument, keys: [...byDocument.values()].map((d) => d.key) }
}

export type PreparedBatch = ReturnType<typeof prepareBatch>

/*
 * A batch of events is applied to one generation of a projection together with its
 * checkpoint, in one transaction, so each event takes effect exactly once whatever happens to
 * the process. The checkpoint is compared first, under its row lock: a runner that lost its
 * lock cannot write over the one that took over.
 *
 * Evolve runs in memory first. When it throws on an event, what came before that event is
 * committed, the checkpoint stops just before it, and the failure is returned (a live batch
 * marks the projection failed there; a rebuild's caller does).
 */

/**
 * Applies a batch to the live model: written in one statement
 * (`entente_apply_projection_batch`), which also tells where the projection stands.
 */
export async function applyLiveBatch(
  db: Kysely<Database>,
  projection: Projection,
  generation: number,
  from: Checkpoint,
  events: readonly LeanRecordedEvent[],
): Promise<BatchOutcome & { state: ProjectionState }> {
  const { relevant, byDocument, keys } = prepareBatch(projection, events)
  // Read before the statement that checks the checkpoint: what it wrote while the
  // checkpoint stood here is what these documents are.
  const loaded = await loadDocuments(db, projection.name, generation, keys, !!projection.parts)
  const { docs, ...outcome } = evolveBatch(projection, from, events, relevant, byDocument, loaded)
  const state = await applyLiveWrites(db, projection, generation, from, outcome, docs, loaded)
  return { ...outcome, changed: [...docs.keys()], state }
}

/**
 * A rebuild evolves and writes its documents in groups of at most this many documents or of
 * their events, whichever comes first (see `evolveAndWrite`): a model of a few documents that
 * take thousands of events each (a busy pair's relationship) still goes a few at a time.
 */
const REBUILD_GROUP = { documents: 500, events: 5_000 }

/** A batch's documents in groups (`REBUILD_GROUP`), in the order they were first touched. */
function* groups(byDocument: ReturnType<typeof eventsByDocument>) {
  let group: { key: DocumentKey; events: ProjectedEvent[] }[] = []
  let events = 0
  for (const document of byDocument.values()) {
    group.push(document)
    events += document.events.length
    if (group.length >= REBUILD_GROUP.documents || events >= REBUILD_GROUP.events) {
      yield group
      group = []
      events = 0
    }
  }
  if (group.length > 0) yield group
}

/** Documents a rebuild evolves between two turns of the event loop (see `evolveAndWrite`). */
const EVOLVE_STEP = 50

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Evolves a rebuild batch's documents a group at a time, and writes each group while the next
 * one is evolved: the server inserts while the client folds, where one would otherwise wait for
 * the other. The connection sends the next queued statement only when the event loop reads the
 * server's reply to the one before, so the fold gives the loop a turn every `EVOLVE_STEP`
 * documents: folding a whole group at once left the server idle for most of it. When an event
 * cannot be applied, what was written is rolled back (to a savepoint) and it returns false:
 * the caller then goes one event at a time to stop just before it.
 */
async function evolveAndWrite(
  trx: Transaction<Database>,
  projection: Projection,
  generation: number,
  { byDocument, keys }: Pick<ReturnType<typeof prepareBatch>, 'byDocument' | 'keys'>,
  loaded: Map<string, JsonObject>,
): Promise<Map<string, { key: DocumentKey; doc: JsonObject | undefined }> | undefined> {
  await sql`savepoint evolve`.execute(trx)
  const writer = documentWriter(trx, projection, generation, loaded)
  await writer.replace(keys)
  const written = new Map<string, { key: DocumentKey; doc: JsonObject | undefined }>()
  for (const documents of groups(byDocument)) {
    const group: ReturnType<typeof evolveEach> = new Map()
    try {
      for (let i = 0; i < documents.length; i += EVOLVE_STEP) {
        if (i > 0) await nextTurn()
        const step = evolveEach(projection, documents.slice(i, i + EVOLVE_STEP), loaded)
        for (const [k, document] of step) group.set(k, document)
      }
    } catch {
      await writer.done().catch(() => {})
      await sql`rollback to savepoint evolve`.execute(trx)
      return undefined
    }
    await writer.write(group)
    for (const [k, document] of group) written.set(k, document)
    await nextTurn()
  }
  await writer.done()
  return written
}

/**
 * Applies a batch to the generation a rebuild builds aside: tens of thousands of events,
 * written in a transaction of multi-row statements.
 *
 * `kept` holds documents as the batch before this one left them in the store (by `keyOf`):
 * those are taken from it instead of being read and parsed again, and a fold that a document
 * carries (the itinerary's) goes on instead of starting over. Once this batch commits, `kept`
 * holds the documents it wrote instead. Only the rebuild's runner writes its generation, and it
 * holds the checkpoint's row lock while it does: what it wrote last is what the store holds, as
 * long as the checkpoint is where that batch left it. A caller whose batch failed must start
 * again with nothing kept.
 */
export async function applyRebuildBatch(
  db: Kysely<Database>,
  projection: Projection,
  generation: number,
  from: Checkpoint,
  events: readonly LeanRecordedEvent[],
  kept: Map<string, JsonObject> = new Map(),
  /** `prepareBatch(projection, events)`, when the caller made it ahead (while reading). */
  prepared: PreparedBatch = prepareBatch(projection, events),
): Promise<BatchOutcome> {
  const { relevant, byDocument, keys } = prepared
  const { outcome, written } = await db.transaction().execute(async (trx) => {
    // Generic plans for this transaction's statements. A custom plan (the default for the
    // unnamed statements drivers send) copies every parameter's value into the plan, and a
    // statement of 500 documents carries megabytes of them: the server's heap grew and shrank by
    // up to 20 MB a statement, and the C library gave that memory back to the kernel each time,
    // to fault it in again (340,000 to 611,000 page faults a calendar rebuild; README, _Read
    // models_). A generic plan reads the values where they arrived; the plans are the same
    // inserts.
    await sql`set local plan_cache_mode = force_generic_plan`.execute(trx)
    const row = await trx
      .selectFrom('projections')
      .select(['rebuild_transaction_id', 'rebuild_position'])
      .where('name', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow()
    if (
      String(row.rebuild_transaction_id) !== from.transactionId ||
      Number(row.rebuild_position) !== from.globalPosition
    )
      throw new CheckpointMovedError(projection.name)
    const loaded = await loadDocuments(
      trx,
      projection.name,
      generation,
      keys.filter((key) => !kept.has(keyOf(key))),
      !!projection.parts,
    )
    for (const key of keys) {
      const doc = kept.get(keyOf(key))
      if (doc) loaded.set(keyOf(key), doc)
    }
    let evolved: Omit<BatchOutcome, 'changed'>
    let written = await evolveAndWrite(trx, projection, generation, { byDocument, keys }, loaded)
    if (written) evolved = { checkpoint: endOf(events, from), applied: events.length }
    else {
      // An event cannot be applied: one event at a time, to stop just before it.
      written = new Map()
      evolved = oneByOne(projection, from, events, relevant, loaded, written)
      await writeDocuments(trx, projection, generation, written, loaded)
    }
    const outcome: BatchOutcome = { ...evolved, changed: [...written.keys()] }
    await trx
      .updateTable('projections')
      .set((eb) => ({
        rebuild_transaction_id: outcome.checkpoint.transactionId,
        rebuild_position: outcome.checkpoint.globalPosition,
        rebuild_events_done: eb(
          eb.fn.coalesce('rebuild_events_done', eb.val(0)),
          '+',
          outcome.applied,
        ),
        updated_at: new Date(),
      }))
      .where('name', '=', projection.name)
      .execute()
    return { outcome, written }
  })
  kept.clear()
  for (const [k, { doc }] of written) if (doc) kept.set(k, doc)
  return outcome
}

/**
 * Writes a live batch and moves the live checkpoint in one statement, which also notifies the
 * documents it wrote (processes that remember documents, the API's cache, forget them once it
 * commits; from inside, so that a commit is never left unannounced).
 */
async function applyLiveWrites(
  db: Kysely<Database>,
  projection: Projection,
  generation: number,
  from: Checkpoint,
  outcome: Omit<BatchOutcome, 'changed'> & { lastRecordedAt?: Date },
  docs: Map<string, { key: DocumentKey; doc: JsonObject | undefined }>,
  loaded: Map<string, JsonObject>,
): Promise<ProjectionState> {
  const writes = planWrites(projection, docs, loaded)
  const changed = [...docs.keys()]
  const { checkpoint, applied, failure, lastRecordedAt } = outcome
  const documents = writes.documents.map(({ key, doc }) => ({ kind: key.kind, id: key.id, doc }))
  // The JSON goes as strings, not as the rebuild writer's `JsonbParameter`: live batches are
  // small, and with it the catch-up's lag p99 was 1,153 ms against 776 ms (medians of nine
  // alternating runs; README, _Read models_).
  try {
    const { rows } = await sql<{
      out_version: number
      out_status: string
      out_rebuild_requested: boolean
    }>`
      select out_version, out_status, out_rebuild_requested
        from entente_apply_projection_batch(
          ${projection.name}, ${generation},
          ${from.transactionId}::xid8, ${from.globalPosition}::bigint,
          ${checkpoint.transactionId}::xid8, ${checkpoint.globalPosition}::bigint,
          ${applied}::bigint, ${lastRecordedAt ?? null}::timestamptz,
          ${failure ? JSON.stringify(failure) : null}::jsonb,
          ${JSON.stringify(writes.replaced)}::jsonb, ${JSON.stringify(documents)}::jsonb,
          ${JSON.stringify(writes.partCuts)}::jsonb, ${JSON.stringify(writes.parts)}::jsonb,
          ${JSON.stringify(writes.rows)}::jsonb,
          ${changed.length > 0 ? readModelPayload({ projection: projection.name, keys: changed }) : null}::text)`.execute(
      db,
    )
    const row = rows[0]!
    return {
      version: row.out_version,
      status: row.out_status,
      rebuildRequested: row.out_rebuild_requested,
    }
  } catch (error) {
    if ((error as { code?: string }).code === 'ENP01')
      throw new CheckpointMovedError(projection.name)
    throw error
  }
}

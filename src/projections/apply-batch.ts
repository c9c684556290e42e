import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import type { JsonObject } from '../domain/json.js'
import {
  type Checkpoint,
  type Database,
  READ_MODEL_CHANNEL,
  type RecordedEvent,
  readModelPayload,
} from '../eventstore/index.js'
import { toProjectedEvent } from './projected-event.js'
import type { DocumentKey, ProjectedEvent, Projection } from './projection.js'
import { eventsByDocument, evolveDocument } from './replay.js'
import { keyOf, loadDocuments, writeDocuments } from './store.js'

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

/** Which checkpoint columns a batch reads and advances: the live model's, or a rebuild's. */
export type Target = 'live' | 'rebuild'

/**
 * Evolves the documents (into `docs`) one event at a time, up to the first event that evolve
 * throws on: where the batch stops, how many events it applied, and the failure if any.
 */
function oneByOne(
  projection: Projection,
  from: Checkpoint,
  events: readonly RecordedEvent[],
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

/**
 * Applies a batch of events to one generation of a projection and advances its checkpoint in
 * the same transaction, so each event takes effect exactly once whatever happens to the
 * process. The checkpoint row is locked and compared first: a runner that lost its lock
 * cannot write over the one that took over.
 *
 * Evolve runs in memory first. When it throws on an event, what came before that event is
 * committed, the checkpoint stops just before it, and the failure is returned (the caller
 * marks the projection failed there).
 */
export async function applyBatch(
  db: Kysely<Database>,
  projection: Projection,
  generation: number,
  from: Checkpoint,
  events: readonly RecordedEvent[],
  target: Target,
): Promise<BatchOutcome> {
  const handled = new Set(projection.eventTypes)
  const docs = new Map<string, { key: DocumentKey; doc: JsonObject | undefined }>()
  let checkpoint = from
  let applied = 0
  let failure: ProjectionFailure | undefined
  let lastRecordedAt: Date | undefined

  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('projections')
      .select([
        'checkpoint_transaction_id',
        'checkpoint_position',
        'rebuild_transaction_id',
        'rebuild_position',
      ])
      .where('name', '=', projection.name)
      .forUpdate()
      .executeTakeFirstOrThrow()
    const stored =
      target === 'live'
        ? { tx: String(row.checkpoint_transaction_id), pos: Number(row.checkpoint_position) }
        : { tx: String(row.rebuild_transaction_id), pos: Number(row.rebuild_position) }
    if (stored.tx !== from.transactionId || stored.pos !== from.globalPosition)
      throw new CheckpointMovedError(projection.name)

    const relevant = events.filter((e) => handled.has(e.type)).map(toProjectedEvent)
    const byDocument = eventsByDocument(projection, relevant)
    const loaded = await loadDocuments(
      trx,
      projection.name,
      generation,
      [...byDocument.values()].map((d) => d.key),
      projection.parts !== undefined,
    )
    // Each document takes its events at once; when one cannot be applied, start again one
    // event at a time to stop just before it.
    try {
      for (const { key, events: its } of byDocument.values())
        docs.set(keyOf(key), {
          key,
          doc: evolveDocument(projection, loaded.get(keyOf(key)), its, key),
        })
      const last = events.at(-1)
      if (last) {
        checkpoint = { transactionId: last.transactionId, globalPosition: last.globalPosition }
        lastRecordedAt = last.recordedAt
      }
      applied = events.length
    } catch {
      docs.clear()
      ;({ checkpoint, applied, failure, lastRecordedAt } = oneByOne(
        projection,
        from,
        events,
        relevant,
        loaded,
        docs,
      ))
    }

    await writeDocuments(trx, projection, generation, docs, loaded)
    const changed = [...docs.keys()]
    const advance =
      target === 'live'
        ? {
            checkpoint_transaction_id: checkpoint.transactionId,
            checkpoint_position: checkpoint.globalPosition,
            ...(lastRecordedAt ? { last_recorded_at: lastRecordedAt } : {}),
          }
        : {
            rebuild_transaction_id: checkpoint.transactionId,
            rebuild_position: checkpoint.globalPosition,
          }
    const update = trx
      .updateTable('projections')
      .set((eb) => ({
        ...advance,
        ...(target === 'live'
          ? { events_applied: eb('events_applied', '+', applied) }
          : {
              rebuild_events_done: eb(
                eb.fn.coalesce('rebuild_events_done', eb.val(0)),
                '+',
                applied,
              ),
            }),
        ...(failure && target === 'live'
          ? { status: 'failed' as const, error: JSON.stringify(failure) }
          : {}),
        updated_at: new Date(),
      }))
      .where('name', '=', projection.name)
    // Processes that remember documents (the API's cache) forget these once this commits.
    // Notified inside the transaction, so that a commit is never left unannounced, and from
    // the checkpoint's own statement, so that it costs no round trip.
    if (target === 'live' && changed.length > 0)
      await update
        .returning(
          sql<unknown>`pg_notify(${READ_MODEL_CHANNEL}, ${readModelPayload({ projection: projection.name, keys: changed })})`.as(
            'notified',
          ),
        )
        .execute()
    else await update.execute()
    return { checkpoint, applied, failure, changed }
  })
}

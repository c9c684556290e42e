import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import type { JsonObject } from '../../../src/domain/json.js'
import {
  type Checkpoint,
  type EventLogConnection,
  type LeanRecordedEvent,
  LOG_START,
  readAll,
} from '../../../src/eventstore/index.js'
import { applyLiveBatch, applyRebuildBatch } from '../../../src/projections/apply-batch.js'
import type { Projection } from '../../../src/projections/projection.js'
import { queryRows, readDocument } from '../../../src/projections/queries.js'
import { registerProjection } from '../../../src/projections/runner.js'
import { loadDocuments } from '../../../src/projections/store.js'
import { openTestPostgres } from '../../helpers/postgres.js'

/**
 * A document whose `items` grow with every event, stored in parts of two; `Dropped` takes
 * the first item out (every later item moves up a place).
 */
const parted: Projection = {
  name: 'parted',
  version: 1,
  eventTypes: ['Added', 'Dropped'],
  keysOf: (event) => [{ kind: 'stream', id: event.streamId }],
  evolve(doc, event) {
    const items = [...((doc?.items as JsonObject[] | undefined) ?? [])]
    if (event.type === 'Dropped') items.shift()
    else items.push({ v: event.streamVersion })
    return { count: items.length, items }
  },
  rows: (key, doc) => [{ kind: 'stream', id: key.id, doc: { count: doc.count! } }],
  parts: { field: 'items', size: 2 },
}

/**
 * Appends events of `types` to stream `s`, then applies them at once with `apply` (a live
 * batch of `parted` unless told). The log shows an event once every older transaction on the
 * server has ended (other suites share it): wait for all.
 */
async function step(
  log: EventLogConnection,
  from: Checkpoint,
  types: string[],
  apply: (events: LeanRecordedEvent[]) => Promise<{ checkpoint: Checkpoint }> = (events) =>
    applyLiveBatch(log.db, parted, 1, from, events),
) {
  for (const type of types) await log.append('s', [{ eventId: randomUUID(), type, data: {} }])
  const deadline = Date.now() + 30_000
  for (;;) {
    const slice = await readAll(log.db, { after: from, limit: 100, lean: true })
    if (slice.events.length >= types.length) return (await apply(slice.events)).checkpoint
    if (Date.now() > deadline) throw new Error('the appended events did not become readable')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Each stored part of stream `s` in `generation`: its number, items and the transaction that
 * wrote it.
 */
async function parts(log: EventLogConnection, generation = 1) {
  const { rows } = await sql<{ part: number; items: JsonObject[]; xmin: string }>`
    select part, items, xmin::text as xmin from projection_document_parts
     where projection = 'parted' and generation = ${generation} and kind = 'stream' and id = 's'
     order by part`.execute(log.db)
  return rows
}

const versions = (doc: JsonObject | undefined) =>
  (doc?.items as { v: number }[] | undefined)?.map((i) => i.v)

t.test(
  'a document stored in parts reads whole, and a batch rewrites only the parts it changed',
  async (t) => {
    const log = await openTestPostgres(t)
    await registerProjection(log.db, parted)
    let at = await step(log, LOG_START, ['Added', 'Added', 'Added', 'Added', 'Added'])
    t.strictSame(versions(await readDocument(log.db, 'parted', 'stream', 's')), [1, 2, 3, 4, 5])
    const first = await parts(log)
    t.strictSame(
      first.map((p) => p.items.length),
      [2, 2, 1],
      'five items in parts of two',
    )
    const { rows } = await sql<{ doc: JsonObject }>`
      select doc from projection_documents where projection = 'parted'`.execute(log.db)
    t.strictSame(rows[0]!.doc, { count: 5, items: [] }, 'the document itself holds no items')

    at = await step(log, at, ['Added', 'Added'])
    const second = await parts(log)
    t.strictSame(
      second.map((p) => p.xmin === first[p.part]?.xmin),
      [true, true, false, false],
      'the two full parts were left as they were; the last and a new one were written',
    )
    t.strictSame(
      versions(await readDocument(log.db, 'parted', 'stream', 's')),
      [1, 2, 3, 4, 5, 6, 7],
    )

    await step(log, at, ['Dropped'])
    const third = await parts(log)
    t.strictSame(
      third.map((p) => p.items.length),
      [2, 2, 2],
      'the part left empty is removed',
    )
    t.notOk(
      third.some((p) => p.xmin === second[p.part]?.xmin),
      'every item moved: every part was rewritten',
    )
    t.strictSame(versions(await readDocument(log.db, 'parted', 'stream', 's')), [2, 3, 4, 5, 6, 7])
    const page = await queryRows(log.db, { projection: 'parted', kind: 'stream', documents: true })
    t.strictSame(versions(page.items[0]), [2, 3, 4, 5, 6, 7], 'lists can read whole documents')
    const plain = await queryRows(log.db, { projection: 'parted', kind: 'stream' })
    t.strictSame(plain.items, [{ count: 6 }], 'or the rows')
  },
)

t.test(
  'when the part size changes, a stored document still reads whole, and its next write stores it in parts of the new size',
  async (t) => {
    const log = await openTestPostgres(t)
    await registerProjection(log.db, parted)
    const at = await step(log, LOG_START, ['Added', 'Added', 'Added', 'Added', 'Added'])
    t.strictSame(
      (await parts(log)).map((p) => p.items.length),
      [2, 2, 1],
      'in parts of two',
    )
    const inThrees: Projection = { ...parted, parts: { field: 'items', size: 3 } }
    t.strictSame(versions(await readDocument(log.db, 'parted', 'stream', 's')), [1, 2, 3, 4, 5])
    await step(log, at, ['Added'], (events) => applyLiveBatch(log.db, inThrees, 1, at, events))
    t.strictSame(
      (await parts(log)).map((p) => versions(p as unknown as JsonObject)),
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      'rewritten in parts of three, the third part of two removed',
    )
    t.strictSame(versions(await readDocument(log.db, 'parted', 'stream', 's')), [1, 2, 3, 4, 5, 6])
  },
)

t.test(
  'a rebuild batch goes on from the documents the batch before it wrote, and rewrites only the parts it changed',
  async (t) => {
    const log = await openTestPostgres(t)
    await registerProjection(log.db, parted)
    await log.db
      .updateTable('projections')
      .set({
        status: 'rebuilding',
        rebuild_generation: 2,
        rebuild_transaction_id: '0',
        rebuild_position: 0,
      })
      .where('name', '=', 'parted')
      .execute()
    const kept = new Map<string, JsonObject>()
    const rebuildStep = (from: Checkpoint, types: string[]) =>
      step(log, from, types, (events) => applyRebuildBatch(log.db, parted, 2, from, events, kept))
    const rebuilt = async () =>
      versions(
        (await loadDocuments(log.db, 'parted', 2, [{ kind: 'stream', id: 's' }])).get(
          'stream\u0000s',
        ),
      )

    let at = await rebuildStep(LOG_START, ['Added', 'Added', 'Added', 'Added', 'Added'])
    t.strictSame(
      versions(kept.get('stream\u0000s')),
      [1, 2, 3, 4, 5],
      'the batch keeps what it wrote',
    )
    const first = await parts(log, 2)
    t.strictSame(
      first.map((p) => p.items.length),
      [2, 2, 1],
    )

    // The stored document is changed behind the rebuild's back: the next batch must go on from
    // the one it kept, not read this one.
    await sql`update projection_documents set doc = '{"count": 99, "items": []}'
               where projection = 'parted' and generation = 2`.execute(log.db)
    at = await rebuildStep(at, ['Added', 'Added'])
    const second = await parts(log, 2)
    t.strictSame(
      second.map((p) => p.xmin === first[p.part]?.xmin),
      [true, true, false, false],
      'the two full parts of the kept document were left as they were; the last and a new one were written',
    )
    t.strictSame(await rebuilt(), [1, 2, 3, 4, 5, 6, 7], 'the document went on from the kept one')
    const { rows } = await sql<{ doc: JsonObject }>`
      select doc from projection_documents where projection = 'parted' and generation = 2`.execute(
      log.db,
    )
    t.equal(rows[0]!.doc.count, 7, 'and not from the one read from the store')

    await rebuildStep(at, ['Dropped'])
    const third = await parts(log, 2)
    t.strictSame(
      third.map((p) => p.items.length),
      [2, 2, 2],
      'the part left empty is removed',
    )
    t.notOk(
      third.some((p) => p.xmin === second[p.part]?.xmin),
      'every part was rewritten',
    )
    t.strictSame(await rebuilt(), [2, 3, 4, 5, 6, 7])
  },
)

import { sql } from 'kysely'
import t from 'tap'
import type { DocumentKey, Projection } from '../../../src/projections/projection.js'
import { documentWriter, keyOf } from '../../../src/projections/store.js'
import { openTestPostgres } from '../../helpers/postgres.js'

/** One document a key, and one row of it. */
const plain: Projection = {
  name: 'plain',
  version: 1,
  eventTypes: [],
  keysOf: () => [],
  evolve: (doc) => doc,
  rows: (key, doc) => [{ kind: 'plain', id: key.id, doc }],
}

/** Groups of `size` documents `{ n }`, keyed `d<n>`, numbered from `from`. */
function groupsOf(count: number, size: number, from = 0) {
  const all = []
  for (let start = 0; start < count; start += size) {
    const group = new Map<string, { key: DocumentKey; doc: { n: number } }>()
    for (let n = from + start; n < from + Math.min(count, start + size); n++) {
      const key = { kind: 'plain', id: `d${n}` }
      group.set(keyOf(key), { key, doc: { n } })
    }
    all.push(group)
  }
  return all
}

const stored = async (log: Awaited<ReturnType<typeof openTestPostgres>>) => {
  const { rows } = await sql<{ documents: string; rows: string }>`
    select (select count(*) from projection_documents where projection = 'plain') as documents,
           (select count(*) from projection_rows where projection = 'plain') as rows`.execute(
    log.db,
  )
  return { documents: Number(rows[0]!.documents), rows: Number(rows[0]!.rows) }
}

t.test('a writer queues many statements and stores every one of them', async (t) => {
  const log = await openTestPostgres(t)
  // 12 groups of 250: 24 statements, far more than the writer keeps queued.
  await log.db.transaction().execute(async (trx) => {
    const writer = documentWriter(trx, plain, 1)
    for (const group of groupsOf(3_000, 250)) await writer.write(group)
    await writer.done()
  })
  t.strictSame(await stored(log), { documents: 3_000, rows: 3_000 })
})

t.test(
  'a statement that fails behind others in the queue fails the writer, and nothing is stored',
  async (t) => {
    const log = await openTestPostgres(t)
    const [first, second] = groupsOf(1_000, 500)
    const error = await log.db
      .transaction()
      .execute(async (trx) => {
        const writer = documentWriter(trx, plain, 1)
        await writer.write(first!)
        await writer.write(second!)
        // The same documents again: their insert breaks the primary key, still queued when
        // this returns; only `done` can tell.
        await writer.write(first!)
        await writer.done()
      })
      .then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      )
    t.equal(error?.code, '23505', 'the first failure (a unique violation) is what surfaces')
    t.strictSame(await stored(log), { documents: 0, rows: 0 }, 'the transaction rolled back')
  },
)

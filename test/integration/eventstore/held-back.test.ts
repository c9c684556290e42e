import { randomUUID } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { appendToStream, LOG_START, readAll, subscribe } from '../../../src/eventstore/index.js'
import { openTestPostgres } from '../../helpers/postgres.js'

const event = (type: string) => ({ eventId: randomUUID(), type, data: {} })

/** A transaction that has taken a transaction id and stays open until `end` (no append). */
async function openTransaction(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query('begin')
  await client.query('select pg_current_xact_id()')
  return {
    end: async () => {
      await client.query('commit')
      await client.end()
    },
  }
}

t.test(
  'events held back behind an older transaction that announces nothing still reach a subscription soon',
  async (t) => {
    const log = await openTestPostgres(t)
    const blocker = await openTransaction(log.url)
    t.teardown(() => blocker.end().catch(() => undefined))

    const seen: string[] = []
    let arrived: () => void = () => {}
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve
    })
    const subscription = subscribe(log.db, log.notifications, {
      from: LOG_START,
      pollIntervalMs: 600_000, // only the held-back retry can find it in time
      onEvents: async (events) => {
        seen.push(...events.map((e) => e.streamId))
        arrived()
      },
    })
    t.teardown(() => subscription.stop())

    await appendToStream(log.db, 'held-1', [event('A')])
    const held = await readAll(log.db, { checkHeldBack: true })
    t.same(held.events, [], 'the event waits behind the older transaction')
    t.equal(held.heldBack, true, 'and the read says that events are held back')
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.same(seen, [], 'the subscription has not seen it while the older transaction runs')

    await blocker.end() // ends without any notification
    const timeout = setTimeout(() => arrived(), 30_000)
    await arrival
    clearTimeout(timeout)
    t.same(seen, ['held-1'], 'the subscription finds the event once the transaction ends')
    const after = await readAll(log.db, { checkHeldBack: true })
    t.equal(after.heldBack, false, 'nothing is held back any more')
  },
)

// A database error right after taking a lease (a connect timeout, a restart) must not leave
// the relay or a projection runner holding the lease without doing the work: the two-instance
// fault suite once found the relay backing off for good, its standby locked out behind it.
import { randomUUID } from 'node:crypto'
import type { KyselyPlugin } from 'kysely'
import t from 'tap'
import { createCommandHandler } from '../../src/app/command-handler.js'
import { startProjections } from '../../src/app/projections.js'
import { seedScenario } from '../../src/app/seed-scenario.js'
import type { EventLogConnection } from '../../src/eventstore/index.js'
import { openTestPostgres } from '../helpers/postgres.js'
import { caughtUp } from '../helpers/projections.js'
import {
  brokerRequired,
  collect,
  everyEvent,
  kafkaFor,
  startRelay,
  waitFor,
} from '../integration/messaging/kafka.js'

const needsBroker = brokerRequired(t)
const silent = { info() {}, warn() {}, error() {} }

/**
 * The log, whose first query after the first taking of each lease fails as if the connection
 * dropped (the query of the holder, whose turn comes first: the others wait for their locks).
 */
function failingAfterLease(log: EventLogConnection): EventLogConnection & { failures: number } {
  let failNext = false
  const taken = new Set<string>()
  const faulty = {
    ...log,
    failures: 0,
    async tryLock(name: string) {
      const lease = await log.tryLock(name)
      if (lease && !taken.has(name)) {
        taken.add(name)
        failNext = true
      }
      return lease
    },
  }
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      if (failNext) {
        failNext = false
        faulty.failures++
        throw new Error('Connection terminated unexpectedly')
      }
      return node
    },
    transformResult: async ({ result }) => result,
  }
  return Object.assign(faulty, { db: log.db.withPlugin(plugin) })
}

async function recordArticle(log: EventLogConnection) {
  const handle = createCommandHandler({ log })
  for (const { command } of seedScenario({ newId: randomUUID, actor: 'analyst@entente' }))
    await handle(command, { requestId: randomUUID() })
}

t.test(
  'a projection runner whose first query after the lock fails takes the lock again and catches up',
  async (t) => {
    const log = await openTestPostgres(t)
    await recordArticle(log)
    const faulty = failingAfterLease(log)
    const running = startProjections(faulty, silent)
    t.teardown(() => running.stop())
    await caughtUp(log)
    t.ok(faulty.failures >= 1, `${faulty.failures} queries failed just after a lock was taken`)
    t.ok(
      running.runners.every((r) => r.role === 'active'),
      'every runner holds its lock again',
    )
  },
)

t.test(
  'a relay whose checkpoint cannot be read after taking the lease takes it again and publishes everything',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    await recordArticle(log)
    const kafka = kafkaFor(t)
    const faulty = failingAfterLease(log)
    const relay = startRelay(t, { log: faulty, kafka })
    const collector = await collect(t, kafka)
    const all = await everyEvent(log)
    await waitFor(
      () => collector.events.length >= all.length,
      () => `${collector.events.length} of ${all.length} events; ${JSON.stringify(relay.status())}`,
      30_000,
    )
    t.ok(faulty.failures >= 1, 'the first read after the lease failed')
    await waitFor(
      () => relay.status().state === 'active' && relay.status().lagPositions === 0,
      () => JSON.stringify(relay.status()),
      30_000,
    )
    t.pass('the relay is active and its checkpoint has caught up')
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event reached Kafka',
    )
  },
)

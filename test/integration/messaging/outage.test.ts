// The broker killed in the middle of a flow of commands: commands are still accepted (through
// the command handler, as the HTTP command routes will call it); once the broker is back the
// relay catches up, nothing is lost, and each stream's events keep their order.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import { openTestPostgres } from '../../helpers/postgres.js'
import {
  brokerRequired,
  collect,
  everyEvent,
  inStreamOrder,
  kafkaFor,
  ownBroker,
  startRelay,
  waitFor,
} from './kafka.js'

const needsBroker = brokerRequired(t)

t.test(
  'with the broker killed, commands are accepted; after its restart the relay catches up in order',
  needsBroker,
  async (t) => {
    const broker = await ownBroker(t)
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t, broker.brokers)
    const relay = startRelay(t, { log, kafka, batchSize: 25 })
    const handle = createCommandHandler({ log })
    /** Records the seed article again under new ids: ten commands on five aggregates. */
    const recordArticle = async () => {
      let events = 0
      for (const { command } of seedScenario({ newId: randomUUID, actor: 'analyst@entente' }))
        events += (await handle(command, { requestId: randomUUID() })).events.length
      return events
    }

    t.ok((await recordArticle()) > 0, 'commands are accepted with the broker up')
    await waitFor(
      () => relay.status().published > 0,
      () => JSON.stringify(relay.status()),
    )

    await broker.kill()
    let accepted = 0
    for (let i = 0; i < 4; i++) accepted += await recordArticle()
    t.ok(accepted >= 40, `${accepted} events accepted while the broker is down`)
    await waitFor(
      () => relay.status().state === 'backing-off' && relay.status().lagPositions > 0,
      () => JSON.stringify(relay.status()),
    )
    const down = relay.status()
    t.ok(down.errors > 0, 'the relay counts its failures')
    t.ok(down.lastError, `and says why: ${down.lastError}`)
    t.ok(down.lagPositions > 0, `${down.lagPositions} events wait for the broker`)

    accepted += await recordArticle()
    await broker.restart()
    const all = await everyEvent(log)
    const collector = await collect(t, kafka)
    await waitFor(
      () => collector.events.length >= all.length,
      () => `${collector.events.length} of ${all.length} events; ${JSON.stringify(relay.status())}`,
      120_000,
    )
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event reached Kafka, once after dedupe',
    )
    t.same(inStreamOrder(collector.events), [], 'each stream in version order')
    await waitFor(
      () => relay.status().state === 'active' && relay.status().lagPositions === 0,
      () => JSON.stringify(relay.status()),
    )
    t.pass('the relay is active again and caught up')
  },
)

// Two relays on one store: one publishes, the other stands by and takes over when it stops.
import t from 'tap'
import { openTestPostgres } from '../../helpers/postgres.js'
import {
  appendMany,
  brokerRequired,
  collect,
  everyEvent,
  inStreamOrder,
  kafkaFor,
  startRelay,
  waitFor,
} from './kafka.js'

const needsBroker = brokerRequired(t)

t.test(
  'of two relays one publishes; the other takes over when it stops',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    const first = startRelay(t, { log, kafka })
    await waitFor(
      () => first.status().state === 'active',
      () => JSON.stringify(first.status()),
    )
    const second = startRelay(t, { log, kafka })
    const collector = await collect(t, kafka)

    await appendMany(log, 4, 10)
    let all = await everyEvent(log)
    await waitFor(
      () => collector.events.length >= all.length,
      () => `${collector.events.length} of ${all.length} events`,
    )
    t.equal(second.status().state, 'standby', 'the second relay stands by')
    t.equal(second.status().published, 0, 'and publishes nothing')
    // Its counter moves with the checkpoint, just after the broker acknowledged.
    await waitFor(
      () => first.status().published >= all.length,
      () => JSON.stringify(first.status()),
    )
    t.equal(first.status().published, all.length, 'the first published everything')

    await first.stop()
    t.equal(first.status().state, 'stopped')
    await appendMany(log, 4, 10)
    all = await everyEvent(log)
    await waitFor(
      () => collector.events.length >= all.length,
      () =>
        `${collector.events.length} of ${all.length} events, ${JSON.stringify(second.status())}`,
    )
    await waitFor(
      () => second.status().published >= 40,
      () => JSON.stringify(second.status()),
    )
    t.equal(second.status().state, 'active', 'the second relay took over')
    t.equal(second.status().published, 40, 'and published what came after')
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event arrived once',
    )
    t.same(inStreamOrder(collector.events), [], 'each stream in version order')
  },
)

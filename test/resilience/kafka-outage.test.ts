// The Kafka broker killed while the service takes commands: commands go on being accepted;
// once the broker is back every event of the log reaches Kafka (by ce_id).
import t from 'tap'
import { ownPostgres } from '../helpers/postgres-cluster.js'
import { brokerRequired, collect, kafkaFor, ownBroker } from '../integration/messaging/kafka.js'
import { byStatus, LoadClient } from './load-client.js'
import { get, metric, startService, waitUntil } from './service.js'
import { auditLog, openStore } from './store.js'

const needsBroker = brokerRequired(t)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test(
  'with the broker killed under load, commands are accepted, and once it is back every event reaches Kafka',
  needsBroker,
  async (t) => {
    const [broker, pg] = await Promise.all([ownBroker(t), ownPostgres(t)])
    const kafka = kafkaFor(t, broker.brokers)
    const service = await startService(t, 'api', {
      DATABASE_URL: pg.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
    })
    const store = openStore(t, pg.url)
    const relay = async () => {
      const text = (await get(`${service.url}/metrics`)).body as string
      return {
        active: metric(text, 'entente_relay_state').get('{state="active"}') === 1,
        backingOff: metric(text, 'entente_relay_state').get('{state="backing-off"}') === 1,
        lag: metric(text, 'entente_relay_lag_events').get('') ?? -1,
        published: metric(text, 'entente_relay_published_total').get('') ?? 0,
      }
    }
    const load = new LoadClient({ urls: [service.url] }).start()
    t.teardown(() => load.stop())
    await load.acknowledged(30)
    await waitUntil(
      async () => (await relay()).published > 0,
      () => 'nothing published',
      60_000,
    )

    await broker.kill()
    const killedAt = Date.now()
    await waitUntil(
      async () => (await relay()).backingOff,
      () => 'the relay did not notice',
      60_000,
      200,
    )
    const ready = await get(`${service.url}/health/ready`)
    t.equal(ready.status, 200, 'the service stays ready while the broker is away')
    t.match(ready.body.checks.relay, { status: 'down', critical: false }, 'the relay shows down')
    await sleep(3_000)
    const restartAt = Date.now()
    const duringOutage = load.outcomes.filter(
      (o) => o.kind === 'command' && o.sentAt >= killedAt && o.doneAt < restartAt,
    )
    const ackedDuring = load.acks.filter((a) => a.at >= killedAt && a.at < restartAt)
    t.ok(ackedDuring.length >= 10, `${ackedDuring.length} commands accepted while it was down`)
    t.notOk(
      duringOutage.some((o) => o.status === 'error' || (o.status as number) >= 500),
      `none failed: ${JSON.stringify(byStatus(duringOutage))}`,
    )
    const waiting = (await relay()).lag
    t.ok(waiting > 0, `${waiting} events waited for the broker`)

    await broker.restart()
    const backAt = Date.now()
    await load.acknowledged(20)
    await load.stop()
    await waitUntil(
      async () => {
        const r = await relay()
        return r.active && r.lag === 0
      },
      () => 'the relay did not catch up',
      90_000,
      200,
    )
    const caughtUpAt = Date.now()

    const audit = await auditLog(store, load.acks)
    t.same([audit.lost, audit.misplaced], [[], []], 'every acknowledged event is in the log')
    const ids = (await store.db.selectFrom('events').select('event_id').execute()).map(
      (r) => r.event_id,
    )
    const collector = await collect(t, kafka)
    await waitUntil(
      () => collector.events.length >= ids.length,
      () => `${collector.events.length} of ${ids.length} events on Kafka`,
      60_000,
    )
    const onKafka = new Set(collector.events.map((e) => e.id))
    const missing = ids.filter((id) => !onKafka.has(id))
    t.same(missing, [], `each of the ${ids.length} events of the log reached Kafka`)
    t.comment(
      `figures: broker down ${backAt - killedAt} ms; ${ackedDuring.length} commands accepted meanwhile, ` +
        `${waiting} events waiting; relay caught up ${caughtUpAt - backAt} ms after the broker was back; ` +
        `${ids.length} events in the log, ${ids.length - missing.length} on Kafka, ${missing.length} lost, ` +
        `${collector.raw - collector.events.length} duplicate messages (at least once)`,
    )
  },
)

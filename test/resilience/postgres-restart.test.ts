// Postgres stopped under load and started again, the service left running: while the
// database is down every request is answered at once with a 503 problem that says nothing of
// the internals and /health/ready says not ready; when it is back the service recovers by
// itself: commands are accepted, the read models and the relay catch up, nothing acknowledged
// is lost.
import { createServer, type Socket } from 'node:net'
import t from 'tap'
import { ownPostgres } from '../helpers/postgres-cluster.js'
import { brokerRequired, kafkaFor } from '../integration/messaging/kafka.js'
import { byStatus, LoadClient } from './load-client.js'
import { get, metric, startService, waitUntil } from './service.js'
import { auditLog, compareWithRebuild, openStore } from './store.js'

const needsBroker = brokerRequired(t)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** What a 5xx body must never show: addresses, driver errors, SQL, stack frames. */
const LEAKS = /ECONN|127\.0\.0\.1|postgres|select |insert |terminating|at .*\.[jt]s:\d+|stack/i

t.test(
  'with Postgres stopped under load, requests fail fast with 503 problem+json; when it returns the service recovers by itself',
  needsBroker,
  async (t) => {
    const pg = await ownPostgres(t)
    const kafka = kafkaFor(t)
    const service = await startService(t, 'api', {
      DATABASE_URL: pg.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
    })
    const store = openStore(t, pg.url)
    const load = new LoadClient({ urls: [service.url] }).start()
    t.teardown(() => load.stop())
    await load.acknowledged(40)

    await pg.stop()
    const stoppedAt = Date.now()
    await sleep(1_000)
    const ready = await get(`${service.url}/health/ready`)
    t.equal(ready.status, 503, '/health/ready answers 503 while the database is down')
    t.match(ready.body, { status: 'unavailable', checks: { database: { status: 'down' } } })
    await sleep(3_000)

    // Then something takes the port that accepts connections and never answers, as a server
    // that hangs or a network that drops packets would: connecting waits for the timeout.
    const hungAt = Date.now()
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
    })
    await new Promise<void>((resolve) => silent.listen(pg.port, '127.0.0.1', resolve))
    t.teardown(() => silent.close())
    await sleep(5_000)
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))

    const restartAt = Date.now()
    await pg.start()
    const startedAt = Date.now()

    const whileDown = load.outcomes.filter((o) => o.sentAt >= stoppedAt && o.sentAt < restartAt)
    const whileHung = whileDown.filter((o) => o.sentAt >= hungAt)
    t.ok(whileDown.length > 20, `${whileDown.length} requests were sent while it was down`)
    t.same(byStatus(whileDown), { 503: whileDown.length }, 'each was answered 503')
    t.ok(
      whileDown.every((o) => o.contentType.startsWith('application/problem+json')),
      'as application/problem+json',
    )
    t.ok(
      whileDown.every((o) => o.doneAt < startedAt),
      'each answer came while the database was still down: none waited for it',
    )
    const bodies = whileDown.map((o) => JSON.parse(o.body!))
    t.ok(
      bodies.every((b) => b.code === 'unavailable' && b.status === 503 && b.requestId),
      'the problem says unavailable, with the request id',
    )
    const leaking = whileDown.filter((o) => LEAKS.test(o.body!))
    t.same(
      leaking.map((o) => o.body),
      [],
      'and nothing of the internals',
    )
    t.ok(whileHung.length > 4, `${whileHung.length} of them while connecting hung`)
    const slowest = (outcomes: typeof whileDown) =>
      Math.max(...outcomes.map((o) => o.doneAt - o.sentAt))
    const refused = whileDown.filter((o) => o.doneAt < hungAt)

    // Recovery, with no restart of the service.
    await waitUntil(
      () => load.acks.some((a) => a.at >= startedAt),
      () =>
        `no command accepted since the restart: ${JSON.stringify(byStatus(load.since(startedAt)))}`,
      30_000,
      20,
    )
    const firstAck = load.acks.find((a) => a.at >= startedAt)!.at
    await waitUntil(
      async () => (await get(`${service.url}/health/ready`)).status === 200,
      () => 'not ready again',
      30_000,
    )
    const readyAt = Date.now()
    await load.acknowledged(40)
    await load.stop()
    t.equal(service.exitCode(), null, 'the service process ran throughout')

    const audit = await auditLog(store, load.acks)
    t.same(
      { lost: audit.lost, misplaced: audit.misplaced, duplicated: audit.duplicated },
      { lost: [], misplaced: [], duplicated: [] },
      `each of the ${audit.acknowledged} acknowledged events is in the log once`,
    )
    await waitUntil(
      async () => {
        const text = (await get(`${service.url}/metrics`)).body as string
        return (
          metric(text, 'entente_relay_state').get('{state="active"}') === 1 &&
          metric(text, 'entente_relay_lag_events').get('') === 0
        )
      },
      () => 'the relay did not catch up',
      60_000,
      200,
    )
    const relayAt = Date.now()
    t.pass('the relay publishes again and has caught up')
    await compareWithRebuild(t, store)

    t.comment(
      `figures: outage ${restartAt - stoppedAt} ms; ${whileDown.length} requests answered 503: ` +
        `${refused.length} with the server stopped, slowest in ${slowest(refused)} ms, ` +
        `${whileHung.length} with connections hanging, slowest in ${slowest(whileHung)} ms; ` +
        `first command accepted ${firstAck - startedAt} ms after Postgres was back, ready in ${readyAt - startedAt} ms, ` +
        `relay caught up in ${relayAt - startedAt} ms; acknowledged ${audit.acknowledged} events, found ${audit.found}, lost ${audit.lost.length}`,
    )
  },
)

// Two API processes on one database and one broker, commands through both: each read model
// and the relay are kept by exactly one of them, nothing is applied or published twice, and
// when the active one is killed (kill -9) the other takes the work over.
import { sql } from 'kysely'
import t from 'tap'
import { PROJECTIONS } from '../../src/projections/index.js'
import { ownPostgres } from '../helpers/postgres-cluster.js'
import { brokerRequired, collect, kafkaFor } from '../integration/messaging/kafka.js'
import { LoadClient } from './load-client.js'
import { get, metric, type ServiceProcess, startService, waitUntil } from './service.js'
import { auditLog, compareWithRebuild, openStore } from './store.js'

const needsBroker = brokerRequired(t)

/** Namespace of the leases' advisory locks (src/eventstore/connection.ts). */
const LEASE_NAMESPACE = 1162761286

/** What an instance's /metrics says it keeps: each read model (active or not) and the relay. */
async function roles(service: ServiceProcess) {
  const text = (await get(`${service.url}/metrics`, 2_000)).body as string
  const active = metric(text, 'entente_projection_active')
  const relay = [...metric(text, 'entente_relay_state')].find(([, v]) => v === 1)?.[0]
  return {
    projections: Object.fromEntries(
      PROJECTIONS.map((p) => [p.name, active.get(`{projection="${p.name}"}`) === 1]),
    ),
    relay: /state="([a-z-]+)"/.exec(relay ?? '')?.[1] ?? 'unknown',
  }
}

t.test(
  'two instances on one database: each read model and the relay on exactly one, and the other takes over after kill -9',
  needsBroker,
  async (t) => {
    const pg = await ownPostgres(t)
    const kafka = kafkaFor(t)
    const env = {
      DATABASE_URL: pg.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
    }
    const [a, b] = await Promise.all([startService(t, 'a', env), startService(t, 'b', env)])
    const store = openStore(t, pg.url)
    const load = new LoadClient({ urls: [a.url, b.url] }).start()
    t.teardown(() => load.stop())
    await load.acknowledged(60)
    t.ok(
      load.acks.some((x) => x.via === a.url) && load.acks.some((x) => x.via === b.url),
      'commands are accepted through both instances',
    )

    // Each piece of work on exactly one instance, the other standing by.
    let both = await Promise.all([roles(a), roles(b)])
    await waitUntil(
      async () => {
        both = await Promise.all([roles(a), roles(b)])
        // Started, not yet judged: the relay active somewhere, and each read model too (a
        // runner may still be taking its lease); how many hold each is asserted below.
        return (
          both
            .map((r) => r.relay)
            .sort()
            .join() === 'active,standby' &&
          PROJECTIONS.every((p) => both.some((r) => r.projections[p.name]))
        )
      },
      () =>
        `${JSON.stringify(both)}\n${a
          .output()
          .split('\n')
          .filter((l) => /relay/.test(l))
          .join('\n')}\n${b
          .output()
          .split('\n')
          .filter((l) => /relay/.test(l))
          .join('\n')}`.slice(0, 8000),
      30_000,
    )
    for (const p of PROJECTIONS)
      t.equal(
        both.filter((r) => r.projections[p.name]).length,
        1,
        `${p.name} is kept by exactly one instance`,
      )
    t.pass('the relay is active on one instance and stands by on the other')
    const { rows: leases } = await sql<{ name: number; holders: number }>`
      select objid as name, count(*)::int as holders from pg_locks
       where locktype = 'advisory' and classid = ${LEASE_NAMESPACE} and granted
       group by objid`.execute(store.db)
    t.same(
      leases.map((l) => l.holders),
      Array(PROJECTIONS.length + 1).fill(1),
      'the database shows one holder of each lease (read models and relay)',
    )

    // kill -9 the instance that publishes; the survivor must take every piece of work.
    const [active, survivor] = both[0]!.relay === 'active' ? [a, b] : [b, a]
    const held = both[active === a ? 0 : 1]!
    const ackedBeforeKill = load.acks.length
    await active.kill9()
    const killedAt = Date.now()
    load.urls = [survivor.url]
    let after = await roles(survivor)
    await waitUntil(
      async () => {
        after = await roles(survivor)
        return after.relay === 'active' && Object.values(after.projections).every(Boolean)
      },
      () => JSON.stringify(after),
      30_000,
      50,
    )
    const takeover = Date.now() - killedAt
    t.pass('the survivor keeps every read model and publishes')
    await load.acknowledged(40)
    await load.stop()
    t.ok(load.acks.length > ackedBeforeKill, 'commands go on through the survivor')

    const audit = await auditLog(store, load.acks)
    t.same(
      [audit.lost, audit.misplaced, audit.duplicated],
      [[], [], []],
      `each of the ${audit.acknowledged} acknowledged events is in the log once`,
    )
    await compareWithRebuild(t, store)

    // The relay: caught up, each event counted once in its checkpoint, each on Kafka.
    await waitUntil(
      async () =>
        metric((await get(`${survivor.url}/metrics`)).body, 'entente_relay_lag_events').get('') ===
        0,
      () => 'the relay did not catch up',
      60_000,
      200,
    )
    const checkpoint = await store.db
      .selectFrom('relay_checkpoints' as never)
      .select(sql<number>`events_published`.as('published'))
      .executeTakeFirstOrThrow()
    t.equal(
      Number(checkpoint.published),
      audit.inLog,
      'the relay checkpoint counted each event of the log once',
    )
    const collector = await collect(t, kafka)
    const ids = (await store.db.selectFrom('events').select('event_id').execute()).map(
      (r) => r.event_id,
    )
    await waitUntil(
      () => collector.events.length >= ids.length,
      () => `${collector.events.length} of ${ids.length} events on Kafka`,
      60_000,
    )
    const onKafka = new Set(collector.events.map((e) => e.id))
    t.same(
      ids.filter((id) => !onKafka.has(id)),
      [],
      `each of the ${ids.length} events reached Kafka`,
    )

    t.comment(
      `figures: killed ${active.name} (relay${Object.entries(held.projections)
        .filter(([, v]) => v)
        .map(([k]) => `, ${k}`)
        .join('')}); ${survivor.name} held every lease ${takeover} ms later; ` +
        `${audit.acknowledged} events acknowledged through both, ${audit.found} found once, ${audit.lost.length} lost; ` +
        `${collector.raw - collector.events.length} duplicate messages on Kafka (at least once)`,
    )
  },
)

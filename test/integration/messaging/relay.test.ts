// The relay against the real broker and the real Postgres: every event reaches a consumer,
// once after dedupe, in stream order per key, as CloudEvents that the cloudevents SDK reads.
import { randomUUID } from 'node:crypto'
import { type CloudEvent, Kafka as CloudEventsKafka, type KafkaMessage } from 'cloudevents'
import t from 'tap'
import { createCommandHandler } from '../../../src/app/command-handler.js'
import { seedScenario } from '../../../src/app/seed-scenario.js'
import {
  allTopics,
  createKafka,
  headersAsText,
  loadRelayCheckpoint,
} from '../../../src/messaging/index.js'
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
  'every appended event reaches a consumer once, in stream order per key',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    // Some events before the relay starts, from the domain, and more while it runs.
    const handle = createCommandHandler({ log })
    for (const { command } of seedScenario({ newId: randomUUID, actor: 'analyst@entente' }))
      await handle(command, { requestId: 'relay-test' })
    const before = await appendMany(log, 8, 10)

    const relay = startRelay(t, { log, kafka, batchSize: 37 })
    const collector = await collect(t, kafka)
    const during = await appendMany(log, 8, 15)
    const all = await everyEvent(log)
    t.ok(all.length > before.length + during.length, 'the seed events are in the log too')

    await waitFor(
      () => collector.events.length >= all.length,
      () => `${collector.events.length} of ${all.length} events arrived`,
    )
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event of the log arrived, once after dedupe',
    )
    t.same(inStreamOrder(collector.events), [], 'each stream in version order')
    for (const e of collector.events.slice(0, 5)) {
      const stored = all.find((s) => s.eventId === e.id)!
      t.same(e.data, stored.data, `${e.type}: the value is the event data`)
      t.equal(e.globalPosition, stored.globalPosition)
    }
    const byStream = new Map<string, Set<number>>()
    for (const e of collector.events)
      byStream.set(e.streamId, (byStream.get(e.streamId) ?? new Set()).add(e.partition))
    t.ok(
      [...byStream.values()].every((p) => p.size === 1),
      'each stream keeps to one partition',
    )

    await waitFor(
      () => relay.status().lagPositions === 0 && relay.status().published >= all.length,
      () => JSON.stringify(relay.status()),
    )
    const status = relay.status()
    t.equal(status.state, 'active')
    t.equal(status.errors, 0)
    const stored = await loadRelayCheckpoint(log.db, 'kafka')
    t.equal(stored.eventsPublished, all.length, 'the checkpoint counts every event once')
  },
)

t.test(
  'topics are created per aggregate type with the configured partitions and retention',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = { ...kafkaFor(t), partitions: 2, retentionMs: 7_200_000 }
    const relay = startRelay(t, { log, kafka })
    await waitFor(
      () => relay.status().state === 'active',
      () => JSON.stringify(relay.status()),
    )
    const admin = createKafka({ brokers: kafka.brokers, clientId: 'test-admin' }).admin()
    await admin.connect()
    t.teardown(() => admin.disconnect())
    const topics = allTopics(kafka.topicPrefix)
    t.ok(topics.includes(`${kafka.topicPrefix}.visit.v1`), 'visit has a topic')
    const metadata = await admin.fetchTopicMetadata({ topics })
    for (const topic of metadata.topics)
      t.equal(topic.partitions.length, 2, `${topic.name}: 2 partitions`)
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: 2, name, configNames: ['retention.ms'] })),
    })
    for (const r of configs.resources)
      t.equal(r.configEntries[0]?.configValue, '7200000', `${r.resourceName}: retention 2 h`)
  },
)

t.test(
  'messages are CloudEvents in binary mode that the cloudevents SDK reads back',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    const handle = createCommandHandler({ log })
    const scenario = seedScenario({ newId: randomUUID, actor: 'analyst@entente' })
    for (const { command } of scenario) await handle(command, { requestId: 'ce-test' })
    const events = await everyEvent(log)
    const relay = startRelay(t, { log, kafka })
    // The relay creates the topics as it starts; a consumer subscribes to those that exist.
    await waitFor(
      () => relay.status().state === 'active',
      () => JSON.stringify(relay.status()),
    )

    const consumer = createKafka({ brokers: kafka.brokers, clientId: 'test-ce' }).consumer({
      groupId: `test-ce-${randomUUID().slice(0, 8)}`,
      maxWaitTimeInMs: 100,
    })
    await consumer.connect()
    t.teardown(() => consumer.disconnect())
    await consumer.subscribe({
      topics: [new RegExp(`^${kafka.topicPrefix}\\.`)],
      fromBeginning: true,
    })
    const received: CloudEvent<unknown>[] = []
    const keys: string[] = []
    await consumer.run({
      eachMessage: async ({ message }) => {
        keys.push(message.key!.toString())
        received.push(
          CloudEventsKafka.toEvent({
            key: message.key!.toString(),
            value: message.value!.toString(),
            headers: headersAsText(message.headers),
            body: message.value!.toString(),
            timestamp: message.timestamp,
          } as KafkaMessage) as CloudEvent<unknown>,
        )
      },
    })
    // Topics appear when the relay creates them; the consumer looks for them as it starts.
    await waitFor(
      () => received.length >= events.length,
      () => `${received.length} of ${events.length} messages`,
    )
    for (const stored of events) {
      const ce = received.find((e) => e.id === stored.eventId)
      if (!ce) {
        t.fail(`no CloudEvent for ${stored.eventId}`)
        continue
      }
      t.equal(ce.specversion, '1.0')
      t.equal(ce.type, `entente.${stored.type}`)
      t.equal(ce.source, `urn:entente:${stored.streamId.split('-')[0]}`)
      t.equal(ce.subject, stored.streamId)
      t.equal(ce.time, stored.recordedAt.toISOString())
      t.equal(ce.datacontenttype, 'application/json')
      t.equal(ce.dataschema, `urn:entente:schema:EventData.${stored.type}.v${stored.schemaVersion}`)
      t.equal(ce.streamversion, String(stored.streamVersion))
      t.equal(ce.globalposition, String(stored.globalPosition))
      t.same(ce.data, stored.data, `${stored.type}: the data`)
      t.equal(ce.validate(), true)
    }
    t.ok(
      keys.every((k) => events.some((e) => e.streamId === k)),
      'keys are stream ids',
    )
  },
)

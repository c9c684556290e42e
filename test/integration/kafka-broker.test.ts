// The real Kafka broker that the messaging layer relies on, driven through kafkajs: topics,
// keyed produce, and a consumer group that commits and later resumes from its offsets.
// Runs against KAFKA_BROKERS (`npm test` starts a broker from infra/kafka/broker.sh when unset).
import { randomUUID } from 'node:crypto'
import { type Admin, type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import t from 'tap'

const brokers = (process.env.KAFKA_BROKERS ?? '')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b !== '')

const missingBroker =
  'KAFKA_BROKERS is not set: run `npm test` (it starts infra/kafka/broker.sh when java and mvn ' +
  'are installed) or export KAFKA_BROKERS=host:port of a running broker'

interface Received {
  key: string
  value: string
  partition: number
  offset: string
}

// One topic and one group per run, so that reruns against the same broker start clean.
const runId = `${Date.now()}-${randomUUID().slice(0, 8)}`
const topic = `entente-test-broker-${runId}`
const groupId = `entente-test-group-${runId}`
const partitions = 2

const keys = ['US', 'FR', 'AU', 'GB']
const message = (seq: number) => ({
  key: keys[seq % keys.length]!,
  value: JSON.stringify({ seq }),
})
const firstBatch = [0, 1, 2, 3, 4, 5].map(message)
const secondBatch = [6, 7, 8, 9].map(message)

if (brokers.length === 0 && process.env.CI === 'true') {
  t.fail(`${missingBroker}. CI must run the Kafka suites against a real broker.`)
} else {
  t.test(
    'A real broker serves topics, keyed messages and consumer groups that resume.',
    { skip: brokers.length === 0 ? missingBroker : false },
    async (t) => {
      const kafka = new Kafka({
        clientId: 'entente-kafka-broker-test',
        brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        retry: { initialRetryTime: 100, retries: 8 },
      })
      const admin: Admin = kafka.admin()
      const producer: Producer = kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
      })
      await admin.connect()
      await producer.connect()
      t.teardown(async () => {
        await producer.disconnect()
        // Leave the broker as it was found: the topic and the group are this run's only.
        await admin.deleteGroups([groupId]).catch(() => undefined)
        await admin.deleteTopics({ topics: [topic] }).catch(() => undefined)
        await admin.disconnect()
      })

      /**
       * Joins the group, reads until `count` messages arrived, committing each one's next offset,
       * then leaves the group. Reads from the beginning when the group has no committed offset.
       */
      async function consume(count: number): Promise<Received[]> {
        const consumer: Consumer = kafka.consumer({
          groupId,
          // The broker's minimum session timeout; a lone member needs no more.
          sessionTimeout: 6000,
          heartbeatInterval: 500,
          rebalanceTimeout: 6000,
          maxWaitTimeInMs: 100,
          retry: { initialRetryTime: 100, retries: 8 },
        })
        const received: Received[] = []
        await consumer.connect()
        try {
          await consumer.subscribe({ topics: [topic], fromBeginning: true })
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`received ${received.length} of ${count} messages in 30 s`)),
              30_000,
            )
            // kafkajs "crashes" and restarts the consumer on retriable errors, such as the
            // GROUP_LOAD_IN_PROGRESS a fresh broker answers while it loads its offsets topic.
            consumer.on(consumer.events.CRASH, ({ payload }) => {
              if (!payload.restart) reject(payload.error)
            })
            consumer
              .run({
                autoCommit: false,
                eachMessage: async ({ partition, message }) => {
                  received.push({
                    key: message.key?.toString() ?? '',
                    value: message.value?.toString() ?? '',
                    partition,
                    offset: message.offset,
                  })
                  const next = (BigInt(message.offset) + 1n).toString()
                  await consumer.commitOffsets([{ topic, partition, offset: next }])
                  if (received.length >= count) {
                    clearTimeout(timer)
                    resolve()
                  }
                },
              })
              .catch(reject)
          })
        } finally {
          await consumer.disconnect()
        }
        return received
      }

      await t.test('The admin client creates a topic with two partitions.', async (t) => {
        const created = await admin.createTopics({
          topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
          waitForLeaders: true,
        })
        t.equal(created, true, 'the topic did not exist before')
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
        t.equal(metadata.topics[0]?.partitions.length, partitions)
      })

      await t.test(
        'A consumer group reads every keyed message, each key on one partition in order, and commits.',
        async (t) => {
          await producer.send({ topic, acks: -1, messages: firstBatch })
          const received = await consume(firstBatch.length)

          t.same(
            received.map((m) => m.value).sort(),
            firstBatch.map((m) => m.value).sort(),
            'every message of the first batch, once',
          )
          for (const key of keys) {
            const ofKey = received.filter((m) => m.key === key)
            t.equal(new Set(ofKey.map((m) => m.partition)).size, 1, `key ${key} on one partition`)
            const seqs = ofKey.map((m) => (JSON.parse(m.value) as { seq: number }).seq)
            t.same(
              seqs,
              [...seqs].sort((a, b) => a - b),
              `key ${key} in order`,
            )
          }

          // The group's committed offsets are the end of each partition: nothing left to read.
          const ends = await admin.fetchTopicOffsets(topic)
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
          for (const end of ends) {
            const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset
            t.equal(offset, end.high, `partition ${end.partition} committed at its end`)
          }
        },
      )

      await t.test(
        'A new consumer in the same group resumes from the committed offsets and gets only new messages.',
        async (t) => {
          await producer.send({ topic, acks: -1, messages: secondBatch })
          // Had the offsets been lost, `fromBeginning` would replay the first batch, and a
          // partition's old messages would come before its new ones: some would be in here.
          const received = await consume(secondBatch.length)
          t.same(
            received.map((m) => m.value).sort(),
            secondBatch.map((m) => m.value).sort(),
            'exactly the second batch',
          )
        },
      )
    },
  )
}

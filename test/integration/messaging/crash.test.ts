// The relay killed (SIGKILL) after the broker acknowledged a batch and before its checkpoint
// moved: the next relay sends that batch again. Only duplicates appear, and ce_id removes them.
import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { loadRelayCheckpoint } from '../../../src/messaging/index.js'
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
  'a relay killed between publish and checkpoint leaves only duplicates, removed by ce_id',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    await appendMany(log, 5, 20)
    const all = await everyEvent(log)

    const child = spawn(
      process.execPath,
      ['--import=tsx', path.join(import.meta.dirname, 'relay-process.ts'), log.url],
      {
        env: {
          ...process.env,
          RELAY_KAFKA: JSON.stringify(kafka),
          BATCH_SIZE: '20',
          KILL_AFTER_BATCHES: '2',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    )
    const exit = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    )
    t.equal(exit, 'SIGKILL', 'the relay process was killed')
    const checkpoint = await loadRelayCheckpoint(log.db, 'kafka')
    t.equal(checkpoint.eventsPublished, 20, 'only the first batch was checkpointed')

    startRelay(t, { log, kafka, batchSize: 20 })
    const collector = await collect(t, kafka)
    await waitFor(
      () => collector.events.length >= all.length,
      () => `${collector.events.length} of ${all.length} events`,
    )
    t.same(
      collector.events.map((e) => e.id).sort(),
      all.map((e) => e.eventId).sort(),
      'every event arrived once after dedupe',
    )
    t.same(inStreamOrder(collector.events), [], 'each stream in version order')
    await waitFor(
      () => collector.raw >= all.length + 20,
      () => `${collector.raw} messages`,
    )
    t.equal(collector.raw, all.length + 20, 'the second batch came twice')
  },
)

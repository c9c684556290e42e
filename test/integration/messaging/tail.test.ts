// `entente events tail` as a user runs it: prints each event of the stream once as a JSON line.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { createInterface } from 'node:readline'
import t from 'tap'
import { openTestPostgres } from '../../helpers/postgres.js'
import { appendMany, brokerRequired, kafkaFor, startRelay, waitFor } from './kafka.js'

const needsBroker = brokerRequired(t)
const bin = path.resolve(import.meta.dirname, '../../../bin/entente.js')

t.test(
  'events tail --from-beginning --type prints the events of that type once',
  needsBroker,
  async (t) => {
    const log = await openTestPostgres(t)
    const kafka = kafkaFor(t)
    await appendMany(log, 3, 4)
    await log.append('call-tail-1', [
      { eventId: crypto.randomUUID(), type: 'CallRecorded', data: { callId: 'tail-1' } },
    ])
    startRelay(t, { log, kafka })

    const child = spawn(
      process.execPath,
      [bin, 'events', 'tail', '--from-beginning', '--type', 'VisitRescheduled'],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: kafka.brokers.join(','),
          KAFKA_TOPIC_PREFIX: kafka.topicPrefix,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    const exited = new Promise((resolve) => child.on('exit', resolve))
    t.teardown(() => {
      child.kill('SIGKILL')
    })
    const lines: { type: string; streamId: string }[] = []
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)))
    await waitFor(
      () => lines.length >= 12,
      () => `${lines.length} of 12 lines`,
    )
    child.kill('SIGINT')
    t.equal(await exited, 0, 'SIGINT ends it cleanly')
    t.equal(lines.length, 12, 'twelve events, once each')
    t.ok(
      lines.every((l) => l.type === 'VisitRescheduled'),
      'only the type asked for',
    )
  },
)

// A relay in a process of its own, for the test that kills it between publishing a batch and
// moving the checkpoint: node --import=tsx relay-process.ts <database url>. Kafka settings come
// from RELAY_KAFKA (JSON); after KILL_AFTER_BATCHES acknowledged batches it SIGKILLs itself
// before that batch's checkpoint is written.
import { openPostgres } from '../../../src/eventstore/index.js'
import { KafkaRelay } from '../../../src/messaging/index.js'

const log = openPostgres({ connectionString: process.argv[2]! })
const killAfter = Number(process.env.KILL_AFTER_BATCHES ?? 1)
let batches = 0
new KafkaRelay({
  log,
  kafka: JSON.parse(process.env.RELAY_KAFKA!),
  batchSize: Number(process.env.BATCH_SIZE ?? 20),
  onPublished: () => {
    batches++
    if (batches >= killAfter) process.kill(process.pid, 'SIGKILL')
  },
}).start()

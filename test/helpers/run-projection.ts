// A projection runner in a process of its own, for tests that kill it: node --import=tsx
// test/helpers/run-projection.ts <database url>. Prints "active" once it holds the lock.
import { openPostgres } from '../../src/eventstore/index.js'
import { ProjectionRunner } from '../../src/projections/runner.js'
import { countingProjection } from './counting-projection.js'

const log = openPostgres({ connectionString: process.argv[2]! })
const runner = new ProjectionRunner({
  log,
  projection: countingProjection(),
  batchSize: Number(process.env.BATCH_SIZE ?? 50),
  standbyIntervalMs: 100,
}).start()
const timer = setInterval(() => {
  if (runner.role === 'active') {
    console.log('active')
    clearInterval(timer)
  }
}, 20)
process.on('SIGTERM', async () => {
  await runner.stop()
  await log.close()
  process.exit(0)
})

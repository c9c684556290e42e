import type { Command } from 'commander'
import type { EventLogConnection } from '../eventstore/index.js'
import { PROJECTIONS } from '../projections/index.js'
import { ProjectionRunner } from '../projections/runner.js'
import { projectionReports, requestRebuild } from '../projections/status.js'
import { loadConfig } from './config.js'
import { openEventLog } from './event-log.js'
import { startProjections } from './projections.js'
import { createLogger } from './serve.js'

const silent = { info() {}, warn() {}, error() {} }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function withLog<T>(run: (log: EventLogConnection) => Promise<T>): Promise<T> {
  const log = await openEventLog(loadConfig().database)
  try {
    return await run(log)
  } finally {
    await log.close()
  }
}

/** Prints every projection's status, version, generation, lag and error. */
export async function printStatus(log: EventLogConnection): Promise<void> {
  const reports = await projectionReports(log.db, PROJECTIONS)
  console.log('projection           status       version  generation  applied   lag (events, s)')
  for (const r of reports) {
    console.log(
      `${r.name.padEnd(20)} ${r.status.padEnd(12)} ${`${r.version ?? '-'}/${r.codeVersion}`.padEnd(8)} ${String(r.generation ?? '-').padEnd(11)} ${String(r.eventsApplied).padEnd(9)} ${r.lag.events}, ${r.lag.seconds.toFixed(1)}`,
    )
    if (r.error) console.log(`  error: ${JSON.stringify(r.error)}`)
    if (r.rebuild)
      console.log(
        `  rebuilding generation ${r.rebuild.generation}: ${r.rebuild.eventsDone} events done`,
      )
  }
}

/**
 * Rebuilds a projection from the log. The request is recorded in the store: the active
 * runner, in the service or here when no service runs, does the work; this command follows
 * its progress (events done, rate, time left) until readers are switched to the new model.
 */
export async function rebuild(log: EventLogConnection, name: string): Promise<boolean> {
  const projection = PROJECTIONS.find((p) => p.name === name)
  if (!projection) {
    console.error(`no projection ${name}; there are ${PROJECTIONS.map((p) => p.name).join(', ')}`)
    return false
  }
  const before = (await projectionReports(log.db, [projection]))[0]!
  await requestRebuild(log.db, projection)
  const runner = new ProjectionRunner({
    log,
    projection,
    logger: silent,
    standbyIntervalMs: 500,
  }).start()
  const total = Number(
    (
      await log.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
  const started = Date.now()
  let lastDone = -1
  try {
    for (;;) {
      await sleep(500)
      const row = await log.db
        .selectFrom('projections')
        .selectAll()
        .where('name', '=', name)
        .executeTakeFirstOrThrow()
      const done = Number(row.rebuild_events_done ?? 0)
      if (row.status === 'failed') {
        console.error(`rebuild of ${name} stopped: ${JSON.stringify(row.error)}`)
        return false
      }
      if (
        !row.rebuild_requested &&
        row.status === 'running' &&
        row.active_generation !== before.generation
      ) {
        console.log(
          `rebuilt ${name}: generation ${row.active_generation}, ${row.events_applied} events in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        )
        return true
      }
      if (done !== lastDone && row.status === 'rebuilding') {
        const seconds = (Date.now() - started) / 1000
        const rate = done / Math.max(seconds, 0.001)
        const left = rate > 0 ? Math.max(0, total - done) / rate : 0
        console.log(
          `${name}: ${done}/${total} events, ${Math.round(rate)} events/s, ${left.toFixed(0)} s left${runner.role === 'active' ? '' : ' (running in another process)'}`,
        )
        lastDone = done
      }
    }
  } finally {
    await runner.stop()
  }
}

/**
 * Runs the read-model runners in this process until SIGTERM or SIGINT, for a service whose API
 * instances leave them to others (`PROJECTIONS=off`). As everywhere, the one holding a
 * projection's lock works on it and the others stand by; stopping finishes the batch in hand
 * and gives the locks back.
 */
export async function runProjections(): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config)
  const log = await openEventLog(config.database, (error) =>
    logger.warn({ err: error }, 'event notifications lost; reconnecting'),
  )
  const running = startProjections(log, logger, {
    batchIntervalMs: config.projectionBatchIntervalMs,
  })
  logger.info({ projections: running.runners.map((r) => r.name) }, 'projection runners started')
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.once('SIGINT', resolve)
  })
  await running.stop()
  await log.close()
  logger.info('projection runners stopped')
}

/** `entente projections status | rebuild <name> | run`. */
export function addProjectionCommands(program: Command, environmentHelp: string): void {
  const projections = program
    .command('projections')
    .description('the read models: their status, and rebuilding one from the log')
    .addHelpText('after', environmentHelp)
  projections
    .command('status')
    .description("every projection's status, version, generation and lag behind the log")
    .action(() => withLog(printStatus))
  projections
    .command('rebuild <name>')
    .description('rebuild a projection from the log beside the live one, then switch readers to it')
    .action(async (name: string) => {
      const ok = await withLog((log) => rebuild(log, name))
      if (!ok) process.exitCode = 1
    })
  projections
    .command('run')
    .description(
      'run the read-model runners until stopped, for API instances started with PROJECTIONS=off',
    )
    .action(runProjections)
}

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import {
  type EventLogConnection,
  migrateToLatest,
  openPglite,
  openPostgres,
  type SettledLogClock,
  settleLogClock,
} from '../eventstore/index.js'
import type { Config } from './config.js'

/** The data folder of the embedded store is in use by another process. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the data folder ${dataDir} is in use by process ${pid}: stop that process first ` +
        '(the embedded store belongs to one process at a time), or use DATABASE_URL',
    )
    this.name = 'DataDirInUseError'
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Claims the embedded store's folder for this process with a lock file holding our pid.
 * PGlite itself does not stop a second process from opening the same folder, which would
 * corrupt it. A lock left by a process that died is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true })
  const lockPath = path.join(dataDir, '..', `${path.basename(dataDir)}.lock`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(lockPath, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const pid = Number(readFileSync(lockPath, 'utf8'))
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid))
        throw new DataDirInUseError(dataDir, pid)
      rmSync(lockPath, { force: true })
    }
  }
  throw new Error(`could not lock ${dataDir}`)
}

/**
 * Opens the configured event log (Postgres or embedded PGlite), migrates it and settles its
 * clock: when the log was restored from another server, `onRestored` is told (see
 * `settleLogClock`).
 */
export async function openEventLog(
  config: Config['database'],
  onListenError?: (error: Error) => void,
  onRestored?: (clock: SettledLogClock) => void,
): Promise<EventLogConnection> {
  let log: EventLogConnection
  if (config.kind === 'postgres') {
    log = openPostgres({
      connectionString: config.url,
      poolSize: config.poolSize,
      connectTimeoutMs: config.connectTimeoutMs,
      onListenError,
    })
  } else {
    const unlock = lockDataDir(config.dataDir)
    try {
      const pglite = await openPglite({ dataDir: config.dataDir })
      log = {
        ...pglite,
        close: async () => {
          await pglite.close()
          unlock()
        },
      }
    } catch (error) {
      unlock()
      throw error
    }
  }
  try {
    await migrateToLatest(log.db)
    const clock = await settleLogClock(log.db)
    if (clock.restored) onRestored?.(clock)
  } catch (error) {
    await log.close()
    throw error
  }
  return log
}

/** A cheap round trip, for readiness. */
export async function pingDatabase(log: EventLogConnection): Promise<void> {
  await sql`select 1`.execute(log.db)
}

/** The operator's message when the log was found restored from another server. */
export function restoredMessage(clock: SettledLogClock): string {
  return (
    `the event log was restored from another server (${clock.previousSystemIdentifier ?? 'unknown'}` +
    ` -> ${clock.systemIdentifier}): its transaction ids now continue above the restored ones` +
    ` (offset ${clock.offset})`
  )
}

import { execFile } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Test } from 'tap'

const run = promisify(execFile)

/** The directory of the server binaries (initdb, pg_ctl, pg_dump, pg_restore). */
async function binDir(): Promise<string> {
  const { stdout } = await run('pg_config', ['--bindir'])
  return stdout.trim()
}

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}

/**
 * Postgres refuses to run as root: as root, the server programs run as the `postgres` user,
 * which then owns the data directory.
 */
function asServerUser(program: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
    : [program, args]
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string
  readonly port: number
  readonly dataDir: string
  /** The directory of the server binaries, for pg_dump and pg_restore of the same version. */
  readonly bin: string
  /** Fast shutdown: open sessions are ended, as in an orderly restart. */
  stop(): Promise<void>
  /** Starts again on the same port with the same data. */
  start(): Promise<void>
  /** An immediate shutdown (no checkpoint), as in a crash; start() recovers from the WAL. */
  kill(): Promise<void>
}

/**
 * A Postgres server of this test's own (initdb in a temporary directory, its own port), so that
 * stopping, killing or restoring into it disturbs no other suite on the machine's server. Its
 * transaction ids start afresh, as on any new server. Stopped and deleted at teardown.
 */
export async function ownPostgres(t: Test): Promise<PrivatePostgres> {
  const bin = await binDir()
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'entente-pg-'))
  const logFile = `${dataDir}.log`
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const uid = Number(stdout.trim())
    chownSync(dataDir, uid, uid)
  }
  const port = await freePort()
  const pg = async (program: string, args: string[]) => {
    const [command, argv] = asServerUser(path.join(bin, program), args)
    await run(command, argv)
  }
  await pg('initdb', ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--no-sync'])
  // Unix sockets go to the data directory: no clash with the machine's server in /var/run.
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`
  const start = () => pg('pg_ctl', ['-D', dataDir, '-o', options, '-l', logFile, '-w', 'start'])
  const stop = () => pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
  await start()
  let stopped = false
  t.teardown(async () => {
    if (!stopped) await stop().catch(() => undefined)
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(logFile, { force: true })
  })
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    bin,
    start: async () => {
      await start()
      stopped = false
    },
    stop: async () => {
      await stop()
      stopped = true
    },
    kill: async () => {
      await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])
      stopped = true
    },
  }
}

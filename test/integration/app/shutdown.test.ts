import { spawn } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import pg from 'pg'
import t from 'tap'
import { bearer, TEST_ADMIN_KEY } from '../../helpers/api-keys.js'
import { createTestDatabase } from '../../helpers/postgres.js'

const root = path.resolve(import.meta.dirname, '../../..')

/** Resolves with `promise`, or fails after `ms` naming what it waited for. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** `entente serve` in a process of its own, on a database of the test's own. */
function serve(url: string) {
  const child = spawn('node', ['bin/entente.js', 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: '',
      PORT: '0',
      LOG_LEVEL: 'info',
      ENTENTE_ADMIN_KEY: TEST_ADMIN_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"entente is serving"/.exec(output)
      if (match) resolve(match[1]!)
    })
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
  return { child, listening, exited, output: () => output }
}

/**
 * A request that the server has begun (it read the headers and said 100 Continue) and that
 * cannot finish until `finish()` sends its body: in flight for as long as the test wants,
 * with nothing held in the database.
 */
function startSlowRequest(url: string, path: string, body: string) {
  const request = http.request(`${url}${path}`, {
    method: 'POST',
    headers: {
      ...bearer(TEST_ADMIN_KEY),
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      expect: '100-continue',
    },
  })
  const continued = new Promise<void>((resolve) => request.once('continue', () => resolve()))
  const answered = new Promise<{ status: number; connection?: string; body: string }>(
    (resolve, reject) => {
      request.once('error', reject)
      request.once('response', (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            connection: response.headers.connection,
            body: text,
          }),
        )
      })
    },
  )
  request.flushHeaders()
  return { continued, answered, finish: () => request.end(body) }
}

t.test(
  'on SIGTERM the service finishes the request in flight, refuses new ones, stops its runners and exits',
  async (t) => {
    const url = await createTestDatabase(t)
    const service = serve(url)
    t.teardown(() => {
      if (service.child.exitCode === null) service.child.kill('SIGKILL')
    })
    const base = await within('the service to listen', 90_000, service.listening)
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    t.teardown(() => db.end())
    const sessions = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()`,
        )
      ).rows[0]!.n
    const advisoryLocks = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from pg_locks l join pg_database d on d.oid = l.database
            where l.locktype = 'advisory' and d.datname = current_database()`,
        )
      ).rows[0]!.n
    // The runners hold their projections' locks once they are active.
    const deadline = Date.now() + 60_000
    while ((await advisoryLocks()) === 0) {
      if (Date.now() > deadline) throw new Error('the runners never took their locks')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    const slow = startSlowRequest(
      base,
      '/v1/admin/keys',
      JSON.stringify({ name: 'created while shutting down', scopes: ['read'] }),
    )
    await within('100 Continue', 30_000, slow.continued)
    service.child.kill('SIGTERM')

    // The listener closes at once; the request in flight keeps the process up.
    const refusedBy = Date.now() + 30_000
    for (;;) {
      const refused = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(5_000) })
        .then(() => false)
        .catch((error: Error) => /ECONNREFUSED/.test(String(error.cause ?? error)))
      if (refused) break
      if (Date.now() > refusedBy) throw new Error('new connections were still accepted')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    t.pass('a new connection is refused')
    t.equal(service.child.exitCode, null, 'the process waits for the request in flight')

    slow.finish()
    const answer = await within('the answer in flight', 30_000, slow.answered)
    t.equal(answer.status, 201, 'the request in flight is answered')
    t.match(JSON.parse(answer.body), { name: 'created while shutting down', scopes: ['read'] })
    t.equal(answer.connection, 'close', 'and its connection ends with it')

    const code = await within('the process to exit', 30_000, service.exited)
    t.equal(code, 0, 'it exits on its own, not killed by the 10 s grace timeout')
    t.match(service.output(), /"msg":"shutting down"/)
    t.equal(await advisoryLocks(), 0, 'the runners released their locks')
    t.equal(await sessions(), 0, 'no session of the service is left: runners and pool closed')
    const keys = await db.query('select name from api_keys')
    t.same(keys.rows, [{ name: 'created while shutting down' }], 'its write was committed')
  },
)

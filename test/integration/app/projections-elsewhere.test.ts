import { spawn } from 'node:child_process'
import path from 'node:path'
import t from 'tap'
import { commandExample } from '../../../src/api/schemas/examples.js'
import { bearer, TEST_ADMIN_KEY } from '../../helpers/api-keys.js'
import { createTestDatabase } from '../../helpers/postgres.js'

const root = path.resolve(import.meta.dirname, '../../..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `entente <args>` in a process of its own, its output kept. */
function entente(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('node', ['bin/entente.js', ...args], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: '', LOG_LEVEL: 'info', ...env },
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
  return { child, exited, output: () => output }
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

t.test(
  'an API started with PROJECTIONS=off leaves the read models to `entente projections run`',
  async (t) => {
    const url = await createTestDatabase(t)
    const api = entente(['serve'], {
      DATABASE_URL: url,
      PORT: '0',
      ENTENTE_ADMIN_KEY: TEST_ADMIN_KEY,
      PROJECTIONS: 'off',
    })
    t.teardown(() => {
      api.child.kill('SIGKILL')
    })
    const base = await waitFor('the API to listen', 60_000, async () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"entente is serving"/.exec(api.output())
      if (api.child.exitCode !== null) throw new Error(`serve exited:\n${api.output()}`)
      return match?.[1]
    })
    const { visitId: _, ...body } = commandExample('ScheduleVisit')![0]!
    const posted = await fetch(`${base}/v1/visits`, {
      method: 'POST',
      headers: { ...bearer(TEST_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    t.equal(posted.status, 201, 'the command is accepted')
    const location = posted.headers.get('location')!
    const read = () => fetch(`${base}${location}`, { headers: bearer(TEST_ADMIN_KEY) })

    // Nothing projects it yet: no runner is in the API's process.
    await sleep(1_500)
    t.equal((await read()).status, 404, 'no read model has the visit while no runner runs')
    const ready = await fetch(`${base}/health/ready`)
    t.equal(ready.status, 200, 'the API is ready without runners of its own')

    const runners = entente(['projections', 'run'], { DATABASE_URL: url })
    t.teardown(() => {
      runners.child.kill('SIGKILL')
    })
    const visit = await waitFor('the visit in the read model', 60_000, async () => {
      if (runners.child.exitCode !== null) throw new Error(`runners exited:\n${runners.output()}`)
      const response = await read()
      return response.ok ? ((await response.json()) as { visitId: string }) : undefined
    })
    t.equal(`/v1/visits/${visit.visitId}`, location, 'the runners in the other process built it')

    runners.child.kill('SIGTERM')
    t.equal(await runners.exited, 0, 'the runners stop cleanly on SIGTERM')
    t.match(runners.output(), /projection runners stopped/)
    api.child.kill('SIGTERM')
    t.equal(await api.exited, 0)
  },
)

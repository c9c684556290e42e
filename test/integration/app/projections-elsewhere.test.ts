import { spawn } from 'node:child_process'
import path from 'node:path'
import t, { type Test } from 'tap'
import { commandExample } from '../../../src/api/schemas/examples.js'
import { bearer, TEST_ADMIN_KEY } from '../../helpers/api-keys.js'
import { createTestDatabase } from '../../helpers/postgres.js'
import { startService, waitUntil } from '../../resilience/service.js'

const root = path.resolve(import.meta.dirname, '../../..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `entente projections run` in a process of its own, its output kept, killed at teardown. */
function projectionsRun(t: Test, url: string) {
  const child = spawn(process.execPath, ['bin/entente.js', 'projections', 'run'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, KAFKA_BROKERS: '', LOG_LEVEL: 'info' },
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
  t.teardown(() => {
    child.kill('SIGKILL')
  })
  return { child, exited, output: () => output }
}

t.test(
  'an API started with PROJECTIONS=off leaves the read models to `entente projections run`',
  async (t) => {
    const url = await createTestDatabase(t)
    const api = await startService(t, 'api', { DATABASE_URL: url, PROJECTIONS: 'off' })
    const { visitId: _, ...body } = commandExample('ScheduleVisit')![0]!
    const posted = await fetch(`${api.url}/v1/visits`, {
      method: 'POST',
      headers: { ...bearer(TEST_ADMIN_KEY), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    t.equal(posted.status, 201, 'the command is accepted')
    const location = posted.headers.get('location')!
    const read = () => fetch(`${api.url}${location}`, { headers: bearer(TEST_ADMIN_KEY) })

    // Nothing projects it yet: no runner is in the API's process.
    await sleep(1_500)
    t.equal((await read()).status, 404, 'no read model has the visit while no runner runs')
    const ready = await fetch(`${api.url}/health/ready`)
    t.equal(ready.status, 200, 'the API is ready without runners of its own')

    const runners = projectionsRun(t, url)
    let visit: { visitId: string } | undefined
    await waitUntil(
      async () => {
        const response = await read()
        if (response.ok) visit = (await response.json()) as { visitId: string }
        return visit !== undefined
      },
      () => `the visit in the read model; the runners said:\n${runners.output()}`,
      60_000,
    )
    t.equal(`/v1/visits/${visit!.visitId}`, location, 'the runners in the other process built it')

    runners.child.kill('SIGTERM')
    t.equal(await runners.exited, 0, 'the runners stop cleanly on SIGTERM')
    t.match(runners.output(), /projection runners stopped/)
    process.kill(api.pid, 'SIGTERM')
    t.equal(await api.exited, 0)
  },
)

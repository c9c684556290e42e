import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'

const root = path.resolve(import.meta.dirname, '../..')

/** Starts `npm start` as a user would, on a fresh embedded store and a free port. */
function start(env: NodeJS.ProcessEnv) {
  const child = spawn('node', ['bin/entente.js', 'serve'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 90_000)
    child.stdout.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"entente is serving"/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, listening, exited, output: () => output }
}

t.test(
  'the service starts on the embedded store with no other service, answers, and stops cleanly on SIGTERM',
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'entente-start-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const dataDir = path.join(dir, 'pglite')
    const service = start({ ENTENTE_DATA_DIR: dataDir, PORT: '0' })
    t.teardown(() => service.child.kill('SIGKILL'))
    const url = await service.listening

    const live = await fetch(`${url}/health/live`)
    t.equal(live.status, 200)
    t.same(await live.json(), { status: 'ok' })
    const ready = await fetch(`${url}/health/ready`)
    t.equal(ready.status, 200)

    // A second process may not open the same data folder.
    const second = spawn('node', ['bin/entente.js', 'migrate'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', ENTENTE_DATA_DIR: dataDir },
    })
    let secondErr = ''
    second.stderr.on('data', (c) => {
      secondErr += c
    })
    const secondCode = await new Promise((resolve) => second.on('exit', resolve))
    t.equal(secondCode, 2)
    t.match(secondErr, /in use by process/)

    service.child.kill('SIGTERM')
    t.equal(await service.exited, 0, 'exits 0 after a graceful shutdown')
    t.match(service.output(), /shutting down/)
    t.notOk(existsSync(`${dataDir}.lock`), 'the data folder is released')
  },
)

t.test('a bad variable stops the start with a message that names it', async (t) => {
  const service = start({ PORT: 'eighty' })
  await t.rejects(service.listening, /PORT: must be a whole number/)
  t.equal(await service.exited, 2)
})

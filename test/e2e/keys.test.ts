import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { createTestDatabase } from '../helpers/postgres.js'

const root = path.resolve(import.meta.dirname, '../..')
const BASE_ENV = { DATABASE_URL: '', KAFKA_BROKERS: '', ENTENTE_ADMIN_KEY: '', ENTENTE_API_KEY: '' }

/** Runs `entente <args>` to its end. */
function entente(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('node', ['bin/entente.js', ...args], {
    cwd: root,
    env: { ...process.env, ...BASE_ENV, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => {
    stdout += c
  })
  child.stderr.on('data', (c) => {
    stderr += c
  })
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  )
}

/** Starts the service and waits until it listens; its whole output is kept. */
async function serve(env: NodeJS.ProcessEnv) {
  const child = spawn('node', ['bin/entente.js', 'serve'], {
    cwd: root,
    env: { ...process.env, ...BASE_ENV, PORT: '0', ...env },
  })
  let output = ''
  child.stdout.on('data', (c) => {
    output += c
  })
  child.stderr.on('data', (c) => {
    output += c
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 90 s:\n${output}`)), 90_000)
    child.stdout.on('data', () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"entente is serving"/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
  const stop = async () => {
    child.kill('SIGTERM')
    return exited
  }
  return { url, output: () => output, stop, child }
}

t.test(
  'a first start on the embedded store prints an admin key once; keys are managed through the running service, then directly',
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'entente-keys-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const env = { ENTENTE_DATA_DIR: path.join(dir, 'pglite') }
    const first = await serve(env)
    t.teardown(() => first.child.kill('SIGKILL'))
    const printed =
      /First start: created the admin API key ([0-9a-f]{12})[^\n]*\n\n {2}(ent_\S+)/.exec(
        first.output(),
      )
    t.ok(printed, 'the first admin key is printed')
    const adminKey = printed![2]!
    const list = await fetch(`${first.url}/v1/admin/keys`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    t.equal(list.status, 200, 'the printed key is an admin key')
    t.equal((await fetch(`${first.url}/v1/admin/keys`)).status, 401, 'no key, no access')

    const port = new URL(first.url).port
    const refused = await entente(['keys', 'list'], { ...env, PORT: port })
    t.equal(refused.code, 2, 'without a key the CLI cannot reach the held store')
    t.match(refused.stderr, /in use by process .*set ENTENTE_API_KEY/s)

    const created = await entente(
      ['keys', 'create', '--name', 'importer', '--scope', 'commands:write', 'read'],
      { ...env, PORT: port, ENTENTE_API_KEY: adminKey },
    )
    t.equal(created.code, 0, created.stderr)
    const importerKey = created.stdout.trim()
    t.match(importerKey, /^ent_[0-9a-f]{12}_/)
    const id = importerKey.slice(4, 16)
    const listed = await entente(['keys', 'list'], {
      ...env,
      PORT: port,
      ENTENTE_API_KEY: adminKey,
    })
    t.match(listed.stdout, new RegExp(`${id}  commands:write,read .*active .*importer`))
    t.notMatch(listed.stdout, importerKey.slice(17), 'the secret is never listed')

    t.equal(await first.stop(), 0)
    t.equal(
      first.output().split(adminKey).length - 1,
      1,
      'the admin key appears once in the output, never in the logs',
    )

    const revoked = await entente(['keys', 'revoke', id], env)
    t.equal(revoked.code, 0, 'with the service stopped, the CLI opens the store itself')
    t.match(revoked.stdout, /revoked/)

    const second = await serve(env)
    t.teardown(() => second.child.kill('SIGKILL'))
    t.notMatch(second.output(), /First start/, 'the first key is created only once')
    const importer = await fetch(`${second.url}/v1/admin/keys`, {
      headers: { authorization: `Bearer ${importerKey}` },
    })
    t.equal(importer.status, 401, 'the revoked key is refused')
    t.equal(await second.stop(), 0)
  },
)

t.test(
  'on Postgres the CLI works beside the service; ENTENTE_ADMIN_KEY opens the API and is never logged',
  async (t) => {
    const url = await createTestDatabase(t)
    const adminKey = 'automation-admin-key-0123456789-abcdefghij'
    const env = { DATABASE_URL: url, ENTENTE_ADMIN_KEY: adminKey, LOG_LEVEL: 'debug' }
    const service = await serve(env)
    t.teardown(() => service.child.kill('SIGKILL'))
    t.notMatch(service.output(), /First start/, 'no key is created on Postgres')

    const created = await entente(
      ['keys', 'create', '--name', 'auditor', '--scope', 'audit:read'],
      {
        DATABASE_URL: url,
      },
    )
    t.equal(created.code, 0, created.stderr)
    const auditorKey = created.stdout.trim()

    const asAuditor = await fetch(`${service.url}/v1/admin/keys`, {
      headers: { authorization: `Bearer ${auditorKey}` },
    })
    t.equal(asAuditor.status, 403, 'the key made by the CLI is known to the service')
    const asAdmin = await fetch(`${service.url}/v1/admin/keys`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    t.equal(asAdmin.status, 200)
    t.equal(((await asAdmin.json()) as { items: unknown[] }).items.length, 1)

    const bad = await entente(['keys', 'create', '--name', 'x', '--scope', 'everything'], {
      DATABASE_URL: url,
    })
    t.not(bad.code, 0, 'an unknown scope is refused')
    t.match(bad.stderr, /everything/)

    t.equal(await service.stop(), 0)
    t.notMatch(service.output(), adminKey, 'the admin key is never logged')
    t.notMatch(service.output(), auditorKey, 'nor is a key sent in a request')
  },
)

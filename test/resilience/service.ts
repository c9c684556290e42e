// The service as an operator runs it: `node bin/entente.js serve` in a process of its own,
// configured by environment, on a free port. Every process started here is killed at teardown
// (and when the test process exits), whatever happened in between.
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import type { Test } from 'tap'
import { TEST_ADMIN_KEY } from '../helpers/api-keys.js'

const root = path.resolve(import.meta.dirname, '../..')

/** The admin key the processes are given (ENTENTE_ADMIN_KEY). */
export const ADMIN_KEY = TEST_ADMIN_KEY
export const authorization = { authorization: `Bearer ${ADMIN_KEY}` }

const living = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of living) child.kill('SIGKILL')
})

export interface ServiceProcess {
  readonly name: string
  readonly pid: number
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** Resolves with the exit code (or signal) when the process has ended. */
  readonly exited: Promise<number | NodeJS.Signals | null>
  /** Everything it wrote (JSON log lines on stdout, anything on stderr). */
  output(): string
  /** Null while it runs; its exit code or signal once it ended. */
  exitCode(): number | NodeJS.Signals | null
  /** SIGKILL, as in a crash: no shutdown hook runs. Resolves once the process is gone. */
  kill9(): Promise<void>
}

/**
 * Starts `entente serve` with `env` on top of a quiet, unthrottled configuration and waits
 * (90 s at most) until it listens.
 */
export async function startService(
  t: Test,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['bin/entente.js', 'serve'], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: '',
      PORT: '0',
      LOG_LEVEL: 'info',
      ENTENTE_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_PER_KEY: '10000000',
      RATE_LIMIT_PER_ADDRESS: '10000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  living.add(child)
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.on('exit', (code, signal) => {
      living.delete(child)
      resolve(code ?? signal)
    }),
  )
  t.teardown(async () => {
    if (!living.has(child)) return
    child.kill('SIGKILL')
    await exited
  })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${name} did not listen within 90 s:\n${output}`))
    }, 90_000)
    const look = () => {
      const match = /"url":"(http:\/\/[^"]+)","msg":"entente is serving"/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', look)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${code}) before listening:\n${output}`))
    })
  })
  return {
    name,
    pid: child.pid!,
    url,
    exited,
    output: () => output,
    exitCode: () => child.exitCode ?? child.signalCode ?? null,
    async kill9() {
      child.kill('SIGKILL')
      await exited
    },
  }
}

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in tests
type Body = any

/** A GET with the admin key; the body parsed when it is JSON. */
export async function get(
  url: string,
  timeoutMs = 10_000,
): Promise<{ status: number; type: string; body: Body }> {
  const response = await fetch(url, {
    headers: authorization,
    signal: AbortSignal.timeout(timeoutMs),
  })
  const type = response.headers.get('content-type') ?? ''
  const text = await response.text()
  return { status: response.status, type, body: type.includes('json') ? JSON.parse(text) : text }
}

/** The samples of one metric in a Prometheus text exposition, by their label text. */
export function metric(text: string, name: string): Map<string, number> {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line)
    if (match?.[1] === name) samples.set(match[2] ?? '', Number(match[3]))
  }
  return samples
}

/** Resolves once `ready()` holds; fails with `describe()` after `timeoutMs`. */
export async function waitUntil(
  ready: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let ok = false
    try {
      ok = await ready()
    } catch {
      ok = false
    }
    if (ok) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

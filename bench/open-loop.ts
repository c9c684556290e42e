import http from 'node:http'
import type { LoadRequest, RequestKind } from './load-mix.js'

/**
 * An open-loop load generator: request i is due at start + i / rate, and is sent then whether
 * or not the earlier ones have been answered (on a keep-alive pool that opens more sockets
 * when all are busy). Latency is measured from the moment a request was due, not from when it
 * was written, so a slow server or a late client shows in the figures instead of silently
 * lowering the rate (the coordinated omission of closed-loop tools: autocannon, even with
 * `overallRate`, sends on a fixed set of connections only when one is free, and times from
 * the write).
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const TIMEOUT_MS = 30_000

export interface Outcome {
  kind: RequestKind
  route: string
  /** 0: no answer (connection error or timeout). */
  status: number
  /** From the moment the request was due to the end of its answer. */
  ms: number
  endedAt: number
}

export interface Target {
  port: number
  agent: http.Agent
  keys: Record<RequestKind, string>
}

export function keepAlivePool(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 512 })
}

/** Sends one request; resolves with its status (0 on error) and ETag, body read and dropped. */
function send(
  target: Target,
  request: LoadRequest,
): Promise<{ status: number; etag?: string; text: string }> {
  const body = request.body === undefined ? undefined : JSON.stringify(request.body)
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent: target.agent,
        host: '127.0.0.1',
        port: target.port,
        method: request.method,
        path: request.path,
        headers: {
          authorization: `Bearer ${target.keys[request.kind]}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(request.ifMatch ? { 'if-match': request.ifMatch } : {}),
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const failed = (res.statusCode ?? 0) >= 300
        let text = ''
        res.setEncoding('utf8')
        // Only a failure's body is kept, to tell what went wrong.
        res.on('data', (chunk: string) => {
          if (failed && text.length < 2_000) text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag, text }))
        res.on('error', () => resolve({ status: 0, text: 'response error' }))
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (error) => resolve({ status: 0, text: error.message }))
    req.end(body)
  })
}

export interface RunResult {
  outcomes: Outcome[]
  startedAt: number
  /** The latest any request was sent after its due time (the client's own lag). */
  maxSendDelayMs: number
  /** A few failed answers, for the log. */
  failures: string[]
}

/** Sends `rate` requests a second drawn from `next` for `seconds`, then waits for every answer. */
export async function openLoop(
  target: Target,
  next: () => LoadRequest,
  rate: number,
  seconds: number,
): Promise<RunResult> {
  const outcomes: Outcome[] = []
  const failures: string[] = []
  const pending: Promise<void>[] = []
  const startedAt = performance.now()
  const count = Math.round(rate * seconds)
  let maxSendDelayMs = 0
  for (let i = 0; i < count; i++) {
    const due = startedAt + (i * 1000) / rate
    const wait = due - performance.now()
    if (wait >= 1) await sleep(wait)
    maxSendDelayMs = Math.max(maxSendDelayMs, performance.now() - due)
    const request = next()
    pending.push(
      send(target, request).then(({ status, etag, text }) => {
        const endedAt = performance.now()
        outcomes.push({
          kind: request.kind,
          route: request.route,
          status,
          ms: endedAt - due,
          endedAt,
        })
        if ((status < 200 || status >= 300) && failures.length < 5)
          failures.push(`${request.method} ${request.path} → ${status} ${text.slice(0, 300)}`)
        request.done?.(status, etag)
      }),
    )
  }
  await Promise.all(pending)
  return { outcomes, startedAt, maxSendDelayMs, failures }
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

export interface Latency {
  requests: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export function latencyOf(outcomes: readonly Outcome[]): Latency {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b)
  return {
    requests: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  }
}

export interface Summary extends Latency {
  targetRate: number
  /** 2xx answers a second, from the first due time to the last answer (or the run's length). */
  achievedRate: number
  non2xx: number
  errors: number
  maxSendDelayMs: number
  byKind: Record<RequestKind, Latency>
  byRoute: Record<string, Latency & { non2xx: number }>
  statuses: Record<string, number>
}

export function summarise(run: RunResult, targetRate: number, seconds: number): Summary {
  const { outcomes } = run
  const ok = outcomes.filter((o) => o.status >= 200 && o.status < 300).length
  const lastEnd = outcomes.reduce((m, o) => Math.max(m, o.endedAt), run.startedAt)
  const elapsed = Math.max(seconds, (lastEnd - run.startedAt) / 1000)
  const group = <K extends string>(key: (o: Outcome) => K) => {
    const groups = new Map<K, Outcome[]>()
    for (const o of outcomes) {
      const list = groups.get(key(o))
      if (list) list.push(o)
      else groups.set(key(o), [o])
    }
    return groups
  }
  const statuses: Record<string, number> = {}
  for (const o of outcomes) statuses[o.status] = (statuses[o.status] ?? 0) + 1
  return {
    targetRate,
    achievedRate: ok / elapsed,
    ...latencyOf(outcomes),
    non2xx: outcomes.filter((o) => o.status !== 0 && (o.status < 200 || o.status >= 300)).length,
    errors: outcomes.filter((o) => o.status === 0).length,
    maxSendDelayMs: run.maxSendDelayMs,
    byKind: Object.fromEntries(
      [...group((o) => o.kind)].map(([k, os]) => [k, latencyOf(os)]),
    ) as Record<RequestKind, Latency>,
    byRoute: Object.fromEntries(
      [...group((o) => `${o.kind === 'command' ? 'POST' : 'GET'} ${o.route}`)].map(([k, os]) => [
        k,
        { ...latencyOf(os), non2xx: os.filter((o) => o.status < 200 || o.status >= 300).length },
      ]),
    ),
    statuses,
  }
}

// A small load client for the fault suites: workers that record the seed article again and
// again under new ids (ten commands on five aggregates per round) through the service's HTTP
// API, each round followed by a read, and that remember every answer: above all each 2xx
// acknowledgement (the stream, its version and the ids of the events the answer names), the
// record to check the log against after a fault.
import { seedRequests } from '../helpers/seed-http.js'
import { authorization } from './service.js'

/** A command the service acknowledged with a 2xx: what it says it appended. */
export interface Ack {
  streamId: string
  version: number
  events: { eventId: string; streamVersion: number; globalPosition: number }[]
  status: number
  via: string
  at: number
}

/** One request and its outcome: a status, or the failure of the request itself. */
export interface Outcome {
  kind: 'command' | 'read'
  via: string
  sentAt: number
  doneAt: number
  /** The HTTP status, or `error` when no answer came (refused, reset, timed out). */
  status: number | 'error'
  contentType: string
  /** The body of a 5xx answer, to check that it tells nothing of the internals. */
  body?: string
}

export interface LoadOptions {
  /** Base URLs of the service instances; requests go round them. */
  urls: string[]
  /** Concurrent workers (default 4). */
  workers?: number
  /** Pause between a worker's requests (default 20 ms). */
  pauseMs?: number
  /** A request with no answer after this long counts as failed (default 10 s). */
  timeoutMs?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class LoadClient {
  readonly acks: Ack[] = []
  readonly outcomes: Outcome[] = []
  urls: string[]
  readonly #workers: number
  readonly #pauseMs: number
  readonly #timeoutMs: number
  #running = false
  #loops: Promise<void>[] = []
  #turn = 0

  constructor(options: LoadOptions) {
    this.urls = options.urls
    this.#workers = options.workers ?? 4
    this.#pauseMs = options.pauseMs ?? 20
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  start(): this {
    this.#running = true
    this.#loops = Array.from({ length: this.#workers }, () => this.#work())
    return this
  }

  /** Stops sending and waits for the requests in flight to end. */
  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#loops)
  }

  /** Outcomes from `from` on (a time in ms since the epoch), of one kind. */
  since(from: number, kind?: Outcome['kind']): Outcome[] {
    return this.outcomes.filter((o) => o.sentAt >= from && (!kind || o.kind === kind))
  }

  /** Acknowledgements so far, every event id they name. */
  ackedEventIds(): string[] {
    return this.acks.flatMap((a) => a.events.map((e) => e.eventId))
  }

  /** Resolves once `count` more acknowledgements came in (or fails after `timeoutMs`). */
  async acknowledged(count: number, timeoutMs = 60_000): Promise<void> {
    const target = this.acks.length + count
    const deadline = Date.now() + timeoutMs
    while (this.acks.length < target) {
      if (Date.now() > deadline)
        throw new Error(
          `only ${this.acks.length} of ${target} acknowledgements within ${timeoutMs} ms`,
        )
      await sleep(50)
    }
  }

  async #work(): Promise<void> {
    while (this.#running) {
      for (const request of seedRequests()) {
        if (!this.#running) return
        await this.#send('command', 'POST', request.url, request.body)
        await sleep(this.#pauseMs)
        if (request.type === 'ScheduleVisit' && this.#running) {
          await this.#send('read', 'GET', `/v1/visits/${request.routed.id}`)
          await sleep(this.#pauseMs)
        }
      }
    }
  }

  async #send(kind: Outcome['kind'], method: string, path: string, body?: unknown) {
    const base = this.urls[this.#turn++ % this.urls.length]!
    const sentAt = Date.now()
    const outcome: Outcome = {
      kind,
      via: base,
      sentAt,
      doneAt: 0,
      status: 'error',
      contentType: '',
    }
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: body ? { ...authorization, 'content-type': 'application/json' } : authorization,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      const text = await response.text()
      outcome.status = response.status
      outcome.contentType = response.headers.get('content-type') ?? ''
      if (response.status >= 500) outcome.body = text
      if (kind === 'command' && response.status >= 200 && response.status < 300) {
        const result = JSON.parse(text)
        this.acks.push({
          streamId: result.streamId,
          version: result.version,
          events: result.events,
          status: response.status,
          via: base,
          at: Date.now(),
        })
      }
    } catch {
      // No answer: the outcome of a command is unknown (it may or may not have been appended).
      await sleep(50)
    }
    outcome.doneAt = Date.now()
    this.outcomes.push(outcome)
  }
}

/** Counts of outcomes by status. */
export function byStatus(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const o of outcomes) counts[String(o.status)] = (counts[String(o.status)] ?? 0) + 1
  return counts
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { Type } from 'typebox'
import type { DocumentCacheStats } from './document-cache.js'

/** A read model's progress, as the projection runners report it. */
export interface ProjectionLag {
  name: string
  status: string
  lagEvents: number
  lagSeconds: number
}

/** The Kafka relay's progress in this process (absent when the relay is off). */
export interface RelayStatus {
  state: string
  lagPositions: number
  lagSeconds: number
  published: number
  errors: number
}

/** Whether this process's runner of a read model holds its lock and keeps it up to date. */
export interface ProjectionRole {
  name: string
  active: boolean
}

export interface MetricsSources {
  projectionLag?: () => Promise<ProjectionLag[]>
  /** The runners of this process: which read models it keeps (the others stand by). */
  projectionRoles?: () => ProjectionRole[]
  relayStatus?: () => RelayStatus
  /** The documents this process keeps in memory for reads (absent when it keeps none). */
  documentCache?: () => DocumentCacheStats
}

/**
 * The service's Prometheus metrics, in a registry of its own (several apps in one process,
 * as in tests, do not mix their numbers). The composition root creates it and tells it of
 * appends; the app records request latencies and serves `/metrics`.
 */
export class ServiceMetrics {
  readonly registry = new Registry()
  readonly #requestDuration: Histogram<'method' | 'route' | 'status_code'>
  readonly #eventsAppended: Counter<never>
  readonly #projectionLagEvents: Gauge<'projection'>
  readonly #projectionLagSeconds: Gauge<'projection'>
  readonly #projectionStatus: Gauge<'projection' | 'status'>
  readonly #projectionActive: Gauge<'projection'>
  readonly #relayLagEvents: Gauge<never>
  readonly #relayLagSeconds: Gauge<never>
  readonly #relayState: Gauge<'state'>
  readonly #relayPublished: Counter<never>
  readonly #relayErrors: Counter<never>
  #relaySeen = { published: 0, errors: 0 }
  readonly #cacheReads: Counter<'result'>
  readonly #cacheDocuments: Gauge<never>
  readonly #cacheBytes: Gauge<never>
  #cacheSeen = { hits: 0, misses: 0 }

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry]
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry })
    this.#requestDuration = new Histogram({
      name: 'entente_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    })
    this.#eventsAppended = new Counter({
      name: 'entente_events_appended_total',
      help: 'Events appended to the log by this process (idempotent replays not counted)',
      registers,
    })
    this.#projectionLagEvents = new Gauge({
      name: 'entente_projection_lag_events',
      help: 'Committed events a read model has not applied yet',
      labelNames: ['projection'],
      registers,
    })
    this.#projectionLagSeconds = new Gauge({
      name: 'entente_projection_lag_seconds',
      help: 'Age of the oldest event a read model has not applied yet (0 when caught up)',
      labelNames: ['projection'],
      registers,
    })
    this.#projectionStatus = new Gauge({
      name: 'entente_projection_status',
      help: 'A read model’s status: 1 for the current one',
      labelNames: ['projection', 'status'],
      registers,
    })
    this.#projectionActive = new Gauge({
      name: 'entente_projection_active',
      help: 'A read model’s runner in this process: 1 when it holds the lock and applies events, 0 when it stands by',
      labelNames: ['projection'],
      registers,
    })
    this.#relayLagEvents = new Gauge({
      name: 'entente_relay_lag_events',
      help: 'Committed events the Kafka relay has not published yet',
      registers,
    })
    this.#relayLagSeconds = new Gauge({
      name: 'entente_relay_lag_seconds',
      help: 'Age of the oldest event the Kafka relay has not published yet',
      registers,
    })
    this.#relayState = new Gauge({
      name: 'entente_relay_state',
      help: 'The Kafka relay’s state: 1 for the current one',
      labelNames: ['state'],
      registers,
    })
    this.#relayPublished = new Counter({
      name: 'entente_relay_published_total',
      help: 'Events the Kafka relay in this process published',
      registers,
    })
    this.#relayErrors = new Counter({
      name: 'entente_relay_errors_total',
      help: 'Failed attempts of the Kafka relay in this process',
      registers,
    })
    this.#cacheReads = new Counter({
      name: 'entente_read_cache_reads_total',
      help: 'Reads of a current document: result="hit" answered from memory, "miss" from Postgres',
      labelNames: ['result'],
      registers,
    })
    this.#cacheDocuments = new Gauge({
      name: 'entente_read_cache_documents',
      help: 'Documents of the read models kept in memory for reads',
      registers,
    })
    this.#cacheBytes = new Gauge({
      name: 'entente_read_cache_bytes',
      help: 'Stored size of the documents kept in memory (what READ_CACHE_MB bounds)',
      registers,
    })
  }

  /** Counts events appended by a command (call after the append committed). */
  eventsAppended(count: number): void {
    if (count > 0) this.#eventsAppended.inc(count)
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.#requestDuration.observe({ method, route, status_code: statusCode }, seconds)
  }

  /** The exposition text, with lags read at this moment. */
  async render(sources: MetricsSources): Promise<string> {
    await this.#refresh(sources)
    return this.registry.metrics()
  }

  async #refresh(sources: MetricsSources): Promise<void> {
    for (const role of sources.projectionRoles?.() ?? [])
      this.#projectionActive.set({ projection: role.name }, role.active ? 1 : 0)
    const projections = (await sources.projectionLag?.()) ?? []
    this.#projectionStatus.reset()
    for (const p of projections) {
      this.#projectionLagEvents.set({ projection: p.name }, p.lagEvents)
      this.#projectionLagSeconds.set({ projection: p.name }, p.lagSeconds)
      this.#projectionStatus.set({ projection: p.name, status: p.status }, 1)
    }
    const cache = sources.documentCache?.()
    if (cache) {
      this.#cacheReads.inc({ result: 'hit' }, cache.hits - this.#cacheSeen.hits)
      this.#cacheReads.inc({ result: 'miss' }, cache.misses - this.#cacheSeen.misses)
      this.#cacheSeen = { hits: cache.hits, misses: cache.misses }
      this.#cacheDocuments.set(cache.documents)
      this.#cacheBytes.set(cache.bytes)
    }
    const relay = sources.relayStatus?.()
    if (!relay) return
    this.#relayLagEvents.set(relay.lagPositions)
    this.#relayLagSeconds.set(relay.lagSeconds)
    this.#relayState.reset()
    this.#relayState.set({ state: relay.state }, 1)
    // The relay reports running totals; a restarted relay starts again from zero.
    if (relay.published < this.#relaySeen.published || relay.errors < this.#relaySeen.errors)
      this.#relaySeen = { published: 0, errors: 0 }
    this.#relayPublished.inc(relay.published - this.#relaySeen.published)
    this.#relayErrors.inc(relay.errors - this.#relaySeen.errors)
    this.#relaySeen = { published: relay.published, errors: relay.errors }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** For routes that hijack their reply (onResponse does not run): record it yourself. */
    requestMetrics: ServiceMetrics
  }
}

/** Records every request's latency under its route template (see metricsRoutes). */
export function registerRequestMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.decorate('requestMetrics', metrics)
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    )
    done()
  })
}

/**
 * Records every request's latency under its route template (never the raw URL, which would
 * make a series per id), and serves `GET /metrics` to keys with the `metrics` scope.
 */
export const metricsRoutes: FastifyPluginAsyncTypebox<{
  metrics: ServiceMetrics
  sources: MetricsSources
}> = async (app, { metrics, sources }) => {
  app.get(
    '/metrics',
    {
      config: { scope: 'metrics' },
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics: request latency, appends, projection and relay lag',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.render(sources)),
  )
}

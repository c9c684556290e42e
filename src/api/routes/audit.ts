import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { type AggregateName, deciderFor } from '../../domain/deciders.js'
import { NotFoundError } from '../../domain/errors.js'
import { upcast } from '../../domain/upcasters.js'
import type { Source } from '../../domain/values/source.js'
import { LIMITS, type RecordedEvent, readStream, verify } from '../../eventstore/index.js'
import { etagOf } from '../commands.js'
import type { ApiDeps } from '../deps.js'
import { jsonDiff } from '../json-diff.js'
import { streamVersionAt } from '../reads.js'
import { AsOf, problems } from '../schemas/common.js'
import { eventJson, StreamEventPage, StreamHistory, VerifyReport } from '../schemas/events.js'
import { ETagHeader } from '../schemas/results.js'

const tags = ['audit']
const audit = { scope: 'audit:read' } as const

const StreamParams = Type.Object({
  streamId: Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,300}$',
    description: 'visit-<id>, call-<id>, meeting-<id>, statement-<id>, relationship-<A>-<B>',
  }),
})
const Paging = {
  from: Type.Integer({
    minimum: 1,
    maximum: LIMITS.streamVersion,
    default: 1,
    description: 'The first version to return',
  }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
}

/** The aggregate whose events a stream holds, by its id's prefix. */
const AGGREGATES: readonly AggregateName[] = [
  'visit',
  'call',
  'meeting',
  'statement',
  'relationship',
]
function aggregateOf(streamId: string): AggregateName | undefined {
  return AGGREGATES.find((a) => streamId.startsWith(`${a}-`))
}

/** Each event with the aggregate's state after it, folded from the first event. */
function statesAlong(streamId: string, events: readonly RecordedEvent[]): unknown[] {
  const aggregate = aggregateOf(streamId)
  if (!aggregate) return events.map(() => null)
  const decider = deciderFor(aggregate)
  let state = decider.initialState()
  return events.map((stored) => {
    const { data } = upcast(stored.type, stored.schemaVersion, stored.data)
    state = decider.evolve(state, { type: stored.type, data })
    return state
  })
}

const text = (value: unknown) => (typeof value === 'string' ? value : null)

/**
 * For auditors: a stream's events as stored, its history (for each version: the event, who
 * recorded it and when, on which sources, and what it changed), and the hash chain check.
 */
export const auditRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db } = deps.log

  app.get(
    '/v1/streams/:streamId/events',
    {
      schema: {
        tags,
        operationId: 'listStreamEvents',
        summary: 'A stream’s events in version order, as stored',
        params: StreamParams,
        querystring: Type.Object({ ...Paging, asOf: Type.Optional(AsOf) }),
        response: {
          200: Type.Unsafe({ ...StreamEventPage, headers: { etag: ETagHeader } }),
          ...problems({ 400: 'A bad parameter', 404: 'No such stream (or none yet at asOf)' }),
        },
      },
      config: audit,
    },
    async (request, reply) => {
      const { streamId } = request.params
      const { from, limit, asOf } = request.query
      const until = asOf ? new Date(asOf) : undefined
      // The log keeps microseconds; as-of reads compare milliseconds, as JS dates hold them.
      const slice = await readStream(db, streamId, {
        fromVersion: from,
        maxCount: limit + 1,
        recordedUpTo: until ? new Date(until.getTime() + 1) : undefined,
      })
      const all = until ? slice.events.filter((e) => e.recordedAt <= until) : slice.events
      const version = until ? await streamVersionAt(db, streamId, until) : slice.streamVersion
      if (version === 0) throw new NotFoundError('stream', streamId)
      const events = all.slice(0, limit)
      return reply.header('etag', etagOf(version)).send({
        streamId,
        version,
        items: events.map(eventJson),
        ...(all.length > limit ? { next: String(from + limit) } : {}),
      })
    },
  )

  app.get(
    '/v1/streams/:streamId/history',
    {
      schema: {
        tags,
        operationId: 'getStreamHistory',
        summary: 'How a record changed: each version’s event, who, when, sources and diff',
        params: StreamParams,
        querystring: Type.Object(Paging),
        response: {
          200: Type.Unsafe({ ...StreamHistory, headers: { etag: ETagHeader } }),
          ...problems({ 400: 'A bad parameter', 404: 'No such stream' }),
        },
      },
      config: audit,
    },
    async (request, reply) => {
      const { streamId } = request.params
      const { from, limit } = request.query
      // The state before `from` needs every event before it.
      const slice = await readStream(db, streamId, { toVersion: from + limit })
      if (slice.streamVersion === 0) throw new NotFoundError('stream', streamId)
      const states = statesAlong(streamId, slice.events)
      const initial = aggregateOf(streamId)
        ? deciderFor(aggregateOf(streamId)!).initialState()
        : null
      const items = slice.events.flatMap((event, i) => {
        if (event.streamVersion < from || event.streamVersion >= from + limit) return []
        const m = event.metadata
        return [
          {
            version: event.streamVersion,
            event: eventJson(event),
            actor: text(m.actor),
            recordedAt: event.recordedAt.toISOString(),
            commandAt: text(m.commandAt),
            sources: (m.sources ?? []) as Source[],
            correlationId: text(m.correlationId),
            changes: jsonDiff(i === 0 ? initial : states[i - 1], states[i]),
            state: states[i],
          },
        ]
      })
      return reply.header('etag', etagOf(slice.streamVersion)).send({
        streamId,
        version: slice.streamVersion,
        items,
        ...(slice.streamVersion >= from + limit ? { next: String(from + limit) } : {}),
      })
    },
  )

  app.get(
    '/v1/audit/verify',
    {
      schema: {
        tags,
        operationId: 'verifyLog',
        summary: 'Recompute every event’s hash and check each stream’s chain',
        querystring: Type.Object({
          stream: Type.Optional(StreamParams.properties.streamId),
        }),
        response: { 200: VerifyReport, ...problems({ 400: 'A bad parameter' }) },
      },
      config: audit,
    },
    async (request) => verify(db, { streamId: request.query.stream }),
  )
}

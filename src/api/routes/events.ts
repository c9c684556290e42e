import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ValidationError } from '../../domain/errors.js'
import { type Checkpoint, LOG_START, readAll, subscribe } from '../../eventstore/index.js'
import type { ApiDeps } from '../deps.js'
import { checkpointFor } from '../reads.js'
import { problems } from '../schemas/common.js'
import { EventPage, eventJson } from '../schemas/events.js'

const tags = ['events']

const Position = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'A global position: the events after it (0: from the start of the log)',
})

const Filters = {
  type: Type.Optional(
    Type.Array(Type.String({ pattern: '^[A-Za-z]{1,100}$' }), {
      maxItems: 50,
      description: 'Only these event types (repeat the parameter for several)',
    }),
  ),
  stream: Type.Optional(
    Type.String({ minLength: 1, maxLength: 300, description: 'Only this stream, e.g. visit-42' }),
  ),
  streamPrefix: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 300,
      description: 'Only streams whose id starts with this, e.g. visit-',
    }),
  ),
}

/** Events a live stream reads per batch: the most a slow client can hold in memory. */
const LIVE_BATCH = 100

/** Resolves when the socket can take more, or has closed. */
function drained(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done)
      raw.off('close', done)
      resolve()
    }
    raw.on('drain', done)
    raw.on('close', done)
  })
}

function lastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id']
  return typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined
}

/**
 * The event log over HTTP, for systems without Kafka: pages of it in log order, and a live
 * Server-Sent Events stream that resumes after the last event id a client saw.
 */
export const eventRoutes: FastifyPluginAsyncTypebox<{ deps: ApiDeps }> = async (app, { deps }) => {
  const { db, notifications } = deps.log

  app.get(
    '/v1/events',
    {
      schema: {
        tags,
        operationId: 'listEvents',
        summary: 'The event log in order, a page at a time',
        description:
          'Events in the order every reader sees them (commit order). Poll with `after` = the ' +
          '`next` of the last page; an event that commits late is never skipped.',
        querystring: Type.Object({
          after: Type.Optional(Position),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          ...Filters,
        }),
        response: {
          200: EventPage,
          ...problems({ 400: 'A bad parameter', 422: 'Unknown position' }),
        },
      },
      config: { scope: 'read' },
    },
    async (request) => {
      const { after = 0, limit, type, stream, streamPrefix } = request.query
      const from = await checkpointFor(db, after, '/query/after')
      const slice = await readAll(db, {
        after: from,
        limit,
        eventTypes: type,
        streamId: stream,
        streamPrefix,
      })
      const last = slice.events.at(-1)
      return {
        items: slice.events.map(eventJson),
        next: String(last ? last.globalPosition : after),
        caughtUp: slice.caughtUp,
      }
    },
  )

  // Live streams still open, to end when the app closes (a hijacked reply is ours to end).
  const open = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...open]) end()
  })

  app.get(
    '/v1/events/live',
    {
      schema: {
        tags,
        operationId: 'streamEvents',
        summary: 'The event log live, as Server-Sent Events',
        description:
          'Each event is an SSE message: `id` its global position, `event` its type, `data` ' +
          'the event as JSON (the RecordedEvent schema). Reconnect with `Last-Event-ID` (or ' +
          '`after`) to resume exactly after the last event seen. A comment line is sent as a ' +
          'heartbeat when nothing else is. A client that reads slowly is sent events as fast ' +
          'as it reads them: the server reads the log no further ahead than one batch.',
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({ description: 'The id (global position) of the last event seen' }),
          ),
        }),
        querystring: Type.Object({ after: Type.Optional(Position), ...Filters }),
        response: {
          200: {
            description: 'A text/event-stream that stays open',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...problems({ 400: 'A bad parameter', 422: 'Unknown position' }),
        },
      },
      config: { scope: 'read' },
    },
    async (request, reply) => {
      const { after, type, stream, streamPrefix } = request.query
      const resumeFrom = lastEventId(request)
      let from: Checkpoint = LOG_START
      if (resumeFrom !== undefined) {
        if (!/^\d{1,15}$/.test(resumeFrom))
          throw new ValidationError('Last-Event-ID is not an event id of this stream', [
            {
              field: '/headers/last-event-id',
              rule: 'known-position',
              message: 'must be the id of an event this stream sent (a global position)',
            },
          ])
        from = await checkpointFor(db, Number(resumeFrom), '/headers/last-event-id')
      } else if (after !== undefined) from = await checkpointFor(db, after, '/query/after')

      reply.hijack()
      const raw = reply.raw
      // A hijacked reply skips Fastify's sending: the headers the hooks set (security
      // headers, correlation id, rate limit) go out here, and its latency is counted at its end.
      raw.once('close', () =>
        app.requestMetrics.observeRequest('GET', '/v1/events/live', 200, reply.elapsedTime / 1000),
      )
      raw.writeHead(200, {
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': String(request.id),
      })
      raw.write('retry: 2000\n\n')

      let closed = false
      // Waiting for the socket to drain holds the subscription's loop: it reads no further.
      const write = async (chunk: string) => {
        if (!closed && !raw.write(chunk)) await drained(raw)
      }
      const subscription = subscribe(db, notifications, {
        from,
        batchSize: LIVE_BATCH,
        eventTypes: type,
        streamId: stream,
        streamPrefix,
        onEvents: async (events) => {
          for (const event of events) {
            if (closed) return
            const data = JSON.stringify(eventJson(event))
            await write(`id: ${event.globalPosition}\nevent: ${event.type}\ndata: ${data}\n\n`)
          }
        },
        onError: (error) => request.log.warn({ err: error }, 'live event stream read failed'),
      })
      const heartbeat = setInterval(() => {
        if (!raw.writableNeedDrain) raw.write(': heartbeat\n\n')
      }, deps.heartbeatMs)
      // Ends the stream first: a write waiting for a slow client to drain then returns (on
      // 'close'), so that the subscription can stop.
      const end = () => {
        if (closed) return
        closed = true
        clearInterval(heartbeat)
        open.delete(end)
        raw.destroy()
        void subscription.stop()
      }
      open.add(end)
      raw.on('close', end)
    },
  )
}

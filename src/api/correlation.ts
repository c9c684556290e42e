import type { FastifyInstance } from 'fastify'

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Ties together everything one business action caused, across systems: the caller's
     * `x-correlation-id`, else this request's id. Goes into the metadata of appended events.
     */
    correlationId: string
  }
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Reads `x-correlation-id` (else the request id), logs it with the request and echoes it. */
export function registerCorrelation(app: FastifyInstance): void {
  app.decorateRequest('correlationId', '')
  // Callback hooks: an async one costs every request a promise and a turn of the microtask queue.
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers['x-correlation-id']
    if (typeof header === 'string' && CORRELATION_ID.test(header)) {
      request.correlationId = header
      // The request id is on every line already; a caller's own id is worth a child logger.
      request.log = request.log.child({ correlationId: header })
    } else {
      request.correlationId = String(request.id)
    }
    reply.header('x-correlation-id', request.correlationId)
    done()
  })
}

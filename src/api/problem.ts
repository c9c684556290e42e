import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type Static, Type } from 'typebox'
import { DomainRuleError, EntenteError } from '../domain/errors.js'
import { WrongExpectedVersionError } from '../eventstore/errors.js'
import { isStoreUnavailable } from '../eventstore/unavailable.js'

/** An RFC 9457 problem details body, with Entente's stable `code` and field violations. */
export const Problem = Type.Object(
  {
    type: Type.String({
      description: 'A URI naming the kind of problem: urn:entente:problem:<code>',
    }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable machine-readable code of the problem' }),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where in the request: a JSON pointer' }),
          rule: Type.String({ description: 'The rule that the value broke' }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true },
)
export type Problem = Static<typeof Problem>

/** The HTTP status of each stable error code. Codes absent here are 500s. */
const STATUS_BY_CODE: Record<string, number> = {
  'invalid-request': 400,
  'validation-failed': 422,
  'not-found': 404,
  'wrong-expected-version': 409,
  'precondition-failed': 412,
  'idempotency-key-in-use': 409,
  'idempotency-key-reused': 422,
  'event-id-conflict': 409,
  'append-only-violation': 409,
  'payload-too-large': 413,
  'rate-limited': 429,
  unavailable: 503,
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function problemType(code: string): string {
  return `urn:entente:problem:${code}`
}

/** The problem+json body of a status and code, for this request. */
export function problemBody(
  request: FastifyRequest,
  status: number,
  code: string,
  detail?: string,
  errors?: Problem['errors'],
): Problem {
  const body: Problem = {
    type: problemType(code),
    title: TITLES[status] ?? 'Error',
    status,
    code,
    instance: request.url,
    requestId: String(request.id),
  }
  if (detail) body.detail = detail
  if (errors && errors.length > 0) body.errors = errors
  return body
}

/** Sends a problem+json response. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  detail?: string,
  errors?: Problem['errors'],
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(problemBody(request, status, code, detail, errors))
}

/**
 * The problem a typed error is, with its status. A stream that moved on is a 412 when the
 * caller pinned its version with If-Match, else a 409.
 */
export function problemOf(request: FastifyRequest, error: EntenteError): Problem {
  if (error instanceof WrongExpectedVersionError && request.headers['if-match'] !== undefined)
    return problemBody(
      request,
      412,
      'precondition-failed',
      `${error.message}: the resource changed since the ETag given in If-Match`,
      [
        {
          field: '/headers/if-match',
          rule: 'etag-current',
          message: `the ETag is now "${error.actual}"`,
        },
      ],
    )
  // A rule of the record's current state (already scheduled, not active…) is a conflict
  // with that state; anything else unmapped is input the caller must fix.
  const status = STATUS_BY_CODE[error.code] ?? (error instanceof DomainRuleError ? 409 : 422)
  return problemBody(request, status, error.code, error.message, [...error.details])
}

/** The member a `required` or `additionalProperties` violation is about, as a path step. */
function memberOf(v: { keyword: string; params: unknown }): string {
  const params = v.params as { missingProperty?: string; additionalProperty?: string }
  if (v.keyword === 'required') return `/${params.missingProperty}`
  if (v.keyword === 'additionalProperties') return `/${params.additionalProperty}`
  return ''
}

/**
 * The one error handler: every error becomes problem+json. Typed errors keep their code and
 * details; request validation lists each field and rule; anything unexpected is a 500 that is
 * logged with the request id and says nothing about internals.
 */
export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | EntenteError, request, reply) => {
    if (error instanceof EntenteError) {
      const problem = problemOf(request, error)
      return reply.code(problem.status).type('application/problem+json').send(problem)
    }
    const fastifyError = error as FastifyError
    if (fastifyError.validation) {
      const errors = fastifyError.validation.map((v) => ({
        field: `/${fastifyError.validationContext ?? 'body'}${v.instancePath}${memberOf(v)}`,
        rule: v.keyword,
        message: v.message ?? 'is not valid',
      }))
      return sendProblem(request, reply, 400, 'invalid-request', 'the request is not valid', errors)
    }
    if (isStoreUnavailable(error)) {
      // Expected while the database restarts: say so briefly, and tell clients to come back.
      request.log.warn(
        { err: { message: error.message, code: (error as { code?: unknown }).code } },
        'database unavailable',
      )
      reply.header('retry-after', '1')
      return sendProblem(
        request,
        reply,
        503,
        'unavailable',
        'the database is unavailable; try again shortly',
      )
    }
    const status = fastifyError.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code = (fastifyError.code ?? 'invalid-request').toLowerCase().replace(/^fst_err_/, '')
      return sendProblem(request, reply, status, code.replaceAll('_', '-'), fastifyError.message)
    }
    request.log.error({ err: error }, 'request failed')
    return sendProblem(request, reply, 500, 'internal-error', 'an unexpected error occurred')
  })

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      404,
      'route-not-found',
      `no route ${request.method} ${request.url}`,
    ),
  )
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (a header line with a
 * bare CR or a NUL, headers over 16 KiB, a request that is too slow) with problem+json, as
 * Fastify's default handler does with its own JSON. No request id: there is no request.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Duplex,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'the request line and headers exceed 16 KiB']
        : [400, 'malformed-http', 'the request is not valid HTTP/1.1']
  this.log.debug({ err: error }, 'refused a malformed request')
  if (!socket.writable) return void socket.destroy()
  const body = JSON.stringify({
    type: problemType(code),
    title: TITLES[status],
    status,
    code,
    detail,
  })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

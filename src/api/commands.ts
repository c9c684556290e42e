import { randomUUID } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CommandContext, HandledCommand } from '../app/command-handler.js'
import type { CommandMetadata } from '../domain/decider.js'
import type { DomainCommand } from '../domain/deciders.js'
import { EntenteError, ValidationError } from '../domain/errors.js'
import type { Source } from '../domain/values/source.js'
import { LIMITS, readEvent } from '../eventstore/index.js'
import type { ApiDeps } from './deps.js'
import {
  claimKey,
  completeKey,
  derivedId,
  releaseKey,
  requestHash,
  type StoredResponse,
} from './idempotency.js'
import { callerOf } from './principal.js'
import { problemOf } from './problem.js'

/** What a route makes of a request: the domain command, and what to answer about it. */
export interface CommandPlan {
  command: DomainCommand
  /** The id of what the command records, when the caller may leave it to the server. */
  id?: string
  /** For commands that create a resource: its URL (the answer is 201 with Location). */
  location?: string
}

/**
 * Builds a command from the request. `newId(name)` gives an id the caller did not send; under
 * an idempotency key it is derived from the key, so a retry builds the very same command.
 */
export type PlanCommand = (
  newId: (name: string) => string,
  metadata: CommandMetadata,
) => CommandPlan

/** `"3"` → 3. Weak ETags never match If-Match (RFC 9110 uses strong comparison). */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*"(\d{1,15})"\s*$/.exec(header)
  // A version past the highest a stream can have is no ETag this API gave.
  if (!match || Number(match[1]) > LIMITS.streamVersion)
    throw new ValidationError('If-Match is not an ETag of this API', [
      {
        field: '/headers/if-match',
        rule: 'etag',
        message: 'must be a quoted stream version such as "3", as the ETag header gave it',
      },
    ])
  return Number(match[1])
}

export const etagOf = (version: number) => `"${version}"`

/** What the answer says of a handled command. */
type Outcome = Pick<HandledCommand, 'streamId' | 'nextExpectedVersion' | 'events'>

function resultBody(plan: CommandPlan, handled: Outcome) {
  return {
    ...(plan.id ? { id: plan.id } : {}),
    streamId: handled.streamId,
    version: handled.nextExpectedVersion,
    events: handled.events.map(({ eventId, type, streamVersion, globalPosition }) => ({
      eventId,
      type,
      streamVersion,
      globalPosition,
    })),
  }
}

function answerOf(plan: CommandPlan, handled: Outcome): StoredResponse {
  const headers: Record<string, string> = { etag: etagOf(handled.nextExpectedVersion) }
  if (plan.location) headers.location = plan.location
  return { status: plan.location ? 201 : 200, body: resultBody(plan, handled), headers }
}

function send(reply: FastifyReply, response: StoredResponse, replayed = false): FastifyReply {
  reply.code(response.status).headers(response.headers)
  if (replayed) reply.header('idempotent-replayed', 'true')
  if (response.status >= 400) reply.type('application/problem+json')
  return reply.send(response.body)
}

/**
 * The events a first attempt under this key appended before it could answer (it died, or
 * its claim ran out): found by their derived ids, in order.
 */
async function appendedBefore(
  deps: ApiDeps,
  eventId: (index: number) => string,
): Promise<Outcome | undefined> {
  const events: HandledCommand['events'] = []
  let streamId: string | undefined
  for (let i = 0; i < 1_000; i++) {
    const stored = await readEvent(deps.log.db, eventId(i))
    if (!stored) break
    streamId = stored.streamId
    events.push({
      eventId: stored.eventId,
      type: stored.type,
      streamVersion: stored.streamVersion,
      globalPosition: stored.globalPosition,
    })
  }
  if (!streamId) return undefined
  return { streamId, nextExpectedVersion: events.at(-1)!.streamVersion, events }
}

/** What every command of a request carries besides its data. */
function contextOf(deps: ApiDeps, request: FastifyRequest) {
  const caller = callerOf(request)
  const metadata: CommandMetadata = {
    actor: caller.actor,
    at: deps.clock().toISOString(),
    sources: (request.body as { sources: Source[] }).sources,
  }
  const handling: CommandContext = {
    expectedVersion: parseIfMatch(request.headers['if-match']),
    requestId: String(request.id),
    // Set by the correlation hook: the caller's x-correlation-id, else the request id.
    correlationId: request.correlationId || String(request.id),
  }
  return { caller, metadata, handling }
}

/**
 * Runs a command for a request: the acting user is the API key's principal, the command time
 * the server's clock at receipt, `If-Match` pins the stream version, and an `Idempotency-Key`
 * makes a retry replay the first answer (or a 422 when the request differs).
 */
export async function runCommand(
  deps: ApiDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  plan: PlanCommand,
): Promise<FastifyReply> {
  const context = contextOf(deps, request)
  const key = request.headers['idempotency-key']
  if (typeof key !== 'string') {
    const freshIds = new Set<string>()
    const built = plan(() => {
      const id = randomUUID()
      freshIds.add(id)
      return id
    }, context.metadata)
    const handled = await deps.handle(built.command, { ...context.handling, freshIds })
    return send(reply, answerOf(built, handled))
  }
  const hash = requestHash({
    method: request.method,
    url: request.url,
    ifMatch: request.headers['if-match'],
    body: request.body,
  })
  const claim = await claimKey(deps.log.db, context.caller.id, key, hash, deps.idempotencyLeaseMs)
  switch (claim.kind) {
    case 'replay':
      return send(reply, claim.response, true)
    case 'mismatch':
      throw new EntenteError(
        'idempotency-key-reused',
        'this Idempotency-Key was used for another request',
        [
          {
            field: '/headers/idempotency-key',
            rule: 'same-request',
            message: 'a key may only be retried with the same method, path, If-Match and body',
          },
        ],
      )
    case 'in-flight':
      reply.header('retry-after', '1')
      throw new EntenteError(
        'idempotency-key-in-use',
        'the first request with this Idempotency-Key is still being answered: retry shortly',
      )
    case 'claimed':
      return send(reply, await answerOnce(deps, request, plan, context, key, hash))
  }
}

/**
 * Answers a command under a claimed idempotency key, and keeps the answer for the retries.
 * Ids are derived from the caller, the key and the request, so a retry builds the same command.
 */
async function answerOnce(
  deps: ApiDeps,
  request: FastifyRequest,
  plan: PlanCommand,
  context: ReturnType<typeof contextOf>,
  key: string,
  hash: string,
): Promise<StoredResponse> {
  const { caller } = context
  const eventId = (index: number) => derivedId(caller.id, key, hash, 'event', String(index))
  const built = plan((name) => derivedId(caller.id, key, hash, 'id', name), context.metadata)
  let answer: StoredResponse
  try {
    // An earlier attempt may have appended and then failed to answer (a crash, a lost
    // connection): its events carry the derived ids, and are the answer.
    const earlier = await appendedBefore(deps, eventId)
    const handled =
      earlier ??
      (await deps.handle(built.command, {
        ...context.handling,
        idempotencyKey: key,
        eventIds: eventId,
      }))
    answer = answerOf(built, handled)
  } catch (error) {
    // A refusal is the answer to replay; anything else leaves the key free for a retry.
    if (!(error instanceof EntenteError)) {
      await releaseKey(deps.log.db, caller.id, key)
      throw error
    }
    const problem = problemOf(request, error)
    answer = { status: problem.status, body: problem, headers: {} }
  }
  await completeKey(deps.log.db, caller.id, key, answer)
  return answer
}

/**
 * A domain command from a request's data. Dates are still EDTF text here: the command handler
 * parses them (and computes their bounds) before the domain sees them.
 */
export function commandOf(
  type: DomainCommand['type'],
  data: Record<string, unknown>,
  metadata: CommandMetadata,
): DomainCommand {
  return { type, data, metadata } as unknown as DomainCommand
}

/** The request body without its sources: those go into the command's metadata. */
export function dataOf<B extends { sources: unknown }>(body: B): Omit<B, 'sources'> {
  const { sources: _sources, ...data } = body
  return data
}

import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { Command, Event } from '../domain/decider.js'
import { type AggregateName, type DomainCommand, deciderFor, route } from '../domain/deciders.js'
import { NotFoundError } from '../domain/errors.js'
import { schemaVersionOf } from '../domain/event-schemas.js'
import type { JsonObject } from '../domain/json.js'
import { upcast } from '../domain/upcasters.js'
import {
  type EventLogConnection,
  type EventMetadata,
  readEvent,
  WrongExpectedVersionError,
} from '../eventstore/index.js'
import { resolveImpreciseTimes } from './imprecise-time.js'
import { type KnownState, loadCurrent } from './load-aggregate.js'

/** What the caller knows about the request besides the command itself. */
export interface CommandContext {
  /**
   * The stream version the caller last saw (HTTP If-Match). When given, a stream that moved
   * on is a conflict; when absent, a concurrent change is retried against the new state.
   */
  expectedVersion?: number
  requestId?: string
  correlationId?: string
  causationId?: string
  idempotencyKey?: string
  /**
   * The id of the decided event at each index, in place of fresh ones: ids derived from an
   * idempotency key make a retry after a crash append the same ids (the log then replays).
   */
  eventIds?: (index: number) => string
  /**
   * Ids the server made up for this very command (random UUIDs, not ids a client sent or
   * derived from an idempotency key): a stream named by one cannot exist yet, so it is not
   * read, and the append expects no stream.
   */
  freshIds?: ReadonlySet<string>
}

/** Runs a command: see `createCommandHandler`. */
export type CommandHandler = ReturnType<typeof createCommandHandler>

export interface HandledCommand {
  aggregate: AggregateName
  streamId: string
  /** The stream's version after the command: the ETag of the resource. */
  nextExpectedVersion: number
  events: { eventId: string; type: string; streamVersion: number; globalPosition: number }[]
}

export interface CommandHandlerDeps {
  log: EventLogConnection
  /** Event ids; random UUIDs by default. */
  newId?: () => string
  /** Attempts when another writer got in between reading and appending (default 5). */
  maxAttempts?: number
}

/**
 * The application service: for a command, finds its aggregate, loads the stream, decides,
 * and appends with the version it decided on. A conflict with a concurrent writer is retried
 * against the new state (decide runs again, so every rule is checked anew), unless the caller
 * pinned the version it expects.
 *
 * @example
 * const handle = createCommandHandler({ log })
 * const { streamId, nextExpectedVersion } = await handle(scheduleVisit, { requestId })
 */
export function createCommandHandler(deps: CommandHandlerDeps) {
  const { log, newId = randomUUID, maxAttempts = 5 } = deps
  // The states of the last 1,000 streams loaded, so that the next command on one reads only the
  // events after it (`loadCurrent`): folding the whole stream at every command read and parsed
  // more and more for a busy pair's relationship, which grows with every friction and
  // assessment. States come from the log only, never from a decision before its append.
  const states = new LRUCache<string, KnownState<unknown>>({ max: 1_000 })

  return async function handle(
    command: DomainCommand,
    context: CommandContext = {},
  ): Promise<HandledCommand> {
    // Dates arrive as EDTF text; the domain works on parsed periods with their bounds.
    const parsed = { ...command, data: resolveImpreciseTimes(command.data) } as DomainCommand
    const resolved = await resolveCorrectionTarget(log, parsed)
    const { aggregate, id } = route(resolved)
    const decider = deciderFor(aggregate)
    const streamId = decider.streamId(id)
    const fresh = context.freshIds?.has(id) ?? false
    for (let attempt = 1; ; attempt++) {
      const { state, version, lastEventId } =
        fresh && attempt === 1
          ? { state: decider.initialState(), version: 0, lastEventId: undefined }
          : await loadCurrent(log.db, decider, streamId, states.get(streamId))
      // As the log holds it: the next command on this stream reads only what comes after.
      if (lastEventId) states.set(streamId, { state, version, lastEventId })
      const decided = decider.decide(resolved as Command, state) as Event[]
      if (decided.length === 0)
        return { aggregate, streamId, nextExpectedVersion: version, events: [] }
      const metadata = eventMetadata(resolved, context)
      const events = decided.map((event, index) => ({
        eventId: context.eventIds?.(index) ?? newId(),
        type: event.type,
        schemaVersion: schemaVersionOf(event.type),
        data: event.data as Record<string, unknown>,
        metadata,
      }))
      try {
        const result = await log.append(streamId, events, context.expectedVersion ?? version)
        return {
          aggregate,
          streamId,
          nextExpectedVersion: result.nextExpectedVersion,
          events: result.events.map((e, i) => ({ ...e, type: events[i]!.type })),
        }
      } catch (error) {
        const retry =
          error instanceof WrongExpectedVersionError &&
          context.expectedVersion === undefined &&
          attempt < maxAttempts
        if (!retry) throw error
      }
    }
  }
}

/** Every event of a command carries who, when, why and on which sources. */
function eventMetadata(command: DomainCommand, context: CommandContext): EventMetadata {
  const metadata: EventMetadata = {
    actor: command.metadata.actor,
    commandType: command.type,
    commandAt: command.metadata.at,
    sources: command.metadata.sources,
  }
  if (context.requestId) metadata.requestId = context.requestId
  const correlationId = context.correlationId ?? context.requestId
  if (correlationId) metadata.correlationId = correlationId
  if (context.causationId) metadata.causationId = context.causationId
  if (context.idempotencyKey) metadata.idempotencyKey = context.idempotencyKey
  return metadata
}

/**
 * A correction names the event it corrects by id; the decider also needs that event's
 * stream, type and (upcast) data, which only the log knows.
 */
async function resolveCorrectionTarget(
  log: EventLogConnection,
  command: DomainCommand,
): Promise<DomainCommand> {
  if (command.type !== 'CorrectFact' && command.type !== 'RetractFact') return command
  const eventId = command.data.target.eventId
  const stored = await readEvent(log.db, eventId)
  if (!stored) throw new NotFoundError('event', eventId)
  const { data } = upcast(stored.type, stored.schemaVersion, stored.data)
  return {
    ...command,
    data: {
      ...command.data,
      target: {
        streamId: stored.streamId,
        eventId: stored.eventId,
        eventType: stored.type,
        data: data as JsonObject,
      },
    },
  } as DomainCommand
}

import type { Source } from './values/source.js'

/**
 * Who issued a command, when, and on which sources. Every command carries it; none of it comes
 * from a clock or a random generator inside the domain.
 */
export interface CommandMetadata {
  /** The acting user (an API key's principal, a CLI user). */
  actor: string
  /** When the command was issued: an RFC 3339 instant. Not when the fact happened. */
  at: string
  /** At least one source for the facts the command records. */
  sources: Source[]
}

/** A command: an imperative `type` (the TS name), its `data`, and its metadata. */
export interface Command<Type extends string = string, Data = unknown> {
  type: Type
  data: Data
  metadata: CommandMetadata
}

/**
 * An event: a past-tense `type` (the TS name) and the `data` projections need. Read back from
 * the log it also has the `eventId` the log gave it, which corrections point at; `decide`
 * produces events without one.
 */
export interface Event<Type extends string = string, Data = unknown> {
  type: Type
  data: Data
  eventId?: string
}

/**
 * A pure aggregate: `decide` turns a command and the current state into new events (or throws an
 * `EntenteError`), `evolve` folds one event into the state. Time and ids come in with commands.
 *
 * `evolve` ignores event types it does not know, so that a stream may also hold events written
 * by another decider (corrections) or by a newer version of this one.
 */
export interface Decider<C extends Command, E extends Event, S> {
  decide(command: C, state: S): E[]
  evolve(state: S, event: E): S
  initialState(): S
  /** The stream that holds the aggregate with this id. */
  streamId(id: string): string
}

/** Folds events into a state, from the decider's initial state. */
export function fold<C extends Command, E extends Event, S>(
  decider: Decider<C, E, S>,
  events: readonly E[],
  from: S = decider.initialState(),
): S {
  return events.reduce(decider.evolve, from)
}

/** Makes `decide` exhaustive: a command type the switch did not handle fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`)
}

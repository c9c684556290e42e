import type { Event } from '../decider.js'
import type { CorrectionEvent } from './events.js'

/** The event types that revise an earlier fact instead of recording one. */
export const CORRECTION_TYPES = ['FactCorrected', 'FactRetracted'] as const

export function isCorrection(event: { type: string }): event is CorrectionEvent {
  return (CORRECTION_TYPES as readonly string[]).includes(event.type)
}

/**
 * The facts after the one with id `targetId` was revised by `revise`, in place. Returns `facts`
 * itself when none is that target, or the target is retracted: callers can tell that nothing
 * changed. Shared by aggregates and read models, which keep their facts differently.
 */
export function reviseFact<F extends { eventId?: string; retracted?: unknown }>(
  facts: readonly F[],
  targetId: string,
  revise: (fact: F) => F,
): readonly F[] {
  const i = facts.findIndex((f) => f.eventId === targetId)
  const target = facts[i]
  if (!target || target.retracted) return facts
  return facts.toSpliced(i, 1, revise(target))
}

/** A fact as an aggregate keeps it, so that it can fold its stream again. */
export interface KeptFact {
  /** The log's id; a fact that has none (not stored yet) cannot be corrected. */
  eventId?: string
  type: string
  /** What the fact says now: its data, or the latest correction's. */
  data: unknown
  /** Retracted facts are skipped by folds, but an aggregate can still tell what it once held. */
  retracted?: true
}

/** The facts after a correction (the target says the corrected data) or a retraction. */
export function withRevision(
  facts: readonly KeptFact[],
  event: CorrectionEvent,
): readonly KeptFact[] {
  return reviseFact(facts, event.data.target.eventId, (fact) =>
    event.type === 'FactRetracted'
      ? { ...fact, retracted: true }
      : { ...fact, data: event.data.corrected },
  )
}

/** An aggregate's state together with the facts it was folded from. */
export type WithFacts<S> = S & { facts: readonly KeptFact[] }

/**
 * Folds one event into a state that keeps its facts. A fact is applied by `apply` and kept. A
 * correction or retraction revises the fact it points at in place, then the state is folded
 * again from `initial` over the facts in force: it reads as if the fact had said the corrected
 * thing (or nothing) from the start, with whatever came after it applied on top.
 */
export function evolveCorrected<S extends object, F extends Event>(
  state: WithFacts<S>,
  event: F | CorrectionEvent,
  initial: S,
  apply: (state: S, fact: F) => S,
): WithFacts<S> {
  if (!isCorrection(event)) {
    const { eventId, type, data } = event
    const kept: KeptFact = eventId === undefined ? { type, data } : { eventId, type, data }
    return { ...apply(state, event), facts: [...state.facts, kept] }
  }
  const facts = withRevision(state.facts, event)
  if (facts === state.facts) return state
  const live = facts.filter((f) => !f.retracted) as unknown as F[]
  return { ...live.reduce(apply, initial), facts }
}

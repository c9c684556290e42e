import type { CallRecorded } from '../../domain/call/events.js'
import { compact, copyWith } from '../../domain/json.js'
import type { MeetingFact } from '../../domain/meeting/events.js'
import type { MeetingOutcome } from '../../domain/meeting/types.js'
import {
  type FactEntry,
  isCorrection,
  liveFacts,
  uniqueSources,
  withFact,
} from '../itinerary/fact-log.js'
import type { ProjectedEvent } from '../projection.js'
import type { CallDoc, MeetingDoc } from './types.js'

type Data<T extends MeetingFact['type']> = Extract<MeetingFact, { type: T }>['data']
type MeetingView = Omit<MeetingDoc, 'facts' | 'revision' | 'updatedAt' | 'position'>
type CallView = Omit<CallDoc, 'facts' | 'revision' | 'updatedAt' | 'position'>

const withOutcome = (outcomes: MeetingOutcome[], outcome: MeetingOutcome) => [
  ...outcomes.filter((o) => o.outcomeId !== outcome.outcomeId),
  outcome,
]

/**
 * Folds a meeting's facts in force; undefined when its announcement was retracted. Copies are
 * made by `copyWith`, not spreads followed by members (see there).
 */
export function foldMeeting(log: readonly FactEntry[]): MeetingView | undefined {
  let m: MeetingView | undefined
  for (const fact of liveFacts(log)) {
    const data = fact.data as never
    if (fact.type === 'MeetingAnnounced') {
      const record = data as Data<'MeetingAnnounced'>
      m = copyWith(record, { status: 'announced' as const, outcomes: [], sources: [] })
      continue
    }
    if (!m) continue
    switch (fact.type) {
      case 'MeetingConfirmed': {
        const { date, place } = data as Data<'MeetingConfirmed'>
        m = copyWith(m, { status: 'confirmed' as const, date, place })
        break
      }
      case 'MeetingRescheduled': {
        const { window, place } = data as Data<'MeetingRescheduled'>
        const { date: _, ...rest } = m
        m = copyWith(rest, { status: 'announced' as const, window, place })
        break
      }
      case 'MeetingHeld': {
        const { date, place, participants, dyads } = data as Data<'MeetingHeld'>
        m = copyWith(m, { status: 'held' as const, date, place, participants, dyads })
        break
      }
      case 'MeetingCancelled': {
        const { reason } = data as Data<'MeetingCancelled'>
        m = copyWith(m, { status: 'cancelled' as const, cancellation: { reason } })
        break
      }
      case 'MeetingOutcomeRecorded': {
        const { outcome } = data as Data<'MeetingOutcomeRecorded'>
        m = copyWith(m, { outcomes: withOutcome(m.outcomes, outcome) })
        break
      }
    }
  }
  return m && copyWith(m, { sources: uniqueSources(liveFacts(log).flatMap((f) => f.sources)) })
}

/** Folds a call's facts in force; undefined when the call was retracted. */
export function foldCall(log: readonly FactEntry[]): CallView | undefined {
  const fact = liveFacts(log).find((f) => f.type === 'CallRecorded')
  if (!fact) return undefined
  const call = fact.data as unknown as Omit<CallRecorded['data'], 'interactions' | 'sources'>
  return copyWith(compact(call), { sources: fact.sources })
}

/**
 * The document after `event`, folded again from its facts by `fold`; undefined when the fold
 * finds nothing in force. Pure; shared by calls and meetings.
 */
export function evolveFolded<D extends { facts: FactEntry[]; revision: number }>(
  doc: D | undefined,
  event: ProjectedEvent,
  fold: (
    log: readonly FactEntry[],
  ) => Omit<D, 'facts' | 'revision' | 'updatedAt' | 'position'> | undefined,
): D | undefined {
  if (!doc && isCorrection(event)) return undefined
  const before: readonly FactEntry[] = doc?.facts ?? []
  const facts = withFact(before, event)
  if (facts === before) return doc
  const view = fold(facts)
  if (!view) return undefined
  const revision = doc ? doc.revision + 1 : 0
  const updatedAt = event.recordedAt
  const position = event.globalPosition
  return copyWith(view, { facts: [...facts], revision, updatedAt, position }) as unknown as D
}

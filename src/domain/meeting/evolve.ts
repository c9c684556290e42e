import { evolveCorrected } from '../correction/history.js'
import type { MeetingEvent, MeetingFact } from './events.js'
import type { MeetingLifecycle, MeetingOutcome, MeetingRecord, MeetingState } from './types.js'

type Data<T extends MeetingFact['type']> = Extract<MeetingFact, { type: T }>['data']

function recordOf(data: Data<'MeetingAnnounced'>): MeetingRecord {
  const { interactions: _i, sources: _s, ...meeting } = data
  return meeting
}

const withOutcome = (outcomes: MeetingOutcome[], outcome: MeetingOutcome) => [
  ...outcomes.filter((o) => o.outcomeId !== outcome.outcomeId),
  outcome,
]

/** Folds one fact, as it reads now, into the meeting's lifecycle. */
function applyMeetingFact(state: MeetingLifecycle, fact: MeetingFact): MeetingLifecycle {
  if (fact.type === 'MeetingAnnounced') return { status: 'announced', meeting: recordOf(fact.data) }
  if (state.status === 'none' || state.status === 'retracted') return state
  const { meeting } = state
  switch (fact.type) {
    case 'MeetingConfirmed': {
      const { date, place } = fact.data
      return { status: 'confirmed', meeting: { ...meeting, place }, date }
    }
    case 'MeetingRescheduled': {
      const { window, place } = fact.data
      return { status: 'announced', meeting: { ...meeting, window, place } }
    }
    case 'MeetingHeld': {
      const { date, place, participants, dyads } = fact.data
      return {
        status: 'held',
        meeting: { ...meeting, place, participants, dyads },
        date,
        outcomes: [],
      }
    }
    case 'MeetingCancelled': {
      const date = state.status === 'confirmed' ? { date: state.date } : {}
      return { status: 'cancelled', meeting, reason: fact.data.reason, ...date }
    }
    case 'MeetingOutcomeRecorded':
      if (state.status !== 'held') return state
      return { ...state, outcomes: withOutcome(state.outcomes, fact.data.outcome) }
    default:
      return state
  }
}

/**
 * Folds one event into the meeting's state. A correction or retraction folds the meeting's
 * facts again as corrected (see `evolveCorrected`); with its announcement retracted, the
 * meeting is `retracted`, whatever else was recorded about it.
 */
export function evolveMeeting(state: MeetingState, event: MeetingEvent): MeetingState {
  const next = evolveCorrected(state, event, { status: 'none' }, applyMeetingFact)
  if (next.status !== 'none') return next
  const announcement = next.facts.find((f) => f.type === 'MeetingAnnounced')
  if (!announcement?.retracted) return next
  const meeting = recordOf(announcement.data as Data<'MeetingAnnounced'>)
  return { status: 'retracted', meeting, facts: next.facts }
}

import { asRevision } from '../correction/events.js'
import { sameJson } from '../json.js'
import { sameTime } from '../values/imprecise-time.js'
import type { MeetingEvent, MeetingFact } from './events.js'
import type { MeetingOutcome, MeetingRecord, MeetingState } from './types.js'

type Data<T extends MeetingFact['type']> = Extract<MeetingFact, { type: T }>['data']

function recordOf(data: Data<'MeetingAnnounced'>): MeetingRecord {
  const { interactions: _i, sources: _s, ...meeting } = data
  return meeting
}

function mapMeeting(state: MeetingState, f: (m: MeetingRecord) => MeetingRecord): MeetingState {
  return state.status === 'none' ? state : { ...state, meeting: f(state.meeting) }
}

const withOutcome = (outcomes: MeetingOutcome[], outcome: MeetingOutcome) => [
  ...outcomes.filter((o) => o.outcomeId !== outcome.outcomeId),
  outcome,
]

/** Folds one event into the meeting's state. */
export function evolveMeeting(state: MeetingState, event: MeetingEvent): MeetingState {
  if (event.type === 'MeetingAnnounced')
    return { status: 'announced', meeting: recordOf(event.data) }
  if (state.status === 'none') return state
  const { meeting } = state
  switch (event.type) {
    case 'MeetingConfirmed': {
      const { date, place } = event.data
      return { status: 'confirmed', meeting: { ...meeting, place }, date }
    }
    case 'MeetingRescheduled': {
      const { window, place } = event.data
      return { status: 'announced', meeting: { ...meeting, window, place } }
    }
    case 'MeetingHeld': {
      const { date, place, participants, dyads } = event.data
      return {
        status: 'held',
        meeting: { ...meeting, place, participants, dyads },
        date,
        outcomes: [],
      }
    }
    case 'MeetingCancelled': {
      const date = state.status === 'confirmed' ? { date: state.date } : {}
      return { status: 'cancelled', meeting, reason: event.data.reason, ...date }
    }
    case 'MeetingOutcomeRecorded':
      if (state.status !== 'held') return state
      return { ...state, outcomes: withOutcome(state.outcomes, event.data.outcome) }
    case 'FactCorrected':
    case 'FactRetracted': {
      const { eventType, before, after } = asRevision(event)
      return reviseMeeting(state, eventType, before, after)
    }
    default:
      return state
  }
}

/** Applies a correction (`after`) or retraction (`after` null) of an earlier meeting event. */
export function reviseMeeting(
  state: MeetingState,
  eventType: string,
  before: object,
  after: object | null,
): MeetingState {
  if (state.status === 'none' || state.status === 'retracted') return state
  switch (eventType) {
    case 'MeetingAnnounced': {
      if (after === null) return { status: 'retracted', meeting: state.meeting }
      const was = before as Data<'MeetingAnnounced'>
      const now = recordOf(after as Data<'MeetingAnnounced'>)
      // A window or place that a later event replaced stays.
      return mapMeeting(state, (m) => ({
        ...now,
        window: sameTime(m.window, was.window) ? now.window : m.window,
        place: sameJson(m.place, was.place) ? now.place : m.place,
      }))
    }
    case 'MeetingConfirmed': {
      const was = before as Data<'MeetingConfirmed'>
      if (state.status !== 'confirmed' || !sameTime(state.date, was.date)) return state
      return after === null
        ? { status: 'announced', meeting: state.meeting }
        : { ...state, date: (after as Data<'MeetingConfirmed'>).date }
    }
    case 'MeetingRescheduled': {
      const was = before as Data<'MeetingRescheduled'>
      if (!sameTime(state.meeting.window, was.window)) return state
      const window =
        after === null ? was.previousWindow : (after as Data<'MeetingRescheduled'>).window
      return mapMeeting(state, (m) => ({ ...m, window }))
    }
    case 'MeetingHeld': {
      if (state.status !== 'held') return state
      if (after === null) return { status: 'announced', meeting: state.meeting }
      const now = after as Data<'MeetingHeld'>
      const meeting = {
        ...state.meeting,
        place: now.place,
        participants: now.participants,
        dyads: now.dyads,
      }
      return { ...state, meeting, date: now.date }
    }
    case 'MeetingCancelled': {
      if (state.status !== 'cancelled') return state
      if (after !== null) return { ...state, reason: (after as Data<'MeetingCancelled'>).reason }
      return state.date
        ? { status: 'confirmed', meeting: state.meeting, date: state.date }
        : { status: 'announced', meeting: state.meeting }
    }
    case 'MeetingOutcomeRecorded': {
      if (state.status !== 'held') return state
      const was = (before as Data<'MeetingOutcomeRecorded'>).outcome
      const outcomes =
        after === null
          ? state.outcomes.filter((o) => o.outcomeId !== was.outcomeId)
          : withOutcome(state.outcomes, (after as Data<'MeetingOutcomeRecorded'>).outcome)
      return { ...state, outcomes }
    }
    default:
      return state
  }
}

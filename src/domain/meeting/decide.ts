import { unreachable } from '../decider.js'
import { compact, sameJson } from '../json.js'
import { codeInteraction } from '../relationship/interaction-coding.js'
import { checkCommand, notFound, ruleBroken } from '../rules.js'
import { type Dyad, dyadsAmong } from '../values/country.js'
import { epochOf, type ImpreciseTime, sameTime, within } from '../values/imprecise-time.js'
import type { Place } from '../values/place.js'
import { occurredAt } from '../values/source.js'
import type { MeetingCommand } from './commands.js'
import type { MeetingFact, MeetingRescheduled } from './events.js'
import type { MeetingState } from './types.js'
import { checkMeetingCommand } from './validate.js'

type Open = Extract<MeetingState, { status: 'announced' | 'confirmed' }>

/** The meeting as long as it can still change, or the error saying why not. */
function openMeeting(state: MeetingState, meetingId: string): Open {
  if (state.status === 'none') throw notFound('meeting', meetingId)
  if (state.status !== 'announced' && state.status !== 'confirmed')
    throw ruleBroken('meeting-not-active', '/meetingId', `meeting ${meetingId} is ${state.status}`)
  return state
}

/**
 * A date outside the window is refused, unless the command says the meeting moved: then the
 * window moves to the date first.
 */
function fitWindow(
  open: Open,
  date: ImpreciseTime,
  place: Place,
  reschedule: boolean | undefined,
  sources: MeetingRescheduled['data']['sources'],
): MeetingRescheduled[] {
  const { meeting } = open
  if (within(date, meeting.window)) return []
  if (!reschedule)
    throw ruleBroken(
      'meeting-date-outside-window',
      '/date',
      `${date.edtf} is outside the window ${meeting.window.edtf}; say reschedule: true if the meeting moved`,
    )
  const data = {
    meetingId: meeting.meetingId,
    window: date,
    previousWindow: meeting.window,
    place,
    dyads: meeting.dyads,
    sources,
  }
  return [{ type: 'MeetingRescheduled', data }]
}

/** CONSULT:visit where the meeting is in one of the pair's countries, else third-party. */
function heldKind(dyad: Dyad, place: Place) {
  return dyad.includes(place.country) ? 'meeting-held' : 'meeting-held-third-location'
}

/** Decides a meeting command. */
export function decideMeeting(command: MeetingCommand, state: MeetingState): MeetingFact[] {
  checkCommand(command, checkMeetingCommand)
  const { sources, at } = command.metadata
  const { meetingId } = command.data

  switch (command.type) {
    case 'AnnounceMeeting': {
      if (state.status !== 'none')
        throw ruleBroken('meeting-already-announced', '/meetingId', `meeting ${meetingId} exists`)
      const d = command.data
      const dyads = dyadsAmong(d.participants.map((p) => p.country))
      const when = occurredAt(undefined, sources)
      const interactions = dyads.map((dyad) => codeInteraction('meeting-announced', dyad, when))
      const data = compact({ ...d, agenda: d.agenda ?? [], dyads, interactions, sources })
      return [{ type: 'MeetingAnnounced', data }]
    }
    case 'ConfirmMeeting': {
      const open = openMeeting(state, meetingId)
      const { date, reschedule } = command.data
      const place = command.data.place ?? open.meeting.place
      const moved = fitWindow(open, date, place, reschedule, sources)
      const { dyads } = open.meeting
      const data = { meetingId, date, place, dyads, sources }
      return [...moved, { type: 'MeetingConfirmed', data }]
    }
    case 'RescheduleMeeting': {
      const { meeting } = openMeeting(state, meetingId)
      const { window, reason } = command.data
      const place = command.data.place ?? meeting.place
      if (sameTime(window, meeting.window) && sameJson(place, meeting.place))
        throw ruleBroken(
          'meeting-window-unchanged',
          '/window',
          `the window is already ${window.edtf}`,
        )
      const data = compact({
        meetingId,
        window,
        previousWindow: meeting.window,
        place,
        reason,
        dyads: meeting.dyads,
        sources,
      })
      return [{ type: 'MeetingRescheduled', data }]
    }
    case 'RecordMeetingHeld': {
      const open = openMeeting(state, meetingId)
      const { date, reschedule } = command.data
      // Recorded before it could have begun: nobody can know it took place.
      if (date.earliest !== null && epochOf(date.earliest) > epochOf(at))
        throw ruleBroken('meeting-held-in-future', '/date', `${date.edtf} is after the command`)
      const place = command.data.place ?? open.meeting.place
      const participants = command.data.participants ?? open.meeting.participants
      const moved = fitWindow(open, date, place, reschedule, sources)
      const dyads = dyadsAmong(participants.map((p) => p.country))
      const when = occurredAt(date, sources)
      const interactions = dyads.map((d) => codeInteraction(heldKind(d, place), d, when))
      const data = { meetingId, date, place, participants, dyads, interactions, sources }
      return [...moved, { type: 'MeetingHeld', data }]
    }
    case 'CancelMeeting': {
      const { meeting } = openMeeting(state, meetingId)
      const when = occurredAt(undefined, sources)
      const interactions = meeting.dyads.map((d) => codeInteraction('meeting-cancelled', d, when))
      const data = {
        meetingId,
        reason: command.data.reason,
        dyads: meeting.dyads,
        interactions,
        sources,
      }
      return [{ type: 'MeetingCancelled', data }]
    }
    case 'RecordMeetingOutcome': {
      if (state.status === 'none') throw notFound('meeting', meetingId)
      if (state.status !== 'held')
        throw ruleBroken(
          'meeting-not-held',
          '/meetingId',
          `meeting ${meetingId} is ${state.status}`,
        )
      const { outcomeId, summary, agreements = [], topics = [] } = command.data
      if (state.outcomes.some((o) => o.outcomeId === outcomeId))
        throw ruleBroken('outcome-id-taken', '/outcomeId', `outcome ${outcomeId} exists`)
      const outcome = { outcomeId, summary, agreements, topics }
      return [{ type: 'MeetingOutcomeRecorded', data: { meetingId, outcome, sources } }]
    }
    default:
      return unreachable(command)
  }
}

import type { Command } from '../decider.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Place } from '../values/place.js'
import type { MeetingFormat } from './types.js'

export type AnnounceMeeting = Command<
  'AnnounceMeeting',
  {
    meetingId: string
    participants: Person[]
    place: Place
    window: ImpreciseTime
    occasion?: string
    format: MeetingFormat
    agenda?: string[]
  }
>
/**
 * Fixes the date. It must fall inside the announced window, unless `reschedule` says the
 * meeting moved: then a `MeetingRescheduled` to that date comes first.
 */
export type ConfirmMeeting = Command<
  'ConfirmMeeting',
  { meetingId: string; date: ImpreciseTime; place?: Place; reschedule?: boolean }
>
/** Moves the window; a confirmed date no longer holds. */
export type RescheduleMeeting = Command<
  'RescheduleMeeting',
  { meetingId: string; window: ImpreciseTime; place?: Place; reason?: string }
>
/** The meeting took place; `participants` when others attended than announced. */
export type RecordMeetingHeld = Command<
  'RecordMeetingHeld',
  {
    meetingId: string
    date: ImpreciseTime
    place?: Place
    participants?: Person[]
    reschedule?: boolean
  }
>
export type CancelMeeting = Command<'CancelMeeting', { meetingId: string; reason: string }>
export type RecordMeetingOutcome = Command<
  'RecordMeetingOutcome',
  {
    meetingId: string
    outcomeId: string
    summary: string
    agreements?: string[]
    topics?: string[]
  }
>

export type MeetingCommand =
  | AnnounceMeeting
  | ConfirmMeeting
  | RescheduleMeeting
  | RecordMeetingHeld
  | CancelMeeting
  | RecordMeetingOutcome

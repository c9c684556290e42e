import type { Violations } from '../rules.js'
import { checkImpreciseTime } from '../values/imprecise-time.js'
import { checkPeople } from '../values/person.js'
import { checkPlace } from '../values/place.js'
import {
  checkId,
  checkOneOf,
  checkOptionalText,
  checkText,
  checkTexts,
  LONG_TEXT,
  optional,
} from '../values/text.js'
import type { MeetingCommand } from './commands.js'
import { MEETING_FORMATS } from './types.js'

/** Checks a meeting's participants: two or more people from two or more countries. */
export function checkParticipants(v: Violations, value: unknown, field: string): void {
  if (!checkPeople(v, value, field, 2)) return
  const countries = new Set(value.map((p) => p.country))
  v.check(
    countries.size >= 2,
    field,
    'dyad-same-country',
    'a meeting needs people of two countries',
  )
}

const checkOptionalPlace = optional(checkPlace)

function checkReschedule(v: Violations, value: unknown): void {
  v.check(
    value === undefined || typeof value === 'boolean',
    '/reschedule',
    'one-of',
    'must be true or false',
  )
}

/** Checks a meeting command's data: the rules that need no state. */
export function checkMeetingCommand(v: Violations, command: MeetingCommand): void {
  checkId(v, command.data.meetingId, '/meetingId')
  switch (command.type) {
    case 'AnnounceMeeting': {
      const d = command.data
      checkParticipants(v, d.participants, '/participants')
      checkPlace(v, d.place, '/place')
      checkImpreciseTime(v, d.window, '/window')
      checkOptionalText(v, d.occasion, '/occasion')
      checkOneOf(v, d.format, MEETING_FORMATS, '/format')
      checkTexts(v, d.agenda, '/agenda')
      return
    }
    case 'ConfirmMeeting':
      checkImpreciseTime(v, command.data.date, '/date')
      checkOptionalPlace(v, command.data.place, '/place')
      checkReschedule(v, command.data.reschedule)
      return
    case 'RescheduleMeeting':
      checkImpreciseTime(v, command.data.window, '/window')
      checkOptionalPlace(v, command.data.place, '/place')
      checkOptionalText(v, command.data.reason, '/reason')
      return
    case 'RecordMeetingHeld':
      checkImpreciseTime(v, command.data.date, '/date')
      checkOptionalPlace(v, command.data.place, '/place')
      if (command.data.participants !== undefined)
        checkParticipants(v, command.data.participants, '/participants')
      checkReschedule(v, command.data.reschedule)
      return
    case 'CancelMeeting':
      checkText(v, command.data.reason, '/reason')
      return
    case 'RecordMeetingOutcome':
      checkId(v, command.data.outcomeId, '/outcomeId')
      checkText(v, command.data.summary, '/summary', LONG_TEXT)
      checkTexts(v, command.data.agreements, '/agreements')
      checkTexts(v, command.data.topics, '/topics')
      return
  }
}

import type { Decider } from '../decider.js'
import type { MeetingCommand } from './commands.js'
import { decideMeeting } from './decide.js'
import type { MeetingEvent } from './events.js'
import { evolveMeeting } from './evolve.js'
import { initialMeetingState, type MeetingState } from './types.js'

export type * from './commands.js'
export type * from './events.js'
export * from './types.js'

/** The meeting stream of `meetingId`. */
export const meetingStreamId = (meetingId: string): string => `meeting-${meetingId}`

/** Meetings: announced in a window, confirmed, rescheduled, held or cancelled, outcomes. */
export const meetingDecider: Decider<MeetingCommand, MeetingEvent, MeetingState> = {
  decide: decideMeeting,
  evolve: evolveMeeting,
  initialState: initialMeetingState,
  streamId: meetingStreamId,
}

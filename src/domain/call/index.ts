import type { Decider } from '../decider.js'
import type { CallCommand } from './commands.js'
import { decideCall } from './decide.js'
import type { CallEvent } from './events.js'
import { evolveCall } from './evolve.js'
import { type CallState, initialCallState } from './types.js'

export type * from './commands.js'
export type * from './events.js'
export * from './types.js'

/** The call stream of `callId`. */
export const callStreamId = (callId: string): string => `call-${callId}`

/** Calls: one command, recorded once. */
export const callDecider: Decider<CallCommand, CallEvent, CallState> = {
  decide: decideCall,
  evolve: evolveCall,
  initialState: initialCallState,
  streamId: callStreamId,
}

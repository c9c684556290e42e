import type { Command } from '../decider.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Person } from '../values/person.js'
import type { Quote } from '../values/quote.js'

/** Records a call that took place. */
export type RecordCall = Command<
  'RecordCall',
  {
    callId: string
    participants: Person[]
    date: ImpreciseTime
    initiatorId?: string
    topics?: string[]
    readout?: string
    quotes?: Quote[]
  }
>

export type CallCommand = RecordCall

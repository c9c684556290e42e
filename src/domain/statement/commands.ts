import type { Command } from '../decider.js'
import type { ImpreciseTime } from '../values/imprecise-time.js'
import type { Quote } from '../values/quote.js'
import type { Issuer, StatementKind, StatementSubject } from './types.js'

/** Records a readout or release as its issuer published it. */
export type PublishStatement = Command<
  'PublishStatement',
  {
    statementId: string
    kind: StatementKind
    issuer: Issuer
    title: string
    date: ImpreciseTime
    topics?: string[]
    quotes?: Quote[]
    relatesTo?: StatementSubject[]
  }
>

export type StatementCommand = PublishStatement

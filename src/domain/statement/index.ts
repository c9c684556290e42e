import type { Decider } from '../decider.js'
import type { StatementCommand } from './commands.js'
import { decideStatement } from './decide.js'
import type { StatementEvent } from './events.js'
import { evolveStatement } from './evolve.js'
import { initialStatementState, type StatementState } from './types.js'

export type * from './commands.js'
export type * from './events.js'
export * from './types.js'

/** The statement stream of `statementId`. */
export const statementStreamId = (statementId: string): string => `statement-${statementId}`

/** Statements: readouts and releases, published once. */
export const statementDecider: Decider<StatementCommand, StatementEvent, StatementState> = {
  decide: decideStatement,
  evolve: evolveStatement,
  initialState: initialStatementState,
  streamId: statementStreamId,
}

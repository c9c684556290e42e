export { appendToStream } from './append-to-stream.js'
export { AppendWaiter } from './append-waiter.js'
export {
  type AppendNotifications,
  type EventLogConnection,
  type Lease,
  openPglite,
  openPostgres,
  type PgliteConnection,
  READ_MODEL_CHANNEL,
  type ReadModelChange,
  type ReadModelNotifications,
  readModelPayload,
} from './connection.js'
export {
  AppendOnlyViolationError,
  IdempotencyConflictError,
  WrongExpectedVersionError,
} from './errors.js'
export { type Lag, lagBehind } from './lag.js'
export { LIMITS } from './limits.js'
export { type LogClock, type SettledLogClock, settleLogClock } from './log-clock.js'
export { migrateToLatest } from './migrate.js'
export { type AllSlice, checkpointAt, type ReadAllOptions, readAll, readHead } from './read-all.js'
export { readEvent } from './read-event.js'
export { readStream, readStreamFrom } from './read-stream.js'
export type { Database } from './schema.js'
export { subscribe } from './subscribe.js'
export * from './types.js'
export { isStoreUnavailable } from './unavailable.js'
export { verify } from './verify.js'

import { EntenteError } from '../domain/errors.js'
import type { ExpectedVersion } from './types.js'

/** The stream was not at the version the caller expected (HTTP 409, or 412 for If-Match). */
export class WrongExpectedVersionError extends EntenteError {
  readonly streamId: string
  readonly expected: ExpectedVersion
  readonly actual: number

  constructor(streamId: string, expected: ExpectedVersion, actual: number) {
    super(
      'wrong-expected-version',
      `stream ${streamId} is at version ${actual}, expected ${String(expected)}`,
    )
    this.streamId = streamId
    this.expected = expected
    this.actual = actual
  }
}

/** An event id that was already appended with other content, or to another stream. */
export class IdempotencyConflictError extends EntenteError {
  readonly streamId: string

  constructor(streamId: string, message: string) {
    super('event-id-conflict', message)
    this.streamId = streamId
  }
}

/** The event log refused a change to history (UPDATE, DELETE or TRUNCATE of events). */
export class AppendOnlyViolationError extends EntenteError {
  constructor(message: string) {
    super('append-only-violation', message)
  }
}

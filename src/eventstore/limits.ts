/** Limits that keep one append inside what Postgres, notify and readers handle well. */
export const LIMITS = {
  streamIdLength: 200,
  eventTypeLength: 200,
  eventsPerAppend: 1_000,
  /** The highest stream version: the column is a Postgres integer. */
  streamVersion: 2_147_483_647,
  /** Serialised bytes of one event's data and metadata together. */
  eventBytes: 1_048_576,
} as const

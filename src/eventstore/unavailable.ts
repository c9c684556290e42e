/** Socket errors of a server that is down, restarting or out of reach. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * SQLSTATEs of a server that cannot serve now: connection exceptions (class 08), too many
 * connections, shutting down (57P01 admin, 57P02 crash), starting up or recovering (57P03).
 */
const SERVER_CODES = /^(08...|53300|57P0[123])$/

/** What pg and its pool say, without a code, when a connection ends or cannot be had. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|timeout expired|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)/

/**
 * True for an error that says the database cannot be reached or cannot serve now, rather than
 * that the query was wrong: worth a 503 and a retry, and not worth a stack trace.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.test(code))) return true
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true
  // A connection to a name with several addresses fails with all of them.
  if (error instanceof AggregateError) return error.errors.some(isStoreUnavailable)
  return false
}

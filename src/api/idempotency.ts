import { createHash } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import { canonicalJson } from '../domain/json.js'
import type { Database } from '../eventstore/index.js'

/** A response as it is kept for replay. */
export interface StoredResponse {
  status: number
  body: unknown
  headers: Record<string, string>
}

export type Claim =
  /** This request holds the key (new, or taken over from a holder that died). */
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  /** The key was first used for another request. */
  | { kind: 'mismatch' }
  /** The key's first request is still being answered. */
  | { kind: 'in-flight' }

/** The fingerprint of a request: method, path, If-Match and body. */
export function requestHash(parts: {
  method: string
  url: string
  ifMatch?: string
  body: unknown
}): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex')
}

/**
 * Claims an idempotency key for a request, in its own short transaction (the append that
 * follows runs in another: the log orders readers by transaction id, and a transaction held
 * open across an append would hold them back). A pending claim lasts `leaseMs`; after that a
 * retry takes it over, for the first request may have died before it could answer.
 */
export async function claimKey(
  db: Kysely<Database>,
  principal: string,
  key: string,
  hash: string,
  leaseMs: number,
): Promise<Claim> {
  const claimed = await sql<{ claimed: boolean }>`
    insert into idempotency_keys (principal, key, request_hash, status, locked_until)
    values (${principal}, ${key}, ${hash}, 'pending',
            now() + ${leaseMs} * interval '1 millisecond')
    on conflict (principal, key) do update set locked_until = excluded.locked_until
      where idempotency_keys.status = 'pending'
        and idempotency_keys.locked_until < now()
        and idempotency_keys.request_hash = excluded.request_hash
    returning true as claimed`.execute(db)
  if (claimed.rows.length > 0) return { kind: 'claimed' }
  const known = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response_status', 'response_body', 'response_headers'])
    .where('principal', '=', principal)
    .where('key', '=', key)
    .executeTakeFirst()
  // Gone between the two statements (released after a failure): let the caller retry.
  if (!known) return { kind: 'in-flight' }
  if (known.request_hash !== hash) return { kind: 'mismatch' }
  if (known.status !== 'completed') return { kind: 'in-flight' }
  return {
    kind: 'replay',
    response: {
      status: known.response_status ?? 200,
      body: known.response_body,
      headers: known.response_headers ?? {},
    },
  }
}

/** Keeps the response of a claimed key, to replay to every retry. */
export async function completeKey(
  db: Kysely<Database>,
  principal: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({
      status: 'completed',
      locked_until: null,
      completed_at: new Date(),
      response_status: response.status,
      response_body: JSON.stringify(response.body),
      response_headers: JSON.stringify(response.headers),
    })
    .where('principal', '=', principal)
    .where('key', '=', key)
    .execute()
}

/** Gives a claimed key back (the request failed on our side): a retry may run it afresh. */
export async function releaseKey(
  db: Kysely<Database>,
  principal: string,
  key: string,
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', principal)
    .where('key', '=', key)
    .where('status', '=', 'pending')
    .execute()
}

/**
 * Ids derived from the caller, the key and the request (UUIDv5 layout over SHA-1): a retry
 * after a crash derives the same event and resource ids, so its append is recognised.
 */
export function derivedId(...parts: string[]): string {
  const hash = createHash('sha1').update(parts.join('\n')).digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Rows deleted per statement by a sweep: each delete is a short transaction of its own. */
const SWEEP_BATCH = 1_000

/**
 * Forgets idempotency keys first used more than `retentionMs` ago: answered ones, and claims
 * whose holder is gone (lease run out). A claim still held is kept whatever its age. Deletes
 * in batches, each its own short transaction (an open transaction would hold back the log's
 * readers). Returns how many keys were forgotten.
 */
export async function sweepIdempotencyKeys(
  db: Kysely<Database>,
  retentionMs: number,
): Promise<number> {
  let swept = 0
  for (;;) {
    const { numAffectedRows } = await sql`
      delete from idempotency_keys
       where ctid in (
         select ctid from idempotency_keys
          where created_at < now() - ${retentionMs} * interval '1 millisecond'
            and (status = 'completed' or locked_until is null or locked_until < now())
          limit ${SWEEP_BATCH})`.execute(db)
    const deleted = Number(numAffectedRows ?? 0)
    swept += deleted
    if (deleted < SWEEP_BATCH) return swept
  }
}

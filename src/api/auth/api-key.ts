import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * An API key as the caller holds it: `ent_<id>_<secret>`. The id (12 hex characters) is
 * public: it names the key in lists, logs and revocations. Only a SHA-256 hash of the whole
 * key is stored; the secret (32 random bytes) makes guessing hopeless, so a fast hash is
 * enough (no password stretching needed).
 */
const KEY_FORMAT = /^ent_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/

export interface NewApiKey {
  id: string
  /** The whole key, shown to its owner once and never stored. */
  key: string
  hash: Buffer
}

/** A fresh random key, its id and the hash to store. */
export function generateApiKey(): NewApiKey {
  const id = randomBytes(6).toString('hex')
  const key = `ent_${id}_${randomBytes(32).toString('base64url')}`
  return { id, key, hash: hashApiKey(key) }
}

/** The id of a well-formed key, or undefined. */
export function apiKeyId(key: string): string | undefined {
  return KEY_FORMAT.exec(key)?.[1]
}

/** Every request with a key hashes it: the one-shot `hash` spares a Hash object each time. */
export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer')
}

/** Whether a presented key hashes to the stored hash, in time independent of where they differ. */
export function apiKeyMatches(presented: string, storedHash: Uint8Array): boolean {
  const hash = hashApiKey(presented)
  return storedHash.length === hash.length && timingSafeEqual(hash, storedHash)
}

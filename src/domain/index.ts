/**
 * The pure domain of Entente: value types, one decider per aggregate, the interaction coding,
 * the event schema registry and upcasters. No I/O; time and ids come in with commands.
 */
export * from './call/index.js'
export * from './correction/index.js'
export * from './decider.js'
export * from './deciders.js'
export * from './errors.js'
export * from './event-schemas.js'
export * from './meeting/index.js'
export * from './relationship/index.js'
export * from './rules.js'
export * from './statement/index.js'
export * from './upcasters.js'
export type { CountryCode, Dyad } from './values/country.js'
export { dyadOf, isCountryCode } from './values/country.js'
export type { ImpreciseTime, Precision } from './values/imprecise-time.js'
export { PRECISIONS, within } from './values/imprecise-time.js'
export type { Person } from './values/person.js'
export type { Place } from './values/place.js'
export type { Quote } from './values/quote.js'
export type { Source, SourceCitation } from './values/source.js'
export * from './visit/index.js'

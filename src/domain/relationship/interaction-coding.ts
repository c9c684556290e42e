import type { Dyad } from '../values/country.js'

/**
 * The one versioned table that codes interactions for the relationship score. Codes are CAMEO
 * 1.1b3 with their Goldstein weights and the PLOVER category, mode and context of the 2021
 * CAMEO→PLOVER mapping (openeventdata/PLOVER). `weight` is Entente's own wᵢ in
 * S(t) = Σ wᵢ·cᵢ·2^(−(t−tᵢ)/90 days). Changing any row means a new version: events keep the
 * version they were coded with, so old scores can be explained.
 */
export const INTERACTION_CODING_VERSION = '2021.1'

export const INTERACTION_KINDS = [
  'visit-scheduled',
  'visit-completed',
  'visit-cancelled',
  'call',
  'meeting-announced',
  'meeting-held',
  'meeting-held-third-location',
  'meeting-cancelled',
  'friction-minor',
  'friction-serious',
  'friction-severe',
  'cooperation-diplomatic',
  'cooperation-economic',
  'cooperation-security',
  'cooperation-agreement',
] as const
export type InteractionKind = (typeof INTERACTION_KINDS)[number]

export interface InteractionCode {
  cameo: string
  cameoLabel: string
  goldstein: number
  plover: string
  mode: string | null
  context: string | null
  weight: number
}

type Row = [InteractionKind, string, string, number, string, string | null, string | null, number]

// kind, CAMEO code and label, Goldstein, PLOVER category, mode and context, weight
// biome-ignore format: a table reads best one row per line
const ROWS: Row[] = [
  ['visit-scheduled', '036', 'Express intent to meet or negotiate', 4.0, 'AGREE', null, 'diplomatic', 2.5],
  ['visit-completed', '042', 'Make a visit', 1.9, 'CONSULT', 'visit', null, 4],
  ['visit-cancelled', '125', 'Reject proposal to meet, discuss, or negotiate', -5.0, 'REJECT', 'meet', 'diplomatic', -2.5],
  ['call', '041', 'Discuss by telephone', 1.0, 'CONSULT', 'phone', null, 1.5],
  ['meeting-announced', '036', 'Express intent to meet or negotiate', 4.0, 'AGREE', null, 'diplomatic', 2.5],
  ['meeting-held', '042', 'Make a visit', 1.9, 'CONSULT', 'visit', null, 4],
  ['meeting-held-third-location', '044', "Meet at a 'third' location", 2.5, 'CONSULT', 'third-party', null, 3],
  ['meeting-cancelled', '125', 'Reject proposal to meet, discuss, or negotiate', -5.0, 'REJECT', 'meet', 'diplomatic', -2.5],
  ['friction-minor', '111', 'Criticize or denounce', -2.0, 'ACCUSE', 'disapprove', null, -1.5],
  ['friction-serious', '120', 'Reject', -4.0, 'REJECT', null, null, -3],
  ['friction-severe', '161', 'Reduce or break diplomatic relations', -4.0, 'SANCTION', 'withdraw', 'diplomatic', -5],
  ['cooperation-diplomatic', '050', 'Engage in diplomatic cooperation', 3.5, 'SUPPORT', null, 'diplomatic', 2],
  ['cooperation-economic', '061', 'Cooperate economically', 6.4, 'COOPERATE', null, 'economic', 2.5],
  ['cooperation-security', '062', 'Cooperate militarily', 7.4, 'COOPERATE', null, 'military', 2.5],
  ['cooperation-agreement', '057', 'Sign formal agreement', 8.0, 'SUPPORT', null, 'diplomatic', 4],
]

/** The coding of each kind of interaction. */
export const INTERACTION_CODING: Readonly<Record<InteractionKind, InteractionCode>> =
  Object.fromEntries(
    ROWS.map(([kind, cameo, cameoLabel, goldstein, plover, mode, context, weight]) => [
      kind,
      { cameo, cameoLabel, goldstein, plover, mode, context, weight },
    ]),
  ) as Record<InteractionKind, InteractionCode>

/** An interaction as events carry it: the coding, the dyad, and when it happened. */
export interface Interaction extends InteractionCode {
  codingVersion: string
  kind: InteractionKind
  dyad: Dyad
  /** The best-known instant of the interaction (UTC), for decay in the score. */
  occurredAt: string
}

/** Codes one interaction of `kind` between the countries of `dyad`. */
export function codeInteraction(
  kind: InteractionKind,
  dyad: Dyad,
  occurredAt: string,
): Interaction {
  return {
    codingVersion: INTERACTION_CODING_VERSION,
    kind,
    ...INTERACTION_CODING[kind],
    dyad,
    occurredAt,
  }
}

/** One interaction of `kind` for every pair of distinct countries among `countries`. */
export function codeInteractions(
  kind: InteractionKind,
  dyads: readonly Dyad[],
  occurredAt: string,
): Interaction[] {
  return dyads.map((dyad) => codeInteraction(kind, dyad, occurredAt))
}

import { INTERACTION_CODING_VERSION } from '../../domain/relationship/interaction-coding.js'
import type { FrictionSeverity } from '../../domain/relationship/types.js'

/**
 * The rules that turn a pair's interactions into a score, a trend and a label. Stored in every
 * relationship document, so a status can always be explained by the rules it was computed
 * with; changing any value means a new `version` (and the projection's version: a rebuild).
 */
export interface RelationshipRules {
  version: string
  /** The interaction coding (src/domain/relationship/interaction-coding.ts) whose weights wᵢ count. */
  codingVersion: string
  /** S(t) = Σ wᵢ·cᵢ·2^(−(t−tᵢ)/halfLifeDays) over the interactions with tᵢ ≤ t. */
  halfLifeDays: number
  /**
   * cᵢ, a confidence factor in (0, 1]: `firstHand` when one of the fact's sources is an
   * original (it cites no other source), `secondHand` when all of them report someone else's.
   * It never changes the sign: wᵢ carries that (REJECT, ACCUSE, SANCTION are negative).
   */
  confidence: { firstHand: number; secondHand: number }
  /** Trend = S(t) − S(t − windowDays): `up` above +flatBand, `down` below −flatBand. */
  trend: { windowDays: number; flatBand: number }
  /** By score alone: strained below `strainedBelow`, close from `closeFrom`, else normal. */
  thresholds: { strainedBelow: number; closeFrom: number }
  /**
   * An open friction of one of `severities` that began within `windowDays` caps the label at
   * strained, unless the score reaches `unlessScoreFrom` (the relationship is well positive).
   */
  friction: { severities: FrictionSeverity[]; windowDays: number; unlessScoreFrom: number }
  /**
   * Recovering: the trend is up and the pair is strained now (by score or friction) or was 30
   * days ago (by the same test), and the score is not yet close.
   */
  recovering: string
}

/**
 * Version 2026-11.1. A lone friction of −3 fades by about 0.6 in 30 days (the half-life is 90),
 * which `flatBand` 1 calls flat: forgetting alone is not recovery. One call (+1.5) or one
 * announced visit or meeting (+2.5) in the window is a rise.
 */
export const RELATIONSHIP_RULES: RelationshipRules = {
  version: '2026-11.1',
  codingVersion: INTERACTION_CODING_VERSION,
  halfLifeDays: 90,
  confidence: { firstHand: 1, secondHand: 0.8 },
  trend: { windowDays: 30, flatBand: 1 },
  thresholds: { strainedBelow: -2, closeFrom: 8 },
  friction: { severities: ['serious', 'severe'], windowDays: 180, unlessScoreFrom: 8 },
  recovering: 'trend up and strained now or 30 days ago, score below close',
}

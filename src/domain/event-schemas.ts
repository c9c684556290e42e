/**
 * The current schema version of every event type's data. Stored events carry the version they
 * were written with; `upcast` (upcasters.ts) brings older ones up to these before `evolve`.
 * Bump a version only together with an upcaster from the previous one.
 */
export const EVENT_SCHEMAS = {
  VisitScheduled: 1,
  VisitRescheduled: 2,
  VisitCancelled: 1,
  VisitCompleted: 1,
  ItineraryEngagementAdded: 1,
  ItineraryEngagementChanged: 1,
  ItineraryEngagementRemoved: 1,
  DelegationMemberAdded: 1,
  DelegationMemberRemoved: 1,
  CallRecorded: 2,
  MeetingAnnounced: 1,
  MeetingConfirmed: 2,
  MeetingRescheduled: 2,
  MeetingHeld: 1,
  MeetingCancelled: 1,
  MeetingOutcomeRecorded: 1,
  StatementPublished: 1,
  FrictionRecorded: 1,
  FrictionResolved: 1,
  CooperationRecorded: 1,
  RelationshipAssessed: 1,
  FactCorrected: 1,
  FactRetracted: 1,
} as const satisfies Record<string, number>

export type DomainEventType = keyof typeof EVENT_SCHEMAS

export function isDomainEventType(type: string): type is DomainEventType {
  return Object.hasOwn(EVENT_SCHEMAS, type)
}

/** The version to write new events of `type` with (1 for types this registry does not know). */
export function schemaVersionOf(type: string): number {
  return isDomainEventType(type) ? EVENT_SCHEMAS[type] : 1
}

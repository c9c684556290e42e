export {
  advanceRelayCheckpoint,
  loadRelayCheckpoint,
  RelayCheckpointMovedError,
  type RelayCheckpointsTable,
} from './checkpoint.js'
export {
  CE_TYPE_PREFIX,
  type DeliveredEvent,
  type EventMessage,
  fromMessage,
  HEADERS,
  headersAsText,
  NotAnEventError,
  toMessage,
} from './cloud-events.js'
export {
  consumeEvents,
  type EventConsumer,
  type EventConsumerOptions,
  RecentEventIds,
  type SeenEvents,
} from './consumer.js'
export { createKafka, type MessagingLogger, quietNegativeTimeoutWarnings } from './kafka-client.js'
export { KafkaRelay, RELAY_DISABLED, type RelayOptions, type RelayStatus } from './relay.js'
export {
  AGGREGATE_TYPES,
  aggregateTypeOf,
  allTopics,
  ensureTopics,
  topicName,
  topicOf,
} from './topics.js'

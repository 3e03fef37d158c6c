export { LocalEventBridge, EventBridgeError, DEFAULT_BUS } from './bus';
export type {
  DeliveryListener,
  DeliveryRecord,
  EventEnvelope,
  LocalEventBridgeOptions,
  PutEventsEntry,
  PutEventsResult,
  PutRuleInput,
  RuleDescription,
  Target,
} from './bus';
export { LocalArchives, ArchiveError, DEFAULT_MAX_ARCHIVED_EVENTS } from './archive';
export type { ArchiveDescription, ArchivedEvent, ReplayDescription, StartReplayInput } from './archive';
export { startEventBridgeServer, SUPPORTED_OPERATIONS } from './server';
export type { RunningEventBridgeServer } from './server';
export { parseSchedule, nextFireTime, ManualClock, systemClock, ScheduleExpressionError } from './schedule';
export type { Clock, Schedule } from './schedule';
export {
  applyInputTransformer,
  renderTargetInput,
  selectPath,
  parsePath,
  validateTargetInput,
} from './transform';
export type { InputTransformer, TargetInputConfig } from './transform';

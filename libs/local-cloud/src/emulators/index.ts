export { startDynamoDb, dynamoDbLocalDir } from './dynamodb';
export { emulatorEndpoints } from './endpoints';
export type { DynamoDbOptions, RunningDynamoDb } from './dynamodb';
export { startFauxqs } from './fauxqs';
export type { FauxqsOptions } from './fauxqs';
export { startSes, listEmails, clearEmails } from './ses';
export type { RunningSes, LocalEmail } from './ses';
export { findFreePort, endpointOf, LOOPBACK } from './ports';
export type { EmulatorOptions, RunningEmulator } from './ports';

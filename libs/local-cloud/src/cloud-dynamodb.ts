import { join } from 'node:path';
import { startDynamoDb } from './emulators/dynamodb';
import type { RunningDynamoDb } from './emulators/dynamodb';
import { localBuildDir } from './repo-root';

/**
 * DynamoDB Local as the local cloud runs it: its data under the state folder when persisted, its
 * launcher compiled once under the repository's build folder. A module of its own, light to load, so
 * `npm start` can start the JVM (the slowest emulator) before it loads the rest of the cloud.
 */
export function startCloudDynamoDb(options: {
  repoRoot: string;
  stateDir: string;
  persist: boolean;
}): Promise<RunningDynamoDb> {
  return startDynamoDb({
    persistDir: options.persist ? join(options.stateDir, 'data', 'dynamodb') : undefined,
    cacheDir: localBuildDir(options.repoRoot),
  });
}

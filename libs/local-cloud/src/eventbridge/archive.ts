// Bus archives and replays, as EventBridge has them: an archive keeps every event its bus accepts
// (optionally those matching a pattern) for RetentionDays; StartReplay sends the archived events of
// a time window back through the bus's rules (all, or only those named in FilterArns), each carrying
// `replay-name`, and DescribeReplay/ListReplays report its state. Replayed events are not archived
// again. Everything is in memory: the local cloud's history starts when it does.
import { compilePattern, UnsupportedPatternError } from '../event-pattern';
import type { EventMatcher } from '../event-pattern';
import type { Clock } from './schedule';

/** The envelope a replayed event carries: the original's, plus the replay's name. */
export interface ArchivedEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  'replay-name'?: string;
  [field: string]: unknown;
}

export interface ArchiveDescription {
  ArchiveName: string;
  ArchiveArn: string;
  EventSourceArn: string;
  Description?: string;
  EventPattern?: string;
  State: 'ENABLED';
  RetentionDays: number;
  EventCount: number;
  SizeBytes: number;
  CreationTime: number;
}

export interface ReplayDescription {
  ReplayName: string;
  ReplayArn: string;
  Description?: string;
  State: 'STARTING' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
  StateReason?: string;
  EventSourceArn: string;
  Destination: { Arn: string; FilterArns?: string[] };
  EventStartTime: number;
  EventEndTime: number;
  EventLastReplayedTime?: number;
  ReplayStartTime: number;
  ReplayEndTime?: number;
}

export interface StartReplayInput {
  ReplayName: string;
  Description?: string;
  EventSourceArn: string;
  EventStartTime: number | string | Date;
  EventEndTime: number | string | Date;
  Destination: { Arn: string; FilterArns?: string[] };
}

interface Archive {
  name: string;
  arn: string;
  busName: string;
  sourceArn: string;
  description?: string;
  eventPattern?: string;
  matcher?: EventMatcher;
  retentionDays: number;
  createdAt: number;
  /** Oldest first: (arrival ms, event, its JSON size). */
  events: { at: number; event: ArchivedEvent; size: number }[];
}

/** Sends one replayed event through a bus's rules, only those whose ARN is in `ruleArns` when given. */
export type ReplayRouter = (busName: string, event: ArchivedEvent, ruleArns?: readonly string[]) => void;

export class ArchiveError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Most events one archive holds locally, whatever its retention: the local cloud's memory is bounded. */
export const DEFAULT_MAX_ARCHIVED_EVENTS = 100_000;
/** Events sent per turn of the event loop while replaying, so a long replay does not stall the bus. */
const REPLAY_BATCH = 200;

const epochSeconds = (value: number | string | Date): number => {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ArchiveError('ValidationException', 'A replay time is not a valid timestamp.');
  return ms / 1000;
};

export class LocalArchives {
  private readonly archives = new Map<string, Archive>();
  private readonly replays = new Map<string, ReplayDescription>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly clock: Clock,
    private readonly route: ReplayRouter,
    private readonly maxEvents = DEFAULT_MAX_ARCHIVED_EVENTS,
  ) {}

  createArchive(input: {
    ArchiveName: string;
    EventSourceArn: string;
    busName: string;
    Description?: string;
    EventPattern?: string | object;
    RetentionDays?: number;
  }): { ArchiveArn: string; State: 'ENABLED'; CreationTime: number } {
    if (!/^[.\-_A-Za-z0-9]{1,48}$/.test(input.ArchiveName ?? ''))
      throw new ArchiveError('ValidationException', 'ArchiveName is not valid.');
    if (this.archives.has(input.ArchiveName))
      throw new ArchiveError(
        'ResourceAlreadyExistsException',
        `Archive ${input.ArchiveName} already exists.`,
      );
    const pattern =
      input.EventPattern === undefined
        ? undefined
        : typeof input.EventPattern === 'string'
          ? input.EventPattern
          : JSON.stringify(input.EventPattern);
    let matcher: EventMatcher | undefined;
    try {
      matcher = pattern ? compilePattern(pattern) : undefined;
    } catch (error) {
      if (error instanceof UnsupportedPatternError)
        throw new ArchiveError('InvalidEventPatternException', error.message);
      throw error;
    }
    const archive: Archive = {
      name: input.ArchiveName,
      arn: `arn:aws:events:${this.region}:${this.accountId}:archive/${input.ArchiveName}`,
      busName: input.busName,
      sourceArn: input.EventSourceArn,
      description: input.Description,
      eventPattern: pattern,
      matcher,
      retentionDays: Number(input.RetentionDays ?? 0),
      createdAt: this.clock.now(),
      events: [],
    };
    this.archives.set(archive.name, archive);
    return { ArchiveArn: archive.arn, State: 'ENABLED', CreationTime: archive.createdAt / 1000 };
  }

  /** Creates the archive unless one of that name exists (provisioning runs again on restart). */
  ensureArchive(input: Parameters<LocalArchives['createArchive']>[0]): string {
    return this.archives.get(input.ArchiveName)?.arn ?? this.createArchive(input).ArchiveArn;
  }

  describeArchive(name: string): ArchiveDescription {
    const archive = this.requireArchive(name);
    this.prune(archive);
    return {
      ArchiveName: archive.name,
      ArchiveArn: archive.arn,
      EventSourceArn: archive.sourceArn,
      ...(archive.description ? { Description: archive.description } : {}),
      ...(archive.eventPattern ? { EventPattern: archive.eventPattern } : {}),
      State: 'ENABLED',
      RetentionDays: archive.retentionDays,
      EventCount: archive.events.length,
      SizeBytes: archive.events.reduce((sum, e) => sum + e.size, 0),
      CreationTime: archive.createdAt / 1000,
    };
  }

  listArchives(busArn?: string): ArchiveDescription[] {
    return [...this.archives.values()]
      .filter((archive) => !busArn || archive.sourceArn === busArn)
      .map((archive) => this.describeArchive(archive.name));
  }

  deleteArchive(name: string): void {
    this.requireArchive(name);
    this.archives.delete(name);
  }

  /** Called for every event a bus accepts (never for replayed ones). */
  record(busName: string, event: ArchivedEvent): void {
    for (const archive of this.archives.values()) {
      if (archive.busName !== busName) continue;
      if (archive.matcher && !archive.matcher(event as never)) continue;
      archive.events.push({ at: this.clock.now(), event, size: JSON.stringify(event).length });
      if (archive.events.length > this.maxEvents)
        archive.events.splice(0, archive.events.length - this.maxEvents);
    }
  }

  startReplay(input: StartReplayInput): { ReplayArn: string; State: 'STARTING'; ReplayStartTime: number } {
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(input.ReplayName ?? ''))
      throw new ArchiveError('ValidationException', 'ReplayName is not valid.');
    if (this.replays.has(input.ReplayName))
      throw new ArchiveError('ResourceAlreadyExistsException', `Replay ${input.ReplayName} already exists.`);
    const archiveName = /:archive\/(.+)$/.exec(input.EventSourceArn ?? '')?.[1];
    const archive = archiveName ? this.archives.get(archiveName) : undefined;
    if (!archive) throw new ArchiveError('ResourceNotFoundException', 'Archive does not exist.');
    if (input.Destination?.Arn !== archive.sourceArn)
      throw new ArchiveError('ValidationException', 'A replay goes back to the bus its archive records.');
    const start = epochSeconds(input.EventStartTime);
    const end = epochSeconds(input.EventEndTime);
    if (!(start < end))
      throw new ArchiveError('ValidationException', 'EventStartTime must be before EventEndTime.');
    const replay: ReplayDescription = {
      ReplayName: input.ReplayName,
      ReplayArn: `arn:aws:events:${this.region}:${this.accountId}:replay/${input.ReplayName}`,
      ...(input.Description ? { Description: input.Description } : {}),
      State: 'STARTING',
      EventSourceArn: archive.arn,
      Destination: structuredClone(input.Destination),
      EventStartTime: start,
      EventEndTime: end,
      ReplayStartTime: this.clock.now() / 1000,
    };
    this.replays.set(replay.ReplayName, replay);
    this.prune(archive);
    // Events are chosen by their own time (as EventBridge does), from a copy taken now.
    const selected = archive.events
      .map((entry) => entry.event)
      .filter((event) => {
        const t = Date.parse(event.time) / 1000;
        return t >= start && t < end;
      });
    setImmediate(() => void this.run(replay, archive.busName, selected));
    return { ReplayArn: replay.ReplayArn, State: 'STARTING', ReplayStartTime: replay.ReplayStartTime };
  }

  describeReplay(name: string): ReplayDescription {
    const replay = this.replays.get(name);
    if (!replay) throw new ArchiveError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    return structuredClone(replay);
  }

  listReplays(
    filter: { NamePrefix?: string; EventSourceArn?: string; State?: string } = {},
  ): ReplayDescription[] {
    return [...this.replays.values()]
      .filter((r) => !filter.NamePrefix || r.ReplayName.startsWith(filter.NamePrefix))
      .filter((r) => !filter.EventSourceArn || r.EventSourceArn === filter.EventSourceArn)
      .filter((r) => !filter.State || r.State === filter.State)
      .map((r) => structuredClone(r));
  }

  cancelReplay(name: string): { State: 'CANCELLED' | ReplayDescription['State'] } {
    const replay = this.replays.get(name);
    if (!replay) throw new ArchiveError('ResourceNotFoundException', `Replay ${name} does not exist.`);
    if (replay.State === 'STARTING' || replay.State === 'RUNNING') replay.State = 'CANCELLED';
    return { State: replay.State };
  }

  private async run(replay: ReplayDescription, busName: string, events: ArchivedEvent[]): Promise<void> {
    if (replay.State !== 'STARTING') return;
    replay.State = 'RUNNING';
    try {
      for (let i = 0; i < events.length; i++) {
        if ((replay.State as string) === 'CANCELLED') return;
        const event = events[i]!;
        this.route(busName, { ...event, 'replay-name': replay.ReplayName }, replay.Destination.FilterArns);
        replay.EventLastReplayedTime = Date.parse(event.time) / 1000;
        if ((i + 1) % REPLAY_BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      replay.State = 'COMPLETED';
    } catch (error) {
      replay.State = 'FAILED';
      replay.StateReason = error instanceof Error ? error.message : String(error);
    } finally {
      replay.ReplayEndTime = this.clock.now() / 1000;
    }
  }

  private prune(archive: Archive): void {
    if (archive.retentionDays <= 0) return;
    const cutoff = this.clock.now() - archive.retentionDays * DAY_MS;
    const keepFrom = archive.events.findIndex((entry) => entry.at >= cutoff);
    if (keepFrom === -1) archive.events.length = 0;
    else if (keepFrom > 0) archive.events.splice(0, keepFrom);
  }

  private requireArchive(name: string): Archive {
    const archive = this.archives.get(name);
    if (!archive) throw new ArchiveError('ResourceNotFoundException', `Archive ${name} does not exist.`);
    return archive;
  }
}

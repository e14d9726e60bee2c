import type {
  CreateLogGroupCommandOutput,
  DescribeLogStreamsCommandOutput,
  FilterLogEventsCommandOutput,
  GetLogEventsCommandOutput,
  LogStream,
} from "@aws-sdk/client-cloudwatch-logs";
import { ApiError } from "./errors.js";
import { patternMatcher } from "./logs-filter.js";
import type { WireOutput } from "./protocols/wire.js";
import { optInt, optString, optStringList, reqString } from "./validate.js";

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
  eventId: string;
}
interface Stream {
  name: string;
  createdAt: number;
  events: LogEvent[];
}
interface Group {
  name: string;
  createdAt: number;
  streams: Map<string, Stream>;
}

const notFound = (what: "group" | "stream") =>
  new ApiError("ResourceNotFoundException", `The specified log ${what} does not exist.`);
const invalid = (message: string) => new ApiError("InvalidParameterException", message);

/** CloudWatch Logs: the groups and streams tasks write to with the awslogs driver. */
export class LogStore {
  private readonly groups = new Map<string, Group>();
  private eventSeq = 0;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  hasGroup(name: string): boolean {
    return this.groups.has(name);
  }

  createGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, { name, createdAt: Date.now(), streams: new Map() });
  }

  /** The stream, created if new (the awslogs driver creates it as the container starts); never the group. */
  createStream(groupName: string, streamName: string): Stream | undefined {
    const group = this.groups.get(groupName);
    if (!group) return undefined;
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = { name: streamName, createdAt: Date.now(), events: [] };
      group.streams.set(streamName, stream);
    }
    return stream;
  }

  /** Append a line to a stream, creating the stream but never the group. */
  append(groupName: string, streamName: string, message: string): void {
    const stream = this.createStream(groupName, streamName);
    if (!stream) return;
    const now = Date.now();
    stream.events.push({
      timestamp: now,
      message,
      ingestionTime: now,
      eventId: String(++this.eventSeq).padStart(20, "0"),
    });
  }

  private group(input: Record<string, unknown>): Group {
    const name = optString(input, "logGroupName") ?? optString(input, "logGroupIdentifier");
    if (!name)
      throw invalid(
        "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
      );
    const group = this.groups.get(name.replace(/^arn:aws:logs:[^:]*:\d+:log-group:/, "").replace(/:\*$/, ""));
    if (!group) throw notFound("group");
    return group;
  }

  createLogGroup(input: Record<string, unknown>): WireOutput<CreateLogGroupCommandOutput> {
    const name = reqString(input, "logGroupName");
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) {
      throw invalid(
        `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
      );
    }
    if (this.groups.has(name))
      throw new ApiError("ResourceAlreadyExistsException", "The specified log group already exists");
    this.createGroup(name);
    return {};
  }

  describeLogStreams(input: Record<string, unknown>): WireOutput<DescribeLogStreamsCommandOutput> {
    const group = this.group(input);
    const prefix = optString(input, "logStreamNamePrefix");
    const orderBy = optString(input, "orderBy") ?? "LogStreamName";
    if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime")
      throw invalid(`Invalid orderBy: ${orderBy}`);
    if (prefix !== undefined && orderBy === "LastEventTime") {
      throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
    }
    const limit = optInt(input, "limit", { min: 1, max: 50 }) ?? 50;
    const start = decodeIndex(optString(input, "nextToken"));
    const last = (s: Stream) => s.events.at(-1)?.timestamp ?? 0;
    const streams = [...group.streams.values()]
      .filter((s) => prefix === undefined || s.name.startsWith(prefix))
      .sort((a, b) => (orderBy === "LastEventTime" ? last(a) - last(b) : a.name < b.name ? -1 : 1));
    if (input["descending"] === true) streams.reverse();
    const page = streams.slice(start, start + limit);
    const logStreams: LogStream[] = page.map((s) => ({
      logStreamName: s.name,
      creationTime: s.createdAt,
      firstEventTimestamp: s.events[0]?.timestamp,
      lastEventTimestamp: s.events.at(-1)?.timestamp,
      lastIngestionTime: s.events.at(-1)?.ingestionTime,
      arn: `arn:aws:logs:${this.region}:${this.accountId}:log-group:${group.name}:log-stream:${s.name}`,
      storedBytes: 0,
    }));
    return { logStreams, nextToken: start + limit < streams.length ? encodeIndex(start + limit) : undefined };
  }

  getLogEvents(input: Record<string, unknown>): WireOutput<GetLogEventsCommandOutput> {
    const group = this.group(input);
    const stream = group.streams.get(reqString(input, "logStreamName"));
    if (!stream) throw notFound("stream");
    const limit = optInt(input, "limit", { min: 1, max: 10000 }) ?? 10000;
    const events = inRange(stream.events, input);
    const token = optString(input, "nextToken");
    let from: number;
    let to: number;
    if (token === undefined) {
      if (input["startFromHead"] === true) [from, to] = [0, Math.min(limit, events.length)];
      else [from, to] = [Math.max(0, events.length - limit), events.length];
    } else {
      const m = /^([fb])\/(\d+)$/.exec(token);
      if (!m) throw invalid("The specified nextToken is invalid.");
      const at = Math.min(Number(m[2]), events.length);
      [from, to] = m[1] === "f" ? [at, Math.min(events.length, at + limit)] : [Math.max(0, at - limit), at];
    }
    return {
      events: events
        .slice(from, to)
        .map(({ timestamp, message, ingestionTime }) => ({ timestamp, message, ingestionTime })),
      nextForwardToken: `f/${to}`,
      nextBackwardToken: `b/${from}`,
    };
  }

  filterLogEvents(input: Record<string, unknown>): WireOutput<FilterLogEventsCommandOutput> {
    const group = this.group(input);
    const names = optStringList(input, "logStreamNames", { max: 100 });
    const prefix = optString(input, "logStreamNamePrefix");
    if (names && prefix !== undefined) {
      throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive");
    }
    const limit = optInt(input, "limit", { min: 1, max: 10000 }) ?? 10000;
    const start = decodeIndex(optString(input, "nextToken"));
    const match = patternMatcher(optString(input, "filterPattern") ?? "");
    const all = [...group.streams.values()]
      .filter((s) => (names ? names.includes(s.name) : prefix === undefined || s.name.startsWith(prefix)))
      .flatMap((s) => inRange(s.events, input, true).map((e) => ({ ...e, logStreamName: s.name })))
      .filter((e) => match(e.message))
      .sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));
    const page = all.slice(start, start + limit);
    return {
      events: page,
      searchedLogStreams: [],
      nextToken: start + limit < all.length ? encodeIndex(start + limit) : undefined,
    };
  }
}

/**
 * Events from startTime on and before endTime. The API reference words endTime differently per
 * call: GetLogEvents leaves out "a timestamp equal to or later than this time", FilterLogEvents
 * only "a timestamp later than this time", so FilterLogEvents includes an event at endTime.
 */
function inRange(events: LogEvent[], input: Record<string, unknown>, endInclusive = false): LogEvent[] {
  const startTime = optInt(input, "startTime", { min: 0 });
  const endTime = optInt(input, "endTime", { min: 0 });
  return events.filter(
    (e) =>
      (startTime === undefined || e.timestamp >= startTime) &&
      (endTime === undefined || e.timestamp < endTime || (endInclusive && e.timestamp === endTime)),
  );
}

const encodeIndex = (n: number): string => Buffer.from(`i:${n}`).toString("base64url");
function decodeIndex(token: string | undefined): number {
  if (token === undefined) return 0;
  const m = /^i:(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw invalid("The specified nextToken is invalid.");
  return Number(m[1]);
}

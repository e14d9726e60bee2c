/** Worker protocol v1 as the orchestrator reads it: the shapes come from `@ecs-fanout/protocol`. */
import { type InfoResponse, isValidJobId } from "@ecs-fanout/protocol";

export { encodeParams, type JobState, type JobStatus } from "@ecs-fanout/protocol";

/** `GET /v1/info`, checked against the protocol's schema. */
export type WorkerInfo = InfoResponse;

/** A job id the worker accepts: the segment id and attempt, e.g. `seg-001.a2`. */
export function jobIdFor(segmentId: string, attempt: number): string {
  const id = `${segmentId}.a${attempt}`;
  if (!isValidJobId(id)) throw new RangeError(`not a valid job id: ${id}`);
  return id;
}

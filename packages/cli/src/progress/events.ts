import type { FanoutEvent, RunNetwork } from "ecs-fanout";
import { shortArn } from "../report/format.js";
import { lossReason } from "../report/lost-tasks.js";
import type { ProgressReporter } from "./types.js";

/**
 * Turns the core's typed events into reporter calls. Tasks are named `#n id` in launch order,
 * which reads better than ARNs and stays stable through the run.
 */
export class EventTranslator {
  private readonly keys = new Map<string, string>();
  private processing = false;

  constructor(private readonly reporter: ProgressReporter) {}

  /** The short name used for a task in progress lines and the report. */
  key(taskArn: string): string {
    let key = this.keys.get(taskArn);
    if (!key) {
      key = `#${this.keys.size + 1} ${shortArn(taskArn).slice(0, 8)}`;
      this.keys.set(taskArn, key);
    }
    return key;
  }

  handle(event: FanoutEvent): void {
    const r = this.reporter;
    switch (event.type) {
      case "run.started": {
        const network = describeNetwork(event.network);
        r.phase(
          "launching",
          `${event.segments} segments, ${event.plannedTasks} tasks planned (run ${event.runId})${network ? `; ${network}` : ""}`,
        );
        break;
      }
      case "task.launched":
        r.task(
          this.key(event.taskArn),
          "PROVISIONING",
          event.replacementFor ? `(replaces ${this.key(event.replacementFor)})` : undefined,
        );
        break;
      case "task.launchFailed":
        r.note(
          `RunTask refused ${event.count}${event.tried === undefined ? "" : ` of ${event.tried}`} task(s) (${event.kind}${event.willRetry ? ", retrying" : ""}): ${event.reasons.join("; ")}`,
        );
        break;
      case "capacity.waiting":
        r.note(capacityLine(event));
        break;
      case "task.fallback":
        r.note(`${event.count} task(s) moved from ${event.from} to ${event.to}: ${event.reason}`);
        break;
      case "task.running":
        r.task(this.key(event.taskArn), "RUNNING");
        break;
      case "task.ready":
        if (!this.processing) r.phase("processing");
        this.processing = true;
        r.task(this.key(event.taskArn), "ready", `after ${(event.startupMs / 1000).toFixed(1)}s`);
        break;
      case "task.stopped":
        r.task(
          this.key(event.taskArn),
          "STOPPED",
          event.expected ? undefined : `(lost: ${lossReason(event)})`,
        );
        break;
      case "segment.uploaded":
        r.segmentProgress(this.key(event.taskArn), event.segmentId, "uploaded");
        break;
      case "segment.started":
        r.segmentProgress(this.key(event.taskArn), event.segmentId, "processing", 0);
        break;
      case "segment.progress":
        r.segmentProgress(this.key(event.taskArn), event.segmentId, "processing", event.progress);
        break;
      case "segment.takenBack":
        r.segmentMoved(this.key(event.fromTaskArn), this.key(event.toTaskArn), event.segmentId);
        break;
      case "segment.downloaded":
        r.segmentDone(this.key(event.taskArn), event.segmentId);
        break;
      case "segment.failed":
        r.segmentFailed(
          event.taskArn ? this.key(event.taskArn) : undefined,
          event.segmentId,
          `${event.code}: ${event.message}`,
          event.willRetry,
        );
        break;
      case "stage.progress":
        r.staging(event.bytesDone, event.bytesTotal, event.objectsDone, event.objectsTotal);
        break;
      case "multipart.abortFailed":
        r.note(
          `warning: could not abort the multipart upload ${event.uploadId} of s3://${event.bucket}/${event.key} ` +
            `(${event.error}); the run tries again at its end, and --resume aborts it`,
        );
        break;
      case "multipart.closed":
        if (event.fromRunId !== undefined && event.outcome === "aborted")
          r.note(
            `aborted the multipart upload ${event.uploadId} of s3://${event.bucket}/${event.key} left open by run ${event.fromRunId}`,
          );
        break;
      case "run.finished":
        break;
    }
  }
}

/** "waiting for GPU capacity: 3 of 8 tasks placed", or that all are placed now. */
export function capacityLine(event: {
  placed: number;
  wanted: number;
  gpu: boolean;
  waitingMs: number;
}): string {
  const what = event.gpu ? "GPU capacity" : "capacity";
  if (event.placed >= event.wanted)
    return `${what}: all ${event.wanted} tasks placed after ${(event.waitingMs / 1000).toFixed(1)}s`;
  return `waiting for ${what}: ${event.placed} of ${event.wanted} tasks placed`;
}

/**
 * Where the tasks go, said once at launch: above all when the core picked the default VPC
 * because no subnets were given, so the user sees which network (and group) that was.
 * Undefined for bridge/host-mode tasks, which have no awsvpc network.
 */
export function describeNetwork(network: RunNetwork): string | undefined {
  if (network.subnets === undefined) return undefined;
  const where = network.defaultVpc === undefined ? "subnets" : `default VPC ${network.defaultVpc}, subnets`;
  const groups = network.securityGroups?.length
    ? `, security groups ${network.securityGroups.join(",")}`
    : "";
  return `network: ${where} ${network.subnets.join(",")}${groups}, ${network.assignPublicIp ? "public IP" : "private IP"}`;
}

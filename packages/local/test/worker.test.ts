import { createHash } from "node:crypto";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { findWorkerPackage } from "../src/tasks/images.js";
import { privateIp, runOne, testHarness, waitFor, waitForStatus } from "./helpers.js";

describe.skipIf(findWorkerPackage() === undefined)("the default image: the @ecs-fanout/worker bin", () => {
  it("runs the worker, which learns its task ARN from the metadata endpoint", async () => {
    // A longer stop timeout than the test task needs: the worker drains before it exits 0.
    const h = await testHarness({ defaultImages: true, timings: { stopTimeoutMsScale: 0.1 } });
    const arn = await runOne(h, {
      overrides: {
        containerOverrides: [
          {
            name: "worker",
            environment: [
              // This test is about the metadata endpoint; TLS has its own tests in the worker package.
              { name: "FANOUT_TOKEN_SHA256", value: createHash("sha256").update("t0k").digest("hex") },
              { name: "FANOUT_INSECURE_PLAIN_HTTP", value: "1" },
              { name: "FANOUT_RUN_ID", value: "run-1" },
            ],
          },
        ],
      },
    });
    const ip = privateIp(await waitForStatus(h, arn, "RUNNING"));
    const info = await waitFor(
      "the worker's /v1/info",
      async () => {
        try {
          const res = await fetch(`http://${ip}:8080/v1/info`, { headers: { authorization: "Bearer t0k" } });
          return res.ok ? ((await res.json()) as { runId?: string; taskArn?: string }) : undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
    );
    expect(info).toMatchObject({ runId: "run-1", taskArn: arn });
    await h.ecs.send(new StopTaskCommand({ task: arn }));
    const stopped = await waitForStatus(h, arn, "STOPPED");
    expect(stopped.containers?.[0]?.exitCode).toBe(0);
  });
});

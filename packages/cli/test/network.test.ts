import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, type ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { generateTestVideo } from "@ecs-fanout/video";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { networkOptions } from "../src/commands/run.js";
import { main } from "../src/main.js";
import { describeNetwork } from "../src/progress/events.js";
import { type LocalTarget, openLocalTarget } from "../src/target/local.js";
import { startTestEndpoint } from "./support/endpoint.js";
import { memoryIo } from "./support/io.js";

describe("network options from the run flags", () => {
  it("passes nothing when no flag names the network, so the core picks the default VPC", () => {
    expect(networkOptions({ publicIp: false })).toBeUndefined();
  });

  it("passes the user's subnets as given, private unless --public-ip", () => {
    expect(
      networkOptions({ subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], publicIp: false }),
    ).toEqual({ subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], assignPublicIp: false });
    expect(networkOptions({ subnets: ["subnet-a"], publicIp: true })).toMatchObject({ assignPublicIp: true });
  });

  it("keeps --security-groups without --subnets (the core applies them to the default VPC)", () => {
    expect(networkOptions({ securityGroups: ["sg-1"], publicIp: false })).toEqual({
      securityGroups: ["sg-1"],
      assignPublicIp: undefined,
    });
    expect(networkOptions({ publicIp: true })).toEqual({ securityGroups: undefined, assignPublicIp: true });
  });

  it("describes the run's network, naming the default VPC when the core fell back to it", () => {
    const base = { securityGroups: undefined, endpoint: "public", assignPublicIp: true } as const;
    expect(describeNetwork({ ...base, subnets: ["subnet-1a", "subnet-1b"], defaultVpc: "vpc-1" })).toBe(
      "network: default VPC vpc-1, subnets subnet-1a,subnet-1b, public IP",
    );
    expect(
      describeNetwork({
        subnets: ["subnet-x"],
        securityGroups: ["sg-x"],
        assignPublicIp: false,
        endpoint: "private",
        defaultVpc: undefined,
      }),
    ).toBe("network: subnets subnet-x, security groups sg-x, private IP");
    expect(describeNetwork({ ...base, subnets: undefined, defaultVpc: undefined })).toBeUndefined();
  });
});

/** The subnet each task of the cluster was placed in, as the endpoint recorded it. */
async function taskSubnets(ecs: ECSClient, cluster: string): Promise<string[]> {
  const listed = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "STOPPED" }));
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
  return (described.tasks ?? []).map(
    (t) =>
      t.attachments
        ?.find((a) => a.type === "ElasticNetworkInterface")
        ?.details?.find((d) => d.name === "subnetId")?.value ?? "?",
  );
}

describe("run's network against an endpoint (real core)", () => {
  let dir: string;
  let clip: string;
  let target: LocalTarget;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cli-network-"));
    clip = join(dir, "clip.mp4");
    await generateTestVideo({ output: clip, seconds: 2, width: 160, height: 90 });
    target = await openLocalTarget({ cluster: "cli-net" });
    const creds = target.local.clientConfig.credentials;
    env = {
      AWS_ENDPOINT_URL: target.local.endpoint,
      AWS_REGION: target.local.region,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    };
  });
  afterAll(async () => {
    await target?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("launches into the default VPC when no --subnets are given, and says so", async () => {
    const io = memoryIo({ home: dir, cwd: dir, env });
    const args = ["run", clip, "--out", "default-vpc.mp4", "--tasks", "1", "--segment-seconds", "2"];
    const code = await main([...args, "--cluster", "cli-net"], io);
    expect(code, io.err()).toBe(0);
    expect(io.err()).toMatch(/network: default VPC vpc-0defa000000000001, subnets subnet-0defa\w+/);
    const subnets = await taskSubnets(target.clients!.ecs!, "cli-net");
    expect(subnets.length).toBeGreaterThanOrEqual(1);
    expect(subnets.every((s) => s.startsWith("subnet-0defa"))).toBe(true);
  }, 90_000);

  it("launches into exactly the --subnets and --security-groups the user gave", async () => {
    const io = memoryIo({ home: dir, cwd: dir, env });
    const args = ["run", clip, "--out", "explicit.mp4", "--tasks", "1", "--segment-seconds", "2"];
    args.push(
      "--cluster",
      "cli-net",
      "--subnets",
      "subnet-0a11ed0000000001a",
      "--security-groups",
      "sg-explicit",
    );
    const before = (await taskSubnets(target.clients!.ecs!, "cli-net")).length;
    const code = await main(args, io);
    expect(code, io.err()).toBe(0);
    expect(io.err()).toContain(
      "network: subnets subnet-0a11ed0000000001a, security groups sg-explicit, private IP",
    );
    const subnets = await taskSubnets(target.clients!.ecs!, "cli-net");
    expect(subnets.length).toBeGreaterThan(before);
    expect(subnets.filter((s) => s === "subnet-0a11ed0000000001a").length).toBe(subnets.length - before);
  }, 90_000);

  it("without a default VPC and without --subnets, fails before launching and names the flags to pass", async () => {
    const bare = await startTestEndpoint({ defaultVpc: false });
    try {
      const io = memoryIo({ home: dir, cwd: dir, env: bare.env });
      const args = ["run", clip, "--out", "none.mp4", "--tasks", "1", "--segment-seconds", "2"];
      const code = await main([...args, "--cluster", "cli-test", "--task-definition", "sleeper"], io);
      expect(code).toBe(1);
      expect(io.err()).toContain("[NO_DEFAULT_VPC]");
      expect(io.err()).toContain("name the network: --subnets subnet-a,subnet-b");
      const listed = await bare.ecs.send(new ListTasksCommand({ cluster: "cli-test" }));
      expect(listed.taskArns ?? []).toEqual([]);
    } finally {
      await bare.close();
    }
  }, 90_000);
});

import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { afterEach, describe, expect, it } from "vitest";
import {
  closeHarness,
  type Harness,
  network,
  register,
  startHarness,
  waitFor,
  waitForStatus,
} from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await closeHarness(h);
  h = undefined;
});

const eniOf = (task: { attachments?: { details?: { name?: string; value?: string }[] }[] }) =>
  task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";

describe("task networking through EC2 DescribeNetworkInterfaces", () => {
  it("gives a public IP through the association, and forwards TCP from it to the task", async () => {
    h = await startHarness();
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h),
        launchType: "FARGATE",
        networkConfiguration: network("ENABLED"),
      }),
    );
    const arn = run.tasks?.[0]?.taskArn ?? "";
    const task = await waitForStatus(h, arn, "RUNNING");
    const eniId = eniOf(task);
    const out = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    const eni = out.NetworkInterfaces?.[0];
    expect(eni?.NetworkInterfaceId).toBe(eniId);
    expect(eni?.PrivateIpAddress).toMatch(/^127\.0\.1\.\d+$/);
    expect(eni?.SubnetId).toBe("subnet-0abc");
    expect(eni?.Status).toBe("in-use");
    const publicIp = eni?.Association?.PublicIp ?? "";
    expect(publicIp).toMatch(/^127\.0\.2\.\d+$/);
    expect(eni?.PrivateIpAddresses?.[0]?.Association?.PublicIp).toBe(publicIp);

    const body = await waitFor("the task through its public IP", async () => {
      try {
        return (await (await fetch(`http://${publicIp}:8080/`)).json()) as { env: { HOST: string } };
      } catch {
        return undefined;
      }
    });
    expect(body.env.HOST).toBe(eni?.PrivateIpAddress);
  });

  it("has no association without a public IP, and answers InvalidNetworkInterfaceID.NotFound once the task stopped", async () => {
    h = await startHarness();
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h),
        launchType: "FARGATE",
        networkConfiguration: network(),
      }),
    );
    const arn = run.tasks?.[0]?.taskArn ?? "";
    const eniId = eniOf(await waitForStatus(h, arn, "RUNNING"));
    const out = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    expect(out.NetworkInterfaces?.[0]?.Association).toBeUndefined();
    const filtered = await h.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "network-interface-id", Values: [eniId] }] }),
    );
    expect(filtered.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([eniId]);

    await h.ecs.send(new StopTaskCommand({ task: arn }));
    await waitForStatus(h, arn, "STOPPED");
    const error = await h.ec2
      .send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }))
      .catch((e) => e);
    expect(error.name).toBe("InvalidNetworkInterfaceID.NotFound");
    expect(error.message).toContain(eniId);
  });

  it("gives each task its own private address", async () => {
    h = await startHarness();
    const run = await h.ecs.send(
      new RunTaskCommand({
        taskDefinition: await register(h),
        launchType: "FARGATE",
        networkConfiguration: network(),
        count: 3,
      }),
    );
    const ips = await Promise.all(
      (run.tasks ?? []).map(async (t) => {
        const task = await waitForStatus(h!, t.taskArn ?? "", "RUNNING");
        return task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value;
      }),
    );
    expect(new Set(ips).size).toBe(3);
  });
});

import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { fetchJson, network, privateIp, runOne, runTasks, testHarness, waitForStatus } from "./helpers.js";

const eniOf = (task: { attachments?: { details?: { name?: string; value?: string }[] }[] }) =>
  task.attachments?.[0]?.details?.find((d) => d.name === "networkInterfaceId")?.value ?? "";

describe("task networking through EC2 DescribeNetworkInterfaces", () => {
  it("gives a public IP through the association, and forwards TCP from it to the task", async () => {
    const h = await testHarness();
    const arn = await runOne(h, { networkConfiguration: network("ENABLED") });
    const task = await waitForStatus(h, arn, "RUNNING");
    const eniId = eniOf(task);
    const out = await h.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    const eni = out.NetworkInterfaces?.[0];
    expect(eni?.NetworkInterfaceId).toBe(eniId);
    expect(eni?.PrivateIpAddress).toMatch(/^127\.0\.1\.\d+$/);
    expect(eni?.SubnetId).toBe("subnet-0defa00000000001a");
    expect(eni?.Status).toBe("in-use");
    const publicIp = eni?.Association?.PublicIp ?? "";
    expect(publicIp).toMatch(/^127\.0\.2\.\d+$/);
    expect(eni?.PrivateIpAddresses?.[0]?.Association?.PublicIp).toBe(publicIp);

    const body = await fetchJson<{ env: { HOST: string } }>(`http://${publicIp}:8080/`);
    expect(body.env.HOST).toBe(eni?.PrivateIpAddress);
  });

  it("has no association without a public IP, and answers InvalidNetworkInterfaceID.NotFound once the task stopped", async () => {
    const h = await testHarness();
    const arn = await runOne(h);
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
    const h = await testHarness();
    const arns = await runTasks(h, { count: 3 });
    const ips = await Promise.all(arns.map(async (arn) => privateIp(await waitForStatus(h, arn, "RUNNING"))));
    expect(new Set(ips).size).toBe(3);
  });
});

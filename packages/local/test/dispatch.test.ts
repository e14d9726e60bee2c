// The endpoint answers only its own operation names, and a body too large to read with a
// clear size error, and keeps serving either way.
import { ListTasksCommand } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { fileHarness } from "./helpers.js";

const ECS = "AmazonEC2ContainerServiceV20141113";
const LOGS = "Logs_20140328";
const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

describe("dispatch on the endpoint's own operation names only", () => {
  const h = fileHarness();
  const post = (body: string, headers: Record<string, string>) =>
    fetch(h.local.endpoint, { method: "POST", body, headers });

  for (const prefix of [ECS, LOGS]) {
    it(`answers ${prefix}.<a prototype name> with UnknownOperationException, never a 500 or a 200`, async () => {
      for (const name of PROTOTYPE_NAMES) {
        const res = await post("{}", {
          "x-amz-target": `${prefix}.${name}`,
          "content-type": "application/x-amz-json-1.1",
        });
        expect(res.status, name).toBe(400);
        expect(((await res.json()) as { __type: string }).__type, name).toBe("UnknownOperationException");
      }
    });
  }

  it("answers an EC2 Action named like a prototype member with InvalidAction", async () => {
    for (const name of PROTOTYPE_NAMES) {
      const res = await post(`Action=${encodeURIComponent(name)}&Version=2016-11-15`, {
        "content-type": "application/x-www-form-urlencoded",
      });
      expect(res.status, name).toBe(400);
      expect(await res.text(), name).toContain("<Code>InvalidAction</Code>");
    }
  });

  it("does not take a dotted suffix as part of a real operation", async () => {
    const res = await post("{}", { "x-amz-target": `${ECS}.ListTasks.__proto__` });
    expect(((await res.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });

  it("answers a body over 2 MiB with 413 RequestEntityTooLarge, then keeps serving", async () => {
    const big = JSON.stringify({ cluster: "x".repeat(3 * 1024 * 1024) });
    const res = await post(big, { "x-amz-target": `${ECS}.ListTasks` });
    expect(res.status).toBe(413);
    const error = (await res.json()) as { __type: string; message: string };
    expect(error.__type).toBe("RequestEntityTooLarge");
    expect(error.message).toMatch(/exceeds the endpoint's limit of 2097152 bytes/);
    const ec2 = await post(`Action=DescribeVpcs&Pad=${"y".repeat(3 * 1024 * 1024)}`, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(ec2.status).toBe(413);
    expect(await ec2.text()).toContain("<Code>RequestEntityTooLarge</Code>");
    expect((await h.ecs.send(new ListTasksCommand({}))).taskArns).toEqual([]);
  });
});

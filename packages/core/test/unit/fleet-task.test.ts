import { describe, expect, it } from "vitest";
import type { TaskSnapshot } from "../../src/ecs/snapshot.js";
import { FleetTask } from "../../src/run/fleet-task.js";

const task = () => new FleetTask({ taskArn: "arn:aws:ecs:us-east-1:0:task/c/t1" } as TaskSnapshot, undefined);
const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe("FleetTask uploads", () => {
  it("lets a later upload wait until every upload begun before it has ended, in any order", async () => {
    const t = task();
    const first = t.beginUpload();
    const second = t.beginUpload();
    const third = t.beginUpload();
    expect(await settled(first.earlier)).toBe(true);
    expect(await settled(second.earlier)).toBe(false);
    second.end();
    expect(await settled(third.earlier)).toBe(false);
    first.end();
    expect(await settled(second.earlier)).toBe(true);
    expect(await settled(third.earlier)).toBe(true);
  });

  it("does not hold anyone up once an upload has ended, even if it is ended twice", async () => {
    const t = task();
    const a = t.beginUpload();
    a.end();
    a.end();
    expect(await settled(t.beginUpload().earlier)).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { assertBindable } from "../src/tasks/addresses.js";

// macOS has only 127.0.0.1 on lo0 until aliases are added; Linux binds all of 127.0.0.0/8. An
// address from TEST-NET-1 is unbindable everywhere, so it stands in for a missing alias.
describe("the address pool check at startup", () => {
  it("fails early, naming the ifconfig command, when a pool address cannot be bound", async () => {
    await expect(assertBindable("192.0.2.1")).rejects.toMatchObject({
      code: "LOCAL_START_FAILED",
      message: expect.stringContaining("sudo ifconfig lo0 alias 192.0.2.1"),
    });
  });

  it("passes for an address of the default private pool on this machine", async () => {
    await expect(assertBindable("127.0.1.1")).resolves.toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { TokenBucket } from "../../src/aws/token-bucket.js";

describe("TokenBucket", () => {
  it("allows a burst, then refills at its rate", () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    for (let i = 0; i < 3; i++) {
      expect(bucket.waitMs()).toBe(0);
      (bucket as unknown as { tokens: number }).tokens -= 1;
    }
    expect(bucket.waitMs()).toBe(500);
    now = 500;
    expect(bucket.waitMs()).toBe(0);
  });

  it("spaces takes beyond the burst at the refill rate", async () => {
    const bucket = new TokenBucket(20, 2);
    const t0 = performance.now();
    for (let i = 0; i < 6; i++) await bucket.take();
    // 2 free, 4 more at 20/s ≈ 200 ms
    expect(performance.now() - t0).toBeGreaterThanOrEqual(180);
  });

  it("rejects a waiting take with the signal's reason and lets the next one through", async () => {
    const bucket = new TokenBucket(10, 1);
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    await expect(bucket.take()).resolves.toBeUndefined();
  });
});

import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { describe, expect, it } from "vitest";
import { pricingSchema } from "../../src/options/pricing.js";
import { s3RequestsCost } from "../../src/pricing/cost.js";
import { countRequestsOf, type S3RequestCount, withRequestCount } from "../../src/s3/request-count.js";

const client = () =>
  new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9",
    forcePathStyle: true,
    credentials: { accessKeyId: "k", secretAccessKey: "s" },
  });
const presign = (s3: S3Client, put: boolean) =>
  getSignedUrl(
    s3,
    put ? new PutObjectCommand({ Bucket: "b", Key: "k" }) : new GetObjectCommand({ Bucket: "b", Key: "k" }),
    { expiresIn: 60 },
  );

describe("S3 request counting", () => {
  it("counts each presigned URL once, in its price tier, for the run that presigned it", async () => {
    const s3 = client();
    countRequestsOf(s3);
    countRequestsOf(s3); // a second run on the same client adds no second counter
    const a: S3RequestCount = { put: 0, get: 0 };
    const b: S3RequestCount = { put: 0, get: 0 };
    await Promise.all([
      withRequestCount(a, async () => {
        await presign(s3, true);
        await presign(s3, false);
        await presign(s3, false);
      }),
      withRequestCount(b, () => presign(s3, true)),
    ]);
    await presign(s3, true); // outside any run: nobody's request
    expect(a).toEqual({ put: 1, get: 2 });
    expect(b).toEqual({ put: 1, get: 0 });
    s3.destroy();
  });

  it("prices requests per 1,000 at the region's rate, the override first, and says so when unlisted", () => {
    const pricing = (
      region: string,
      override?: Record<string, { putPer1000: number; getPer1000: number }>,
    ) => ({
      ...pricingSchema.parse(override === undefined ? {} : { s3Requests: override }),
      region,
    });
    expect(s3RequestsCost({ put: 2000, get: 10_000 }, pricing("us-east-1"))).toBeCloseTo(0.014, 10);
    expect(
      s3RequestsCost(
        { put: 1000, get: 0 },
        pricing("us-east-1", { "us-east-1": { putPer1000: 1, getPer1000: 0 } }),
      ),
    ).toBe(1);
    expect(s3RequestsCost({ put: 1, get: 1 }, pricing("xx-nowhere-1"))).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { classifyAwsError, classifyPlacementFailure, isRetryableKind } from "../../src/aws/classify.js";

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error("whatever the text says"), { name, ...extra });

describe("classifyAwsError", () => {
  it.each([
    ["ThrottlingException", "throttling"],
    ["RequestLimitExceeded", "throttling"],
    ["ServerException", "transient"],
    ["ServiceUnavailableException", "transient"],
    ["AccessDeniedException", "permission"],
    ["UnauthorizedOperation", "permission"],
    ["ClusterNotFoundException", "not-found"],
    ["ConflictException", "conflict"],
    ["ClientException", "configuration"],
    ["InvalidParameterException", "configuration"],
    ["PlatformTaskDefinitionIncompatibilityException", "configuration"],
    ["SomethingNew", "unknown"],
  ])("classifies %s as %s", (name, kind) => {
    expect(classifyAwsError(named(name))).toBe(kind);
  });

  it("retries ECS's rate limit reported as InvalidParameterException 'Rate exceeded' as throttling", () => {
    expect(
      classifyAwsError(Object.assign(new Error("Rate exceeded"), { name: "InvalidParameterException" })),
    ).toBe("throttling");
    expect(
      classifyAwsError(
        Object.assign(new Error("Invalid subnet: rate exceeded for x"), {
          name: "InvalidParameterException",
        }),
      ),
    ).toBe("configuration");
  });

  it("reads no other message: a ClientException saying 'Rate exceeded' is still configuration", () => {
    expect(classifyAwsError(Object.assign(new Error("Rate exceeded"), { name: "ClientException" }))).toBe(
      "configuration",
    );
  });

  it("treats socket errors and 5xx/429 statuses as retryable", () => {
    expect(classifyAwsError(Object.assign(new Error("x"), { code: "ECONNRESET" }))).toBe("transient");
    expect(classifyAwsError(named("Weird", { $metadata: { httpStatusCode: 503 } }))).toBe("transient");
    expect(classifyAwsError(named("Weird", { $metadata: { httpStatusCode: 429 } }))).toBe("throttling");
    expect(classifyAwsError(named("Weird", { $retryable: { throttling: true } }))).toBe("throttling");
  });

  it("retries only throttling and transient failures", () => {
    expect(isRetryableKind("throttling")).toBe(true);
    expect(isRetryableKind("transient")).toBe(true);
    for (const k of ["permission", "configuration", "not-found", "conflict", "unknown"] as const)
      expect(isRetryableKind(k)).toBe(false);
  });
});

describe("classifyPlacementFailure", () => {
  const fargate =
    "Capacity is unavailable at this time. Please try again later or in a different availability zone";
  it.each([
    ["RESOURCE:CPU", false, "capacity"],
    ["RESOURCE:MEMORY", false, "capacity"],
    ["RESOURCE:GPU", false, "capacity"],
    ["RESOURCE:ENI", false, "capacity"],
    ["AGENT", false, "capacity"],
    [fargate, false, "capacity"],
    [fargate, true, "spot-capacity"],
    ["ATTRIBUTE", false, "configuration"],
    ["MISSING", false, "configuration"],
  ] as const)("classifies %s (spot: %s) as %s", (reason, spot, kind) => {
    expect(classifyPlacementFailure(reason, spot)).toBe(kind);
  });
});

import * as video from "@ecs-fanout/video";
import { expect, test } from "vitest";

test("the package loads", () => {
  expect(video).toBeTypeOf("object");
});

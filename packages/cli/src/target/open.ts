import { DEFAULT_CLUSTER } from "../defaults.js";
import type { CliIo } from "../io.js";
import { println } from "../io.js";
import type { TargetChoice } from "../parse/run-options.js";
import { openAwsTarget } from "./aws.js";
import { openLocalTarget } from "./local.js";
import type { Target } from "./target.js";

/**
 * The target for `ls` and `cleanup`. A fresh in-process endpoint has no tasks of earlier runs, so
 * the notice says how to share one (`ecs-fanout local`).
 */
export async function openTaskTarget(
  options: { cluster: string; target: TargetChoice },
  io: CliIo,
): Promise<Target> {
  if (options.target.kind === "aws") {
    const target = openAwsTarget({ source: options.target.source, env: io.env });
    println(io.stderr, target.notice);
    return target;
  }
  const target = await openLocalTarget({ cluster: options.cluster || DEFAULT_CLUSTER });
  println(
    io.stderr,
    `${target.notice}; it is new, so it has no tasks of other runs (start \`ecs-fanout local\` and export its environment to share one)`,
  );
  return target;
}

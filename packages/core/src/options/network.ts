import { expectedGot } from "@ecs-fanout/protocol";
import { z } from "zod";
import { evenWhenInvalid, isRecord, nonEmptyString } from "./common.js";

/** awsvpc networking (Fargate always; EC2 when the task definition uses awsvpc). */
export const networkSchema = z
  .strictObject({
    /**
     * Subnet ids (1 to 16) the tasks are placed in; give several availability zones.
     * @default the default subnets of the account's default VPC (one per availability zone), found
     * once per run with EC2 DescribeVpcs (`is-default`) and DescribeSubnets (`vpc-id`,
     * `default-for-az`) when the launch needs awsvpc; a NoDefaultVpcError when the account has none
     */
    subnets: z.array(nonEmptyString()).min(1).max(16).optional(),
    /**
     * Security group ids (at most 5).
     * @default the VPC's default security group (with default-VPC subnets: found with
     * DescribeSecurityGroups `group-name` default, `vpc-id`, and passed explicitly). It admits
     * inbound traffic only from its own members, so an orchestrator outside it cannot reach
     * workers: give a group that allows the worker port from where ecs-fanout runs.
     */
    securityGroups: z.array(nonEmptyString()).max(5).optional(),
    /**
     * Give each task a public IP.
     * @default true with the default VPC's subnets (they are public: without a public IP a task
     * there cannot pull its image), else false
     */
    assignPublicIp: z.boolean().optional(),
    /**
     * Which address the orchestrator uses to reach workers.
     * @default "public" when assignPublicIp is on, else "private"
     */
    endpoint: z.enum(["public", "private"]).optional(),
  })
  .superRefine((network, ctx) => {
    if (!isRecord(network)) return;
    // Default-VPC subnets get a public IP unless assignPublicIp says otherwise.
    const publicIp =
      network.assignPublicIp === true ||
      (network.subnets === undefined && network.assignPublicIp === undefined);
    if (network.endpoint === "public" && !publicIp)
      ctx.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: expectedGot('"private" unless assignPublicIp is true', network.endpoint),
      });
  }, evenWhenInvalid);

/** awsvpc networking, as given. */
export type NetworkOptions = z.input<typeof networkSchema>;
/** awsvpc networking as given, validated; what is absent is decided once the task definition is known. */
export type NetworkRequest = z.output<typeof networkSchema>;

/**
 * The real AWS SDK ECS client, for checks that must not trust the library under test
 * (ListTasks after every row). The root package has no @aws-sdk dependency of its own, so the
 * module is loaded from the local endpoint's package, where it is a dependency.
 */
import { Agent } from "node:http";
import { createRequire } from "node:module";
// Types by path: a tsconfig `paths` entry would also redirect core's own runtime imports under tsx.
import type * as EcsSdk from "../../packages/local/node_modules/@aws-sdk/client-ecs/dist-types/index.js";

const requireFromLocal = createRequire(new URL("../../packages/local/package.json", import.meta.url));

export const ecsSdk = requireFromLocal("@aws-sdk/client-ecs") as typeof EcsSdk;

export type EcsClient = EcsSdk.ECSClient;

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export function ecsClient(config: ClientConfig): EcsClient {
  // No retries: a check that needs a retry to pass is hiding something. No keep-alive either, so a
  // pooled socket the endpoint closes while idle cannot fail a request with ECONNRESET.
  return new ecsSdk.ECSClient({
    ...config,
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
  });
}

/** ARNs of RUNNING tasks in a cluster (ListTasks' default desiredStatus), all pages. */
export async function runningTaskArns(
  client: EcsClient,
  cluster: string,
  startedBy?: string,
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      // startedBy must be the only filter (AWS rule); RUNNING is the default desiredStatus anyway.
      new ecsSdk.ListTasksCommand({
        cluster,
        nextToken,
        ...(startedBy ? { startedBy } : { desiredStatus: "RUNNING" }),
      }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

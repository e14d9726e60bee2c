import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DescribeTasksCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  RunTaskCommand,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type Task,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import type { LocalEcs, LocalEcsConfig } from "../src/index.js";
import {
  DEFAULT_SUBNET,
  startTestEndpoint,
  type TestClients,
  type TestEndpoint,
  testClients,
  workerDefinition,
} from "../src/testing/index.js";

export const TASK_SCRIPT = fileURLToPath(new URL("./fixtures/task.mjs", import.meta.url));

/** Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** SDK clients for one endpoint. */
export type Clients = TestClients;

export interface Harness extends Clients {
  local: LocalEcs;
}

export interface HarnessConfig extends LocalEcsConfig {
  /** Leave `images` unset, so tasks run the endpoint's default mapping (the real worker bin). */
  defaultImages?: boolean;
}

/** Clients for `clientConfig`, with no retries and no keep-alive (see the fixture's `testClients`). */
export const connect = (clientConfig: LocalEcs["clientConfig"]): Clients & { destroy(): void } =>
  testClients(clientConfig);

const endpoints = new WeakMap<Harness, TestEndpoint>();

/**
 * The package's test fixture where every image runs the tiny test task (unless `defaultImages`).
 * Prefer {@link testHarness} or {@link fileHarness}, which also close it.
 */
export async function startHarness({ defaultImages, ...config }: HarnessConfig = {}): Promise<Harness> {
  const endpoint = await startTestEndpoint({
    ...(defaultImages ? {} : { images: [{ match: "*", command: ["node", TASK_SCRIPT] }] }),
    ...config,
  });
  const h: Harness = { local: endpoint.local, ecs: endpoint.ecs, ec2: endpoint.ec2, logs: endpoint.logs };
  endpoints.set(h, endpoint);
  return h;
}

export async function closeHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await endpoints.get(h)?.close();
}

/** A harness for the running test, closed when the test finishes, whether it passed or not. */
export async function testHarness(config: HarnessConfig = {}): Promise<Harness> {
  const h = await startHarness(config);
  onTestFinished(() => closeHarness(h));
  return h;
}

/**
 * One harness shared by the tests of the enclosing file or describe block: started by a
 * beforeAll registered here (so before the caller's own beforeAll hooks), closed by an afterAll.
 * Its fields may only be read once that beforeAll ran.
 */
export function fileHarness(config: HarnessConfig = {}): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(config);
  });
  afterAll(() => closeHarness(started));
  const get = (): Harness => {
    if (!started) throw new Error("fileHarness: used outside a test or hook (it starts in beforeAll)");
    return started;
  };
  return {
    get local() {
      return get().local;
    },
    get ecs() {
      return get().ecs;
    },
    get ec2() {
      return get().ec2;
    },
    get logs() {
      return get().logs;
    },
  };
}

/** The fixture's Fargate worker definition, named "worker", in log group /ecs/worker. */
export const fargateTaskDef = (
  overrides: Partial<RegisterTaskDefinitionCommandInput> = {},
  env: Record<string, string> = {},
): RegisterTaskDefinitionCommandInput => ({ ...workerDefinition({ env }), ...overrides });

export async function register(
  h: Pick<Clients, "ecs">,
  input: RegisterTaskDefinitionCommandInput = fargateTaskDef(),
): Promise<string> {
  const out = await h.ecs.send(new RegisterTaskDefinitionCommand(input));
  return out.taskDefinition?.taskDefinitionArn ?? "";
}

export const network = (assignPublicIp: "ENABLED" | "DISABLED" = "DISABLED") => ({
  awsvpcConfiguration: { subnets: [DEFAULT_SUBNET], securityGroups: ["sg-0abc"], assignPublicIp },
});

// The default definition is registered once per endpoint, so runs do not pile up revisions.
const defaultDefinitions = new WeakMap<ECSClient, Promise<string>>();

export interface RunOptions extends Partial<RunTaskCommandInput> {
  /** Register this and run it, instead of the default {@link fargateTaskDef}. */
  definition?: RegisterTaskDefinitionCommandInput;
}

/**
 * RunTask on FARGATE in {@link network}: of `taskDefinition`, else `definition` (registered
 * now), else the default test definition. Other fields are passed through and win.
 */
export async function runTask(
  h: Pick<Clients, "ecs">,
  { definition, ...input }: RunOptions = {},
): Promise<RunTaskCommandOutput> {
  let taskDefinition = input.taskDefinition;
  if (taskDefinition === undefined && definition) taskDefinition = await register(h, definition);
  if (taskDefinition === undefined) {
    let registered = defaultDefinitions.get(h.ecs);
    if (!registered) {
      registered = register(h);
      defaultDefinitions.set(h.ecs, registered);
    }
    taskDefinition = await registered;
  }
  return h.ecs.send(
    new RunTaskCommand({ launchType: "FARGATE", networkConfiguration: network(), ...input, taskDefinition }),
  );
}

/** {@link runTask} that must place every task: their ARNs. */
export async function runTasks(h: Pick<Clients, "ecs">, options: RunOptions = {}): Promise<string[]> {
  const out = await runTask(h, options);
  const arns = (out.tasks ?? []).map((t) => t.taskArn ?? "");
  if (out.failures?.length || arns.length !== (options.count ?? 1) || arns.includes(""))
    throw new Error(`RunTask placed ${arns.length} task(s): ${JSON.stringify(out.failures)}`);
  return arns;
}

/** {@link runTask} of one task that must be placed: its ARN. */
export async function runOne(h: Pick<Clients, "ecs">, options: RunOptions = {}): Promise<string> {
  const [arn = ""] = await runTasks(h, { ...options, count: 1 });
  return arn;
}

export async function describe1(h: Pick<Clients, "ecs">, arn: string, cluster = "default"): Promise<Task> {
  const out = await h.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn], include: ["TAGS"] }));
  const task = out.tasks?.[0];
  if (!task) throw new Error(`task ${arn} not described: ${JSON.stringify(out.failures)}`);
  return task;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const waitForStatus = (
  h: Pick<Clients, "ecs">,
  arn: string,
  status: string,
  cluster = "default",
  timeoutMs?: number,
) =>
  waitFor(
    `${arn} to be ${status}`,
    async () => {
      const t = await describe1(h, arn, cluster);
      return t.lastStatus === status ? t : undefined;
    },
    timeoutMs,
  );

/** The private IPv4 address of a task's ENI (awsvpc). */
export const privateIp = (task: Task): string | undefined =>
  task.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value;

/** GET a task's JSON over HTTP, retrying until it answers: RUNNING means started, not yet listening. */
export const fetchJson = <T>(url: string, timeoutMs?: number): Promise<T> =>
  waitFor(
    url,
    async () => {
      try {
        return (await (await fetch(url)).json()) as T;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
  );

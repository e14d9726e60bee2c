import { describeInstances, describeNetworkInterfaces } from "../ec2.js";
import { createCluster, describeCapacityProviders, describeClusters } from "../ecs/clusters.js";
import { describeContainerInstances, describeTasks } from "../ecs/describe.js";
import { listTasks } from "../ecs/list.js";
import { runTask } from "../ecs/run-task.js";
import { stopTask } from "../ecs/stop.js";
import { listTagsForResource, tagResource, untagResource } from "../ecs/tags.js";
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  registerTaskDefinition,
} from "../ecs/task-definitions.js";
import type { Engine } from "../engine.js";
import type { QueryInput } from "../protocols/ec2-query.js";
import { createTags, describeSecurityGroups, describeSubnets, describeVpcs } from "../vpc.js";

export type JsonHandler = (input: Record<string, unknown>, engine: Engine) => unknown;
export type QueryHandler = (input: QueryInput, engine: Engine) => object;

const operations = <H>(table: Record<string, H>): ReadonlyMap<string, H> => new Map(Object.entries(table));

export const ECS_TARGET = "AmazonEC2ContainerServiceV20141113";
export const LOGS_TARGET = "Logs_20140328";

/**
 * Handlers by operation name. Maps, not plain objects: an operation named `__proto__`,
 * `constructor` or `toString` must find nothing rather than something inherited.
 */
export const ecsHandlers: ReadonlyMap<string, JsonHandler> = operations<JsonHandler>({
  CreateCluster: (i, e) => createCluster(i, e.store),
  DescribeClusters: (i, e) => describeClusters(i, e.store),
  DescribeCapacityProviders: (i, e) => describeCapacityProviders(i, e.store),
  RegisterTaskDefinition: (i, e) => registerTaskDefinition(i, e.store),
  DescribeTaskDefinition: (i, e) => describeTaskDefinition(i, e.store),
  DeregisterTaskDefinition: (i, e) => deregisterTaskDefinition(i, e.store),
  RunTask: runTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
  StopTask: stopTask,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  DescribeContainerInstances: describeContainerInstances,
});

export const logsHandlers: ReadonlyMap<string, JsonHandler> = operations<JsonHandler>({
  CreateLogGroup: (i, e) => e.logs.createLogGroup(i),
  DescribeLogStreams: (i, e) => e.logs.describeLogStreams(i),
  GetLogEvents: (i, e) => e.logs.getLogEvents(i),
  FilterLogEvents: (i, e) => e.logs.filterLogEvents(i),
});

export const ec2Handlers: ReadonlyMap<string, QueryHandler> = operations<QueryHandler>({
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DescribeInstances: describeInstances,
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeSecurityGroups: describeSecurityGroups,
  CreateTags: createTags,
});

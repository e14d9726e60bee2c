/**
 * Names the CLI assumes when none are given. They match infra/ecs-fanout.yaml (cluster
 * `ecs-fanout`, task definitions `<cluster>-worker-cpu` / `-worker-gpu`, capacity provider
 * `gpu-<cluster>`), and the local endpoint registers the same ones, so a command line that
 * works locally works against a stack deployed with the defaults.
 */
export const DEFAULT_CLUSTER = "ecs-fanout";
export const DEFAULT_STARTED_BY = "ecs-fanout";

export function workerFamily(cluster: string, gpu: boolean): string {
  return `${clusterName(cluster)}-worker-${gpu ? "gpu" : "cpu"}`;
}

export function gpuCapacityProvider(cluster: string): string {
  return `gpu-${clusterName(cluster)}`;
}

/** The name part of a cluster ARN (`arn:aws:ecs:…:cluster/NAME`), or the name itself. */
export function clusterName(cluster: string): string {
  return cluster.slice(cluster.lastIndexOf("/") + 1);
}

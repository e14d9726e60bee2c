import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkTemplate } from "../scripts/cfn/check.js";
import { render } from "../scripts/cfn/render.js";
import { isObject, type Json, parseTemplate } from "../scripts/cfn/yaml.js";

const root = new URL("../", import.meta.url);
const templateText = readFileSync(new URL("infra/ecs-fanout.yaml", root), "utf8");
const template = parseTemplate(templateText);

/** A resource's Properties from the parsed template (the test fails if it is missing). */
function propertiesOf(id: string): Record<string, Json> {
  const resources = isObject(template) ? template["Resources"] : undefined;
  const resource = isObject(resources) ? resources[id] : undefined;
  const props = isObject(resource) ? resource["Properties"] : undefined;
  if (!isObject(props)) throw new Error(`no Properties for ${id}`);
  return props;
}

/** `${name}` as CloudFormation's Fn::Sub writes it. */
const sub = (name: string) => ["$", "{", name, "}"].join("");

/** The template with one exact piece of text replaced; fails loudly if the text is not there. */
function mutated(find: string, replace: string): Json {
  expect(templateText, `the template should contain ${JSON.stringify(find)}`).toContain(find);
  return parseTemplate(templateText.replace(find, replace));
}

describe("the CloudFormation template", () => {
  it("parses with short-form intrinsics into long form", () => {
    expect(isObject(template)).toBe(true);
    const exec = propertiesOf("CpuWorkerTaskDefinition")["ExecutionRoleArn"];
    expect(exec).toEqual({ "Fn::GetAtt": ["ExecutionRole", "Arn"] });
  });

  it("passes every check", () => {
    expect(checkTemplate(template)).toEqual([]);
  });

  it.each([
    [
      "a GetAtt of an attribute the resource lacks",
      "!GetAtt ExecutionRole.Arn",
      "!GetAtt ExecutionRole.Arnn",
      "has no attribute Arnn",
    ],
    ["a Ref to nothing", "Value: !Ref GpuCapacityProvider", "Value: !Ref Nope", "Nope is neither"],
    [
      "a variable in Fn::Sub naming nothing",
      `ECS_CLUSTER=${sub("Cluster")}`,
      `ECS_CLUSTER=${sub("Clusterr")}`,
      "Clusterr is neither",
    ],
    [
      "an unconditional output of a conditional resource",
      "    Condition: CreateGpu\n    Description: Pass as `taskDefinition` for GPU",
      "    Description: Pass as `taskDefinition` for GPU",
      "exists only when CreateGpu holds",
    ],
    ["a memory size Fargate refuses", 'Default: "4096"', 'Default: "1536"', "not a Fargate size"],
    [
      "a capacity provider named ecs-…",
      `Name: !Sub gpu-${sub("ClusterName")}`,
      `Name: !Sub ecs-gpu-${sub("ClusterName")}`,
      "may not start with",
    ],
    [
      "StopTask without the managed-by tag condition",
      "                ecs:ResourceTag/ecs-fanout:managed-by: ecs-fanout\n",
      "                ecs:cluster: somewhere\n",
      "ecs:StopTask must be conditioned",
    ],
    ["a Sid with a dash", "Sid: StopOnlyOurTasks", "Sid: Stop-Only", "only letters and digits"],
    ["a whole-service action", "- ec2:DescribeInstances", "- ec2:*", "allows a whole service"],
    [
      "managed termination protection without scale-in protection",
      "      NewInstancesProtectedFromScaleIn: true\n",
      "",
      "needs NewInstancesProtectedFromScaleIn",
    ],
    [
      "a GPU task definition on Fargate",
      "RequiresCompatibilities: [EC2]",
      "RequiresCompatibilities: [FARGATE]",
      "Fargate has no GPUs",
    ],
    [
      "a GPU capacity provider no cluster uses",
      "- [FARGATE, FARGATE_SPOT, !Ref GpuCapacityProvider, !Ref ManagedGpuCapacityProvider]\n          - [FARGATE, FARGATE_SPOT, !Ref GpuCapacityProvider]\n",
      "- [FARGATE, FARGATE_SPOT, !Ref ManagedGpuCapacityProvider]\n          - [FARGATE, FARGATE_SPOT]\n",
      "no AWS::ECS::ClusterCapacityProviderAssociations lists",
    ],
    [
      "a Managed Instances provider without its cluster",
      "      ClusterName: !Ref Cluster\n",
      "",
      "a Managed Instances provider belongs to one cluster",
    ],
    [
      "a Managed Instances instance role the managed infrastructure policy cannot pass",
      `RoleName: !Sub ecsInstanceRole-${sub("ClusterName")}`,
      `RoleName: !Sub gpu-instances-${sub("ClusterName")}`,
      "passes only roles named ecsInstanceRole*",
    ],
    [
      "a Managed Instances task definition in bridge mode",
      "RequiresCompatibilities: [MANAGED_INSTANCES]\n      NetworkMode: awsvpc",
      "RequiresCompatibilities: [MANAGED_INSTANCES]\n      NetworkMode: bridge",
      "Managed Instances need awsvpc or host",
    ],
    [
      "a capacity provider with both kinds of provider",
      "      ManagedInstancesProvider:\n",
      "      AutoScalingGroupProvider: { AutoScalingGroupArn: x }\n      ManagedInstancesProvider:\n",
      "needs exactly one of AutoScalingGroupProvider and ManagedInstancesProvider",
    ],
    [
      "a misspelt instance requirement",
      "AcceleratorManufacturers: [nvidia]",
      "AcceleratorManufacturer: [nvidia]",
      "not a key of InstanceRequirements",
    ],
    [
      "a misspelt property",
      "NewInstancesProtectedFromScaleIn:",
      "NewInstancesProtectedFromScaleOut:",
      "not a property of",
    ],
    [
      "a misspelt container key",
      "StopTimeout: 120\n          PortMappings",
      "StopTimeOut: 120\n          PortMappings",
      "not a key of",
    ],
    [
      "a resource type outside the schema",
      "Type: AWS::Logs::LogGroup",
      "Type: AWS::Logs::LogGroupp",
      "not a resource type",
    ],
    ["an unused parameter", "Resources:\n", "Resources:\n", ""],
  ])("refuses %s", (_name, find, replace, expected) => {
    const problems = checkTemplate(mutated(find, replace));
    if (expected === "") {
      // Control row: an identity edit must stay clean, so the other rows fail for their own reason.
      expect(problems).toEqual([]);
    } else {
      expect(problems.join("\n")).toContain(expected);
    }
  });

  it("refuses a parameter that nothing uses", () => {
    const problems = checkTemplate(
      mutated("\nParameters:\n", "\nParameters:\n  Orphan:\n    Type: String\n    Description: x\n"),
    );
    expect(problems).toContain("Parameters.Orphan: declared but never used");
  });

  it("grants exactly the orchestrator policy printed in docs/aws-setup.md", () => {
    const doc = readFileSync(new URL("docs/aws-setup.md", root), "utf8");
    const block = /<!-- orchestrator-policy -->\s*```json\n([\s\S]*?)```/.exec(doc);
    expect(
      block,
      "docs/aws-setup.md should mark the policy with <!-- orchestrator-policy -->",
    ).not.toBeNull();
    const printed = JSON.parse(block?.[1] ?? "null") as Json;
    const policy = propertiesOf("OrchestratorPolicy")["PolicyDocument"] as Json;
    const rendered = render(policy, {
      refs: {
        "AWS::Partition": "aws",
        "AWS::Region": "REGION",
        "AWS::AccountId": "ACCOUNT_ID",
        ClusterName: "CLUSTER",
      },
      getAtts: {
        "Cluster.Arn": "arn:aws:ecs:REGION:ACCOUNT_ID:cluster/CLUSTER",
        "ExecutionRole.Arn": "arn:aws:iam::ACCOUNT_ID:role/EXECUTION_ROLE_NAME",
        "TaskRole.Arn": "arn:aws:iam::ACCOUNT_ID:role/TASK_ROLE_NAME",
      },
    });
    expect(printed).toEqual(rendered);
  });
});

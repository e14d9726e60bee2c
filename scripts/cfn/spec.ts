/**
 * The slice of the CloudFormation resource specification our template may use: for each
 * resource type, its required and allowed properties and the attributes `Fn::GetAtt` may read.
 * Written from the CloudFormation resource reference; a type not listed here is refused, so a
 * new resource type means a deliberate update of this table.
 */
export interface ResourceSpec {
  required: readonly string[];
  optional: readonly string[];
  attributes: readonly string[];
}

export const RESOURCE_SPECS: Record<string, ResourceSpec> = {
  "AWS::ECS::Cluster": {
    required: [],
    optional: [
      "ClusterName",
      "ClusterSettings",
      "CapacityProviders",
      "DefaultCapacityProviderStrategy",
      "Configuration",
      "ServiceConnectDefaults",
      "Tags",
    ],
    attributes: ["Arn"],
  },
  // Exactly one of AutoScalingGroupProvider and ManagedInstancesProvider (a rule in rules.ts);
  // ClusterName is for Managed Instances providers, which belong to one cluster.
  "AWS::ECS::CapacityProvider": {
    required: [],
    optional: ["AutoScalingGroupProvider", "ClusterName", "ManagedInstancesProvider", "Name", "Tags"],
    attributes: [],
  },
  "AWS::ECS::ClusterCapacityProviderAssociations": {
    required: ["Cluster", "CapacityProviders", "DefaultCapacityProviderStrategy"],
    optional: [],
    attributes: [],
  },
  "AWS::ECS::TaskDefinition": {
    required: ["ContainerDefinitions"],
    optional: [
      "Cpu",
      "EnableFaultInjection",
      "EphemeralStorage",
      "ExecutionRoleArn",
      "Family",
      "IpcMode",
      "Memory",
      "NetworkMode",
      "PidMode",
      "PlacementConstraints",
      "ProxyConfiguration",
      "RequiresCompatibilities",
      "RuntimePlatform",
      "Tags",
      "TaskRoleArn",
      "Volumes",
    ],
    attributes: ["TaskDefinitionArn"],
  },
  "AWS::Logs::LogGroup": {
    required: [],
    optional: [
      "LogGroupName",
      "RetentionInDays",
      "KmsKeyId",
      "LogGroupClass",
      "DataProtectionPolicy",
      "Tags",
    ],
    attributes: ["Arn"],
  },
  "AWS::IAM::Role": {
    required: ["AssumeRolePolicyDocument"],
    optional: [
      "Description",
      "ManagedPolicyArns",
      "MaxSessionDuration",
      "Path",
      "PermissionsBoundary",
      "Policies",
      "RoleName",
      "Tags",
    ],
    attributes: ["Arn", "RoleId"],
  },
  "AWS::IAM::ManagedPolicy": {
    required: ["PolicyDocument"],
    optional: ["Description", "Groups", "ManagedPolicyName", "Path", "Roles", "Users"],
    attributes: ["PolicyArn", "PolicyId", "DefaultVersionId", "AttachmentCount", "CreateDate"],
  },
  "AWS::IAM::InstanceProfile": {
    required: ["Roles"],
    optional: ["InstanceProfileName", "Path"],
    attributes: ["Arn"],
  },
  "AWS::EC2::SecurityGroup": {
    required: ["GroupDescription"],
    optional: ["GroupName", "SecurityGroupEgress", "SecurityGroupIngress", "Tags", "VpcId"],
    attributes: ["GroupId", "VpcId"],
  },
  "AWS::EC2::LaunchTemplate": {
    required: ["LaunchTemplateData"],
    optional: ["LaunchTemplateName", "TagSpecifications", "VersionDescription"],
    attributes: ["LaunchTemplateId", "LatestVersionNumber", "DefaultVersionNumber"],
  },
  "AWS::AutoScaling::AutoScalingGroup": {
    required: ["MaxSize", "MinSize"],
    optional: [
      "AutoScalingGroupName",
      "AvailabilityZones",
      "CapacityRebalance",
      "DefaultInstanceWarmup",
      "DesiredCapacity",
      "HealthCheckGracePeriod",
      "HealthCheckType",
      "LaunchTemplate",
      "MaxInstanceLifetime",
      "MixedInstancesPolicy",
      "NewInstancesProtectedFromScaleIn",
      "Tags",
      "TerminationPolicies",
      "VPCZoneIdentifier",
    ],
    attributes: [],
  },
};

/** Keys allowed inside nested structures where a typo would only surface at deploy time. */
export const NESTED_KEYS: Record<string, readonly string[]> = {
  ContainerDefinition: [
    "Name",
    "Image",
    "Essential",
    "Cpu",
    "Memory",
    "MemoryReservation",
    "StopTimeout",
    "StartTimeout",
    "PortMappings",
    "Environment",
    "Secrets",
    "Command",
    "EntryPoint",
    "WorkingDirectory",
    "User",
    "HealthCheck",
    "LogConfiguration",
    "MountPoints",
    "ResourceRequirements",
    "Ulimits",
    "LinuxParameters",
    "ReadonlyRootFilesystem",
    "DockerLabels",
  ],
  PortMapping: ["ContainerPort", "HostPort", "Protocol", "Name", "AppProtocol"],
  AutoScalingGroupProvider: [
    "AutoScalingGroupArn",
    "ManagedScaling",
    "ManagedTerminationProtection",
    "ManagedDraining",
  ],
  ManagedScaling: [
    "Status",
    "TargetCapacity",
    "MinimumScalingStepSize",
    "MaximumScalingStepSize",
    "InstanceWarmupPeriod",
  ],
  ManagedInstancesProvider: [
    "InfrastructureRoleArn",
    "InstanceLaunchTemplate",
    "PropagateTags",
    "InfrastructureOptimization",
    "AutoRepairConfiguration",
  ],
  InstanceLaunchTemplate: [
    "Ec2InstanceProfileArn",
    "NetworkConfiguration",
    "StorageConfiguration",
    "LocalStorageConfiguration",
    "Monitoring",
    "CapacityOptionType",
    "InstanceMetadataTagsPropagation",
    "InstanceRequirements",
    "FipsEnabled",
    "CapacityReservations",
  ],
  ManagedInstancesNetworkConfiguration: ["Subnets", "SecurityGroups"],
  InstanceRequirements: [
    "VCpuCount",
    "MemoryMiB",
    "CpuManufacturers",
    "MemoryGiBPerVCpu",
    "ExcludedInstanceTypes",
    "InstanceGenerations",
    "SpotMaxPricePercentageOverLowestPrice",
    "OnDemandMaxPricePercentageOverLowestPrice",
    "BareMetal",
    "BurstablePerformance",
    "RequireHibernateSupport",
    "NetworkInterfaceCount",
    "LocalStorage",
    "LocalStorageTypes",
    "TotalLocalStorageGB",
    "BaselineEbsBandwidthMbps",
    "AcceleratorTypes",
    "AcceleratorCount",
    "AcceleratorManufacturers",
    "AcceleratorNames",
    "AcceleratorTotalMemoryMiB",
    "NetworkBandwidthGbps",
    "AllowedInstanceTypes",
    "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice",
  ],
  LaunchTemplateData: [
    "ImageId",
    "InstanceType",
    "IamInstanceProfile",
    "MetadataOptions",
    "NetworkInterfaces",
    "BlockDeviceMappings",
    "UserData",
    "SecurityGroupIds",
    "KeyName",
    "TagSpecifications",
    "InstanceMarketOptions",
    "Monitoring",
  ],
};

export const PSEUDO_PARAMETERS = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

export const INTRINSICS = new Set([
  "Ref",
  "Condition",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::If",
  "Fn::Equals",
  "Fn::Not",
  "Fn::And",
  "Fn::Or",
  "Fn::Base64",
  "Fn::FindInMap",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Cidr",
  "Fn::Length",
  "Fn::ToJsonString",
]);

export const PARAMETER_TYPE =
  /^(String|Number|List<Number>|CommaDelimitedList|(List<)?AWS::EC2::[A-Za-z]+::[A-Za-z]+>?|AWS::SSM::Parameter::(Name|Value<.+>))$/;

/** Fargate's accepted task sizes: CPU units → the memory sizes (MiB) it accepts. */
export const FARGATE_SIZES: Record<string, { min: number; max: number; step: number; only?: number[] }> = {
  "256": { min: 512, max: 2048, step: 512, only: [512, 1024, 2048] },
  "512": { min: 1024, max: 4096, step: 1024 },
  "1024": { min: 2048, max: 8192, step: 1024 },
  "2048": { min: 4096, max: 16384, step: 1024 },
  "4096": { min: 8192, max: 30720, step: 1024 },
  "8192": { min: 16384, max: 61440, step: 4096 },
  "16384": { min: 32768, max: 122880, step: 8192 },
};

/**
 * Dated price tables. Rates are USD, Linux, on-demand, as collected in 2026-08; override them
 * with `pricing` options.
 */

/** Fargate on-demand rates of one region and architecture. */
export interface FargateRate {
  readonly vcpuHour: number;
  readonly gbHour: number;
}

/** Fargate rates per region, per CPU architecture. */
export type FargateRateTable = Readonly<
  Record<string, { readonly X86_64?: FargateRate; readonly ARM64?: FargateRate }>
>;

/** One EC2 GPU instance type: its GPUs and hourly price per region. */
export interface Ec2GpuPrice {
  readonly gpus: number;
  readonly vcpus: number;
  readonly memoryGb: number;
  readonly hourly: Readonly<Record<string, number>>;
}

/** The date the shipped tables were collected (Managed Instances and public IPv4 figures: 2026-12). */
export const PRICES_AS_OF = "2026-08";

/** Fargate Linux rates, USD per vCPU-hour and per GB-hour. us-west-2 is derived; ap-northeast-1 x86 comes from a weak source. */
export const FARGATE_RATES: FargateRateTable = Object.freeze({
  "us-east-1": {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
  "us-west-2": { X86_64: { vcpuHour: 0.0405, gbHour: 0.00444 } },
  "eu-west-1": {
    X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
    ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
  },
  "eu-central-1": { X86_64: { vcpuHour: 0.04656, gbHour: 0.00511 } },
  "ap-northeast-1": { X86_64: { vcpuHour: 0.05056, gbHour: 0.00553 } },
  "ap-northeast-2": {
    X86_64: { vcpuHour: 0.04656, gbHour: 0.00511 },
    ARM64: { vcpuHour: 0.03725, gbHour: 0.00409 },
  },
});

/** EC2 instance prices (GPU types, and the CPU type of the Managed Instances fee example), USD per hour (per-second billing, 60 s minimum). */
export const EC2_GPU_PRICES: Readonly<Record<string, Ec2GpuPrice>> = Object.freeze({
  "g4dn.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 0.526, "ap-northeast-2": 0.647 } },
  "g4dn.2xlarge": {
    gpus: 1,
    vcpus: 8,
    memoryGb: 32,
    hourly: { "us-east-1": 0.752, "ap-northeast-2": 0.925 },
  },
  "g5.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 1.006, "ap-northeast-2": 1.237 } },
  "g5.2xlarge": { gpus: 1, vcpus: 8, memoryGb: 32, hourly: { "us-east-1": 1.212, "ap-northeast-2": 1.4903 } },
  "g6.xlarge": { gpus: 1, vcpus: 4, memoryGb: 16, hourly: { "us-east-1": 0.8048, "ap-northeast-2": 0.9896 } },
  "g6e.xlarge": { gpus: 1, vcpus: 4, memoryGb: 32, hourly: { "us-east-1": 1.861, "ap-northeast-2": 2.288 } },
  // No GPU: the instance of AWS's Managed Instances fee example, so the example prices as published.
  "c6a.2xlarge": { gpus: 0, vcpus: 8, memoryGb: 16, hourly: { "us-east-1": 0.306 } },
});

/**
 * Fargate Spot discount off on-demand. AWS says "up to 70 %"; bills show 66–67 %, so we take the
 * smaller discount: a cost report should never come out below the bill.
 */
export const FARGATE_SPOT_DISCOUNT = 0.66;

/** Minimum billed seconds per task (Fargate Linux and EC2 per-second billing). */
export const DEFAULT_MINIMUM_BILLED_SECONDS = 60;

/**
 * ECS Managed Instances management fees, USD per instance-hour, per instance type and region, on
 * top of the instance's EC2 price. AWS publishes one worked example (c6a.2xlarge in us-east-1,
 * 0.037 $/h on a 0.306 $/h instance); other types fall back to {@link MANAGED_INSTANCES_FEE_FRACTION}.
 */
export const MANAGED_INSTANCES_FEES: Readonly<Record<string, Readonly<Record<string, number>>>> =
  Object.freeze({
    "c6a.2xlarge": { "us-east-1": 0.037 },
  });

/**
 * The management fee as a fraction of the instance's hourly price, for types the fee table does
 * not list: AWS's example is 0.037 / 0.306 ≈ 12 %, and AWS's own TCO calculator sample takes 12 %.
 */
export const MANAGED_INSTANCES_FEE_FRACTION = 0.12;

/** A public IPv4 address, USD per hour (since February 2024), i.e. per task with `assignPublicIp: ENABLED`. */
export const PUBLIC_IPV4_HOURLY = 0.005;

/** S3 request prices of one region, USD per 1,000 requests (S3 Standard). */
export interface S3RequestRate {
  /** PUT, COPY, POST, LIST: PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload. */
  readonly putPer1000: number;
  /** GET, SELECT and all other requests but DELETE and CANCEL (free): GetObject, HeadObject. */
  readonly getPer1000: number;
}

/** S3 Standard request prices per region (the Amazon S3 pricing page, 2026-08). */
export const S3_REQUEST_PRICES: Readonly<Record<string, S3RequestRate>> = Object.freeze({
  "us-east-1": { putPer1000: 0.005, getPer1000: 0.0004 },
  "us-east-2": { putPer1000: 0.005, getPer1000: 0.0004 },
  "us-west-2": { putPer1000: 0.005, getPer1000: 0.0004 },
  "eu-west-1": { putPer1000: 0.005, getPer1000: 0.0004 },
});

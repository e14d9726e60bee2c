import { z } from "zod";
import { expectedGot } from "../problems.js";

const JOB_ID = /^[A-Za-z0-9._-]{1,128}$/;
const RULE = "a job id of 1–128 letters, digits, '.', '_' or '-' (not '.' or '..')";

/** A job id is safe to use as a file name: 1–128 of `A-Z a-z 0-9 . _ -`, never `.` or `..`. */
export function isValidJobId(jobId: string): boolean {
  return JOB_ID.test(jobId) && jobId !== "." && jobId !== "..";
}

/** The job-id rule as a schema (the path segment of `/v1/jobs/:jobId`, after one percent-decoding). */
export const jobIdSchema = z
  .string()
  .refine(isValidJobId, { error: (issue) => expectedGot(RULE, issue.input) })
  .describe(RULE);

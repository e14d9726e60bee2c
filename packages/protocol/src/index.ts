export type { Checked, Problem } from "./problems.js";
export {
  checkSchema,
  describeSchema,
  describeValue,
  expectedGot,
  formatIssues,
  formatPath,
  suggestKey,
} from "./problems.js";

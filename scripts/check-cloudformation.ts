// Checks every CloudFormation template under infra/ (YAML with short-form intrinsics) against
// the schema in scripts/cfn. No AWS account and no Python cfn-lint needed: run by scripts/ci-extra.sh.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkTemplate } from "./cfn/check.js";
import { parseTemplate } from "./cfn/yaml.js";

const dir = new URL("../infra/", import.meta.url);
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
let failed = files.length === 0;
if (failed) console.error("check-cloudformation: no template found under infra/");
for (const file of files) {
  let problems: string[];
  try {
    problems = checkTemplate(parseTemplate(readFileSync(new URL(file, dir), "utf8")));
  } catch (error) {
    problems = [`cannot parse: ${error instanceof Error ? error.message : String(error)}`];
  }
  const shown = join("infra", file);
  if (problems.length === 0) {
    console.log(`check-cloudformation: ${shown} ok`);
    continue;
  }
  failed = true;
  console.error(`check-cloudformation: ${shown}: ${problems.length} problem(s)`);
  for (const p of problems) console.error(`  - ${p}`);
}
process.exitCode = failed ? 1 : 0;

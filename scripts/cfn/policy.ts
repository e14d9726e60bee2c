import { isObject, type Json } from "./yaml.js";

const STATEMENT_KEYS = new Set([
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
]);
const ACTION = /^([a-z0-9-]+:[A-Za-z0-9*]+|\*)$/;
const SID = /^[A-Za-z0-9]*$/;
const OPERATOR =
  /^(ForAllValues:|ForAnyValue:)?(StringEquals|StringNotEquals|StringEqualsIgnoreCase|StringNotEqualsIgnoreCase|StringLike|StringNotLike|NumericEquals|NumericNotEquals|NumericLessThan|NumericLessThanEquals|NumericGreaterThan|NumericGreaterThanEquals|DateEquals|DateNotEquals|DateLessThan|DateLessThanEquals|DateGreaterThan|DateGreaterThanEquals|Bool|BinaryEquals|IpAddress|NotIpAddress|ArnEquals|ArnLike|ArnNotEquals|ArnNotLike|Null)(IfExists)?$/;

/** The tag condition that must guard every statement able to stop or tag a task. */
export const MANAGED_BY_CONDITION_KEYS = [
  "ecs:ResourceTag/ecs-fanout:managed-by",
  "aws:RequestTag/ecs-fanout:managed-by",
];

const asList = (value: Json | undefined): Json[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * Checks an IAM policy document's grammar, plus our own rule: a statement that allows
 * `ecs:StopTask` or `ecs:TagResource` must be conditioned on the ecs-fanout managed-by tag, and
 * no statement allows every action of a service.
 */
export function checkPolicyDocument(
  path: string,
  doc: Json | undefined,
  kind: "trust" | "identity",
): string[] {
  if (!isObject(doc)) return [`${path}: expected a policy document`];
  const problems: string[] = [];
  if (doc["Version"] !== "2012-10-17") problems.push(`${path}.Version: expected "2012-10-17"`);
  const statements = asList(doc["Statement"]);
  if (statements.length === 0) problems.push(`${path}.Statement: at least one statement is required`);
  const sids = new Set<string>();
  statements.forEach((s, i) => {
    const spath = `${path}.Statement[${i}]`;
    if (!isObject(s)) {
      problems.push(`${spath}: expected a mapping`);
      return;
    }
    for (const key of Object.keys(s))
      if (!STATEMENT_KEYS.has(key)) problems.push(`${spath}.${key}: not a statement key`);
    if (s["Effect"] !== "Allow" && s["Effect"] !== "Deny")
      problems.push(`${spath}.Effect: expected Allow or Deny`);
    if (typeof s["Sid"] === "string") {
      if (!SID.test(s["Sid"])) problems.push(`${spath}.Sid: only letters and digits are allowed`);
      if (sids.has(s["Sid"])) problems.push(`${spath}.Sid: ${s["Sid"]} is used twice`);
      sids.add(s["Sid"]);
    }
    const actions = asList(s["Action"] ?? s["NotAction"]);
    if (actions.length === 0) problems.push(`${spath}: Action or NotAction is required`);
    for (const a of actions) {
      if (typeof a === "string" && !ACTION.test(a))
        problems.push(`${spath}.Action: ${a} is not service:Action`);
      if (typeof a === "string" && s["Effect"] === "Allow" && /(^|:)\*$/.test(a)) {
        problems.push(`${spath}.Action: ${a} allows a whole service; name the actions`);
      }
    }
    if (kind === "trust" && s["Principal"] === undefined)
      problems.push(`${spath}: a trust policy needs a Principal`);
    if (kind === "identity") {
      if (s["Principal"] !== undefined) problems.push(`${spath}: an identity policy has no Principal`);
      if (s["Resource"] === undefined && s["NotResource"] === undefined)
        problems.push(`${spath}: Resource is required`);
    }
    const condition = s["Condition"];
    if (condition !== undefined && !isObject(condition))
      problems.push(`${spath}.Condition: expected a mapping`);
    const keys = new Set<string>();
    if (isObject(condition)) {
      for (const [op, block] of Object.entries(condition)) {
        if (!OPERATOR.test(op)) problems.push(`${spath}.Condition.${op}: not a condition operator`);
        if (isObject(block)) for (const k of Object.keys(block)) keys.add(`${op}:${k}`);
      }
    }
    const guarded = MANAGED_BY_CONDITION_KEYS.some((k) => keys.has(`StringEquals:${k}`));
    for (const a of actions) {
      if ((a === "ecs:StopTask" || a === "ecs:TagResource") && s["Effect"] === "Allow" && !guarded) {
        problems.push(`${spath}: ${a} must be conditioned on the ecs-fanout:managed-by tag`);
      }
    }
  });
  return problems;
}

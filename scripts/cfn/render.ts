import { isObject, type Json } from "./yaml.js";

/** Values to put in place of `Ref` / `Fn::GetAtt` / `${…}` when rendering a template fragment. */
export interface Placeholders {
  refs: Record<string, string>;
  getAtts: Record<string, string>;
}

/**
 * Renders a fragment that uses only Ref, Fn::GetAtt and Fn::Sub into plain JSON, e.g. to compare
 * the template's IAM policy with the copy printed in docs/aws-setup.md. Throws on anything else,
 * so an unrendered intrinsic can never compare equal by accident.
 */
export function render(value: Json, placeholders: Placeholders): Json {
  if (Array.isArray(value)) return value.map((v) => render(v, placeholders));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === "Ref" || keys[0]?.startsWith("Fn::"))) {
    const fn = keys[0];
    const arg = value[fn];
    if (fn === "Ref" && typeof arg === "string") return lookup(placeholders.refs, arg);
    if (fn === "Fn::GetAtt" && Array.isArray(arg)) return lookup(placeholders.getAtts, arg.join("."));
    if (fn === "Fn::Sub" && typeof arg === "string") {
      return arg.replace(/\$\{([^}!]+)\}/g, (_, name: string) =>
        name.includes(".") && !name.startsWith("AWS::")
          ? lookup(placeholders.getAtts, name)
          : lookup(placeholders.refs, name),
      );
    }
    throw new Error(`render: ${fn} is not supported here`);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, placeholders)]));
}

function lookup(table: Record<string, string>, name: string): string {
  const value = table[name];
  if (value === undefined) throw new Error(`render: no placeholder for ${name}`);
  return value;
}

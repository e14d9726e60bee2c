import { parse } from "yaml";

/** A CloudFormation template after parsing: plain JSON, short-form tags turned into long form. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// Every short-form intrinsic CloudFormation accepts in YAML, with its long-form key.
const SHORT_FORMS: Record<string, string> = {
  Ref: "Ref",
  Condition: "Condition",
  GetAtt: "Fn::GetAtt",
  Sub: "Fn::Sub",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  Base64: "Fn::Base64",
  FindInMap: "Fn::FindInMap",
  GetAZs: "Fn::GetAZs",
  ImportValue: "Fn::ImportValue",
  Cidr: "Fn::Cidr",
  Length: "Fn::Length",
  ToJsonString: "Fn::ToJsonString",
};

interface Node {
  toJSON(): unknown;
}

function customTags() {
  return Object.entries(SHORT_FORMS).flatMap(([short, long]) => [
    {
      tag: `!${short}`,
      // `!GetAtt Res.Attr` is the one scalar form whose long form is a list.
      resolve: (value: string) => ({ [long]: short === "GetAtt" ? splitGetAtt(value) : value }),
    },
    { tag: `!${short}`, collection: "seq" as const, resolve: (seq: Node) => ({ [long]: seq.toJSON() }) },
    { tag: `!${short}`, collection: "map" as const, resolve: (map: Node) => ({ [long]: map.toJSON() }) },
  ]);
}

function splitGetAtt(value: string): string[] {
  const dot = value.indexOf(".");
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

/** Parses CloudFormation YAML (short-form tags included); throws on YAML syntax errors or duplicate keys. */
export function parseTemplate(text: string): Json {
  return parse(text, { customTags: customTags(), uniqueKeys: true, prettyErrors: true }) as Json;
}

export function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

import type { ServerResponse } from "node:http";
import type { ApiError } from "../errors.js";
import { send } from "./wire.js";

const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

export interface QueryInput {
  action: string;
  params: URLSearchParams;
}

export function parseQueryInput(body: string): QueryInput {
  const params = new URLSearchParams(body);
  return { action: params.get("Action") ?? "", params };
}

/** `Prefix.1`, `Prefix.2`, … in index order (EC2 query lists). */
export function queryList(params: URLSearchParams, prefix: string): string[] {
  const found: Array<[number, string]> = [];
  const re = new RegExp(`^${prefix}\\.(\\d+)$`);
  for (const [key, value] of params) {
    const m = re.exec(key);
    if (m) found.push([Number(m[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

export interface QueryFilter {
  name: string;
  values: string[];
}

/** `Filter.N.Name` + `Filter.N.Value.M`. */
export function queryFilters(params: URLSearchParams): QueryFilter[] {
  const filters = new Map<number, QueryFilter>();
  for (const [key, value] of params) {
    const m = /^Filter\.(\d+)\.(Name|Value\.(\d+))$/.exec(key);
    if (!m) continue;
    const n = Number(m[1]);
    const f = filters.get(n) ?? { name: "", values: [] };
    if (m[2] === "Name") f.name = value;
    else f.values.push(value);
    filters.set(n, f);
  }
  return [...filters.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c,
  );

/**
 * SDK member names whose XML names are not simply lower-camel-cased. `Parent.Member` entries win
 * over plain `Member` ones (the root's parent is ""): the same SDK name can be written differently
 * in different structures.
 */
const XML_NAMES: Record<string, string> = {
  NetworkInterfaces: "networkInterfaceSet",
  Reservations: "reservationSet",
  Instances: "instancesSet",
  Tags: "tagSet",
  Groups: "groupSet",
  SecurityGroups: "groupSet",
  ".SecurityGroups": "securityGroupInfo",
  "SecurityGroups.Description": "groupDescription",
  UserIdGroupPairs: "groups",
  Vpcs: "vpcSet",
  Subnets: "subnetSet",
  PrivateIpAddresses: "privateIpAddressesSet",
  "Instances.State": "instanceState",
  PublicIpAddress: "ipAddress",
  PrivateDnsName: "privateDnsName",
};

const xmlName = (parent: string, key: string): string =>
  XML_NAMES[`${parent}.${key}`] ?? XML_NAMES[key] ?? key.charAt(0).toLowerCase() + key.slice(1);

/** Serialize an SDK-shaped EC2 output object to EC2's XML (lists become `<xSet><item>`). */
export function toXml(value: unknown, parent = ""): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<item>${toXml(v, parent)}</item>`).join("");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const name = xmlName(parent, k);
        return `<${name}>${toXml(v, k)}</${name}>`;
      })
      .join("");
  }
  return escapeXml(String(value));
}

export function sendQuery(res: ServerResponse, action: string, output: object, requestId: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XMLNS}"><requestId>${requestId}</requestId>${toXml(output)}</${action}Response>`;
  send(res, 200, "text/xml;charset=UTF-8", body, requestId);
}

export function sendQueryError(res: ServerResponse, error: ApiError, requestId: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.type)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  send(res, error.status, "text/xml;charset=UTF-8", body, requestId);
}

import { z } from "zod";
import { expectedGot } from "../problems.js";

/** Request header carrying base64url(JSON {@link FanoutParams}) on the job `PUT`. */
export const HEADER_PARAMS = "x-fanout-params";

/**
 * What `x-fanout-params` carries: `{ processor, ...options }`. The options are the processor's
 * own (each processor checks them with its strict schema), so this level keeps them as given.
 */
export const fanoutParamsSchema = z
  .object({ processor: z.string().min(1).max(128).optional() })
  .catchall(z.unknown());
/** `{ processor?, ...options }` as carried by `x-fanout-params`. */
export type FanoutParams = z.output<typeof fanoutParamsSchema>;

/** base64url (RFC 4648 §5, no padding) of the params' JSON. */
export function encodeParams(params: Readonly<FanoutParams>): string {
  return Buffer.from(JSON.stringify(params), "utf8").toString("base64url");
}

/**
 * Reverse of {@link encodeParams} (padding optional). Returns the problems instead of throwing so
 * a server can report them all in one 400. A missing or blank header is `{}`.
 */
export function decodeParams(
  header: string | undefined,
): { ok: true; params: FanoutParams } | { ok: false; problems: string[] } {
  const text = header?.trim() ?? "";
  if (text === "") return { ok: true, params: {} };
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(text))
    return { ok: false, problems: [`${HEADER_PARAMS}: ${expectedGot("base64url", header)}`] };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch (error) {
    return {
      ok: false,
      problems: [
        `${HEADER_PARAMS}: expected base64url JSON, got undecodable text (${(error as Error).message})`,
      ],
    };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return { ok: false, problems: [`${HEADER_PARAMS}: ${expectedGot("a JSON object", value)}`] };
  const parsed = fanoutParamsSchema.safeParse(value);
  if (!parsed.success) {
    const processor = (value as { processor?: unknown }).processor;
    return { ok: false, problems: [`processor: ${expectedGot("a string", processor)}`] };
  }
  return { ok: true, params: parsed.data };
}

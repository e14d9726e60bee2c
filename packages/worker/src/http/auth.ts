import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Bearer-token check in constant time against the token's SHA-256 (the worker never holds the
 * token itself). The presented token is hashed, so the buffers compared always have the same
 * length and neither the token's content nor its length leaks through timing.
 *
 * @param tokenSha256 lowercase hex SHA-256 of the token; null accepts every request.
 */
export function createAuthenticator(tokenSha256: string | null): (req: IncomingMessage) => boolean {
  if (tokenSha256 === null) return () => true;
  const expected = Buffer.from(tokenSha256, "hex");
  if (expected.length !== 32) throw new Error("tokenSha256: expected 64 hex digits");
  return (req) => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    const given = createHash("sha256")
      .update(match?.[1] ?? "")
      .digest();
    // Evaluate both so a missing header costs the same time as a wrong one.
    const equal = timingSafeEqual(given, expected);
    return equal && match !== null;
  };
}

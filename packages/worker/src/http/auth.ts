import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Bearer-token check in constant time. The presented token is hashed and compared with the
 * expected SHA-256 (given as hex, or computed from the token), so the buffers compared always have
 * the same length and the token's length does not leak; the worker never needs the token itself.
 */
export function createAuthenticator(
  token: string | null,
  tokenSha256: string | null = null,
): (req: IncomingMessage) => boolean {
  if (token === null && tokenSha256 === null) return () => true;
  const expected =
    tokenSha256 !== null
      ? Buffer.from(tokenSha256, "hex")
      : createHash("sha256")
          .update(token ?? "")
          .digest();
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

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/**
 * Bearer-token check in constant time. Both sides are hashed first so the buffers
 * compared always have the same length and the token's length does not leak.
 */
export function createAuthenticator(token: string | null): (req: IncomingMessage) => boolean {
  if (token === null) return () => true;
  const expected = createHash("sha256").update(token).digest();
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

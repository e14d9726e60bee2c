/**
 * Child process of the S3 benchmark: the local S3 (s3rver, signatures checked) in a process of
 * its own, as S3 is another machine for a real run. Serving costs CPU; in the measuring process
 * that cost would be charged to whichever client happened to be measured.
 *   argv: <directory> <bucket>   prints {"endpoint":"http://127.0.0.1:N","region":"…"} once listening.
 */
import { startLocalS3 } from "../packages/local/src/index.js";

const [directory, bucket] = process.argv.slice(2);
if (!directory || !bucket) throw new Error("usage: s3-server <directory> <bucket>");
const local = await startLocalS3({ buckets: [bucket], directory });
process.stdout.write(`${JSON.stringify({ endpoint: local.endpoint, region: local.region })}\n`);
process.on("SIGTERM", () => {
  local.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});

import { AbortMultipartUploadCommand, type S3Client } from "@aws-sdk/client-s3";
import type {
  EventPayload,
  MultipartAbortFailedEvent,
  MultipartClosedEvent,
  MultipartOpenedEvent,
} from "../events.js";
import type { Logger } from "../logger.js";
import type { S3Location } from "./uri.js";

/** How long one AbortMultipartUpload may take (it runs when the attempt or the run is already ending). */
const ABORT_TIMEOUT_MS = 15_000;
/** The longest S3 error text kept in an event. */
const MAX_ERROR = 300;

/** One multipart upload: where, and S3's id for it (not a secret: it grants nothing without credentials). */
export interface MultipartUpload {
  readonly location: S3Location;
  readonly uploadId: string;
}

/** What the ledger tells the run (written to the run record before anyone else hears). */
export type MultipartNote =
  | EventPayload<MultipartOpenedEvent>
  | EventPayload<MultipartClosedEvent>
  | EventPayload<MultipartAbortFailedEvent>;

/** S3's error as an event may carry it: its name and message, never a URL (aborts are header-signed). */
export function abortErrorText(error: unknown): string {
  const name = (error as { name?: unknown }).name;
  const message = (error as { message?: unknown }).message;
  const text = [
    typeof name === "string" ? name : undefined,
    typeof message === "string" ? message : undefined,
  ]
    .filter((s) => s !== undefined && s !== "")
    .join(": ");
  const said = text === "" ? String(error) : text;
  return said.length > MAX_ERROR ? `${said.slice(0, MAX_ERROR)}…` : said;
}

/**
 * Every multipart upload the orchestrator opens, from CreateMultipartUpload until it is completed
 * or aborted, each change noted in the run record. An abort that fails is reported (event and log
 * line) and the upload stays open: `abortOpen` tries again at the end of the run, and a resume
 * aborts whatever the record still lists as open (an orchestrator killed mid-upload).
 */
export class MultipartLedger {
  /** By upload id, with the earlier run that opened it when a resume took it over. */
  private readonly open = new Map<string, { upload: MultipartUpload; fromRunId: string | undefined }>();
  private readonly aborting = new Map<string, Promise<boolean>>();

  constructor(
    private readonly s3: S3Client,
    private readonly note: (note: MultipartNote) => void,
    private readonly logger: Logger,
  ) {}

  /** Uploads opened and not yet closed. */
  get openUploads(): readonly MultipartUpload[] {
    return [...this.open.values()].map((o) => o.upload);
  }

  opened(upload: MultipartUpload, purpose: "stage" | "output", segmentId: string): void {
    this.open.set(upload.uploadId, { upload, fromRunId: undefined });
    this.note({ type: "multipart.opened", ...where(upload), purpose, segmentId });
  }

  completed(upload: MultipartUpload): void {
    this.open.delete(upload.uploadId);
    this.note({ type: "multipart.closed", ...where(upload), outcome: "completed" });
  }

  /**
   * Aborts an upload (S3 frees its parts). Never throws: a failure is a warning and the upload
   * stays open. NoSuchUpload means S3 holds nothing of it any more: closed as `gone`.
   * `fromRunId` names the earlier run that opened it, when a resume cleans up after it.
   */
  abort(upload: MultipartUpload, fromRunId?: string): Promise<boolean> {
    // Closed already (the end of the run got to it first), or being aborted right now.
    if (fromRunId === undefined && !this.open.has(upload.uploadId)) return Promise.resolve(true);
    const pending = this.aborting.get(upload.uploadId);
    if (pending !== undefined) return pending;
    const aborting = this.send(upload, fromRunId).finally(() => this.aborting.delete(upload.uploadId));
    this.aborting.set(upload.uploadId, aborting);
    return aborting;
  }

  private async send(upload: MultipartUpload, fromRunId: string | undefined): Promise<boolean> {
    const from = fromRunId === undefined ? {} : { fromRunId };
    try {
      await this.s3.send(
        new AbortMultipartUploadCommand({
          Bucket: upload.location.bucket,
          Key: upload.location.key,
          UploadId: upload.uploadId,
        }),
        { abortSignal: AbortSignal.timeout(ABORT_TIMEOUT_MS) },
      );
      this.open.delete(upload.uploadId);
      this.note({ type: "multipart.closed", ...where(upload), outcome: "aborted", ...from });
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === "NoSuchUpload") {
        this.open.delete(upload.uploadId);
        this.note({ type: "multipart.closed", ...where(upload), outcome: "gone", ...from });
        return true;
      }
      this.open.set(upload.uploadId, { upload, fromRunId });
      const text = abortErrorText(error);
      this.logger.warn("aborting a multipart upload failed; it is left open", {
        ...where(upload),
        error: text,
      });
      this.note({ type: "multipart.abortFailed", ...where(upload), error: text, ...from });
      return false;
    }
  }

  /** Tries once more to abort every upload still open (at the end of the run); returns how many remain. */
  async abortOpen(): Promise<number> {
    await Promise.all([...this.open.values()].map((o) => this.abort(o.upload, o.fromRunId)));
    return this.open.size;
  }
}

const where = (upload: MultipartUpload) => ({
  bucket: upload.location.bucket,
  key: upload.location.key,
  uploadId: upload.uploadId,
});

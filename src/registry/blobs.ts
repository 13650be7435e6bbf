import { computeDigest } from "./digest.ts";
import type { Descriptor } from "./schema.ts";
import type { Transport } from "./transport/transport.ts";

/** A blob's presence as the registry reports it. */
export interface BlobInfo {
  /** The blob's digest. */
  digest: string;
  /** Its size in bytes, from Content-Length. */
  size: number;
}

/**
 * HEADs a blob; `undefined` when the registry does not have it (404). `push` asks for the
 * push scope, so that a push reuses one token for the check and the upload.
 */
export async function headBlob(
  transport: Transport,
  registry: string,
  repository: string,
  digest: string,
  push = false,
): Promise<BlobInfo | undefined> {
  const response = await transport.request({
    registry,
    method: "HEAD",
    path: `${repository}/blobs/${digest}`,
    repository,
    push,
    expect: [200, 404],
  });
  if (response.status === 404) return undefined;
  return { digest, size: Number(response.headers.get("content-length") ?? "0") };
}

/** GETs a blob as a stream with its size; the caller reads (or cancels) the stream. */
export async function getBlob(
  transport: Transport,
  registry: string,
  repository: string,
  digest: string,
): Promise<{ size: number; stream: ReadableStream<Uint8Array> }> {
  const response = await transport.request({
    registry,
    method: "GET",
    path: `${repository}/blobs/${digest}`,
    repository,
  });
  const size = Number(response.headers.get("content-length") ?? "-1");
  return { size, stream: response.body ?? new ReadableStream() };
}

/**
 * Uploads a blob in one piece (POST to open an upload, PUT with the digest to close it) unless
 * the registry has it already. Returns its descriptor with the given media type.
 */
export async function pushBlob(
  transport: Transport,
  registry: string,
  repository: string,
  bytes: Uint8Array,
  mediaType = "application/octet-stream",
): Promise<Descriptor> {
  const digest = computeDigest(bytes);
  const descriptor = { mediaType, digest, size: bytes.byteLength };
  if ((await headBlob(transport, registry, repository, digest, true)) !== undefined) {
    return descriptor;
  }

  const opened = await transport.request({
    registry,
    method: "POST",
    path: `${repository}/blobs/uploads/`,
    repository,
    push: true,
    expect: [202],
  });
  await opened.body?.cancel().catch(() => undefined);

  // The Location may be relative or absolute and may already carry query parameters (the
  // distribution registry puts its signed upload state there), so the digest is appended.
  const location = new URL(opened.headers.get("location") ?? "", opened.url);
  location.searchParams.set("digest", digest);
  const closed = await transport.request({
    registry,
    method: "PUT",
    path: location,
    repository,
    push: true,
    headers: { "content-type": "application/octet-stream" },
    body: bytes,
    expect: [201],
  });
  await closed.body?.cancel().catch(() => undefined);
  return descriptor;
}

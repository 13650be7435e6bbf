import { UserError } from "../errors.ts";
import { formatReference } from "../reference/parse.ts";
import type { ImageReference } from "../reference/types.ts";
import { type BlobInfo, getBlob, headBlob, pushBlob } from "./blobs.ts";
import { computeDigest } from "./digest.ts";
import { essence, isManifestMediaType, MANIFEST_ACCEPT, MediaType } from "./media-types.ts";
import type { Descriptor, ImageIndex, Platform } from "./schema.ts";
import { type ListTagsOptions, listTags } from "./tags.ts";
import { RegistryError } from "./transport/errors.ts";
import { type PingResult, Transport, type TransportOptions } from "./transport/transport.ts";

/** Options of a RegistryClient: credentials, retries, insecure registries. */
export type RegistryClientOptions = TransportOptions;

/** A manifest as the registry served it: the exact bytes, their digest, media type and JSON. */
export interface Manifest {
  /** The digest of `bytes`, verified against the registry's and the reference's. */
  digest: string;
  /** The manifest's media type (Content-Type, else the JSON's `mediaType`). */
  mediaType: string;
  /** The bytes as served; their digest is the manifest's identity. */
  bytes: Uint8Array;
  /** The parsed JSON. */
  json: unknown;
}

/** A manifest's digest and media type, without its body. */
export interface ResolvedDigest {
  /** The manifest digest. */
  digest: string;
  /** The manifest media type. */
  mediaType: string;
}

/** One platform's manifest for an index. */
export interface IndexEntryInput {
  /** The manifest's digest; the manifest must already be in the repository. */
  digest: string;
  /** The manifest's media type. */
  mediaType: string;
  /** The manifest's size in bytes. */
  size: number;
  /** The platform it runs on. */
  platform: Platform;
}

/**
 * A client for the OCI distribution API: manifests, tags, blobs and indexes, with auth,
 * retries and redacted errors from its Transport. `requests` counts HTTP requests.
 */
export class RegistryClient {
  readonly #transport: Transport;

  /** A client with the given options; credentials default to the Docker config. */
  constructor(options: RegistryClientOptions = {}) {
    this.#transport = new Transport(options);
  }

  /** The number of HTTP requests made so far (pings, tokens and retries included). */
  get requests(): number {
    return this.#transport.requests;
  }

  /** Checks that a registry answers `GET /v2/`; tells which auth it asks for. */
  async ping(registry: string): Promise<{ auth: "none" | "basic" | "bearer" }> {
    const result: PingResult = await this.#transport.ping(registry);
    const scheme = result.challenge?.scheme;
    return { auth: scheme === "basic" || scheme === "bearer" ? scheme : "none" };
  }

  /** A manifest request by tag or digest, accepting all four manifest media types. */
  #manifestRequest(ref: ImageReference, method: "GET" | "HEAD"): Promise<Response> {
    return this.#transport.request({
      registry: ref.registry,
      method,
      path: manifestPath(ref),
      repository: ref.repository,
      headers: { accept: MANIFEST_ACCEPT },
    });
  }

  /** GETs a manifest by tag or digest and verifies the digest of its bytes. */
  async getManifest(ref: ImageReference): Promise<Manifest> {
    const response = await this.#manifestRequest(ref, "GET");
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = verifiedDigest(ref, bytes, response.headers.get("docker-content-digest"));

    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch (cause) {
      throw new RegistryError(`the manifest of ${formatReference(ref)} is not JSON`, { cause });
    }
    const declared = (json as { mediaType?: unknown })?.mediaType;
    const fromHeader = essence(response.headers.get("content-type"));
    const mediaType = isManifestMediaType(fromHeader) ? fromHeader : String(declared ?? fromHeader);
    return { digest, mediaType, bytes, json };
  }

  /**
   * The digest and media type a reference points at: a HEAD, and a GET when the registry's HEAD
   * answer lacks `Docker-Content-Digest` (the spec makes the header optional).
   */
  async resolveDigest(ref: ImageReference): Promise<ResolvedDigest> {
    const response = await this.#manifestRequest(ref, "HEAD");
    const digest = response.headers.get("docker-content-digest");
    const mediaType = essence(response.headers.get("content-type"));
    if (digest === null || mediaType === undefined) {
      const manifest = await this.getManifest(ref);
      return { digest: manifest.digest, mediaType: manifest.mediaType };
    }
    if (ref.digest !== undefined && digest !== ref.digest) throw mismatch(ref, ref.digest, digest);
    return { digest, mediaType };
  }

  /** PUTs a manifest under a tag or digest, bytes unchanged; returns its digest. */
  async putManifest(ref: ImageReference, bytes: Uint8Array, mediaType: string): Promise<string> {
    const response = await this.#transport.request({
      registry: ref.registry,
      method: "PUT",
      path: manifestPath(ref),
      repository: ref.repository,
      push: true,
      headers: { "content-type": mediaType },
      body: bytes,
      expect: [201],
    });
    await response.body?.cancel().catch(() => undefined);
    return verifiedDigest(ref, bytes, response.headers.get("docker-content-digest"));
  }

  /** Builds an OCI image index from per-platform manifests and PUTs it; returns its descriptor. */
  async putIndex(ref: ImageReference, entries: IndexEntryInput[]): Promise<Descriptor> {
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: entries.map(({ mediaType, digest, size, platform }) => ({
        mediaType,
        digest,
        size,
        platform,
      })),
    };
    const bytes = new TextEncoder().encode(JSON.stringify(index));
    const digest = await this.putManifest(ref, bytes, MediaType.ociIndex);
    return { mediaType: MediaType.ociIndex, digest, size: bytes.byteLength };
  }

  /** Lists a repository's tags, following `Link` pagination up to a page cap. */
  listTags(registry: string, repository: string, options?: ListTagsOptions): Promise<string[]> {
    return listTags(this.#transport, registry, repository, options);
  }

  /** HEADs a blob; `undefined` when the repository does not have it. */
  headBlob(registry: string, repository: string, digest: string): Promise<BlobInfo | undefined> {
    return headBlob(this.#transport, registry, repository, digest);
  }

  /** GETs a blob as a stream. */
  getBlob(registry: string, repository: string, digest: string) {
    return getBlob(this.#transport, registry, repository, digest);
  }

  /** Uploads a blob unless the repository has it; returns its descriptor. */
  pushBlob(registry: string, repository: string, bytes: Uint8Array, mediaType?: string) {
    return pushBlob(this.#transport, registry, repository, bytes, mediaType);
  }
}

function manifestPath(ref: ImageReference): string {
  const target = ref.digest ?? ref.tag;
  if (target === undefined) {
    throw new UserError(`image reference ${formatReference(ref)} names neither a tag nor a digest`);
  }
  return `${ref.repository}/manifests/${target}`;
}

/** The digest of the bytes, checked against the reference's digest and the registry's header. */
function verifiedDigest(ref: ImageReference, bytes: Uint8Array, header: string | null): string {
  const expected = ref.digest ?? header ?? undefined;
  const actual = computeDigest(bytes, expected);
  if (ref.digest !== undefined && actual !== ref.digest) throw mismatch(ref, ref.digest, actual);
  if (header !== null && computeDigest(bytes, header) !== header)
    throw mismatch(ref, header, actual);
  return actual;
}

function mismatch(ref: ImageReference, expected: string, actual: string): RegistryError {
  return new RegistryError(
    `the manifest of ${formatReference(ref)} has digest ${actual}, but ${expected} was expected`,
    {
      hint: "the registry or a proxy in between altered the manifest; try again, and report it if it persists",
    },
  );
}

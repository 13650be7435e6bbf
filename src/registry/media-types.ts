/** Media types of manifests and their parts, as registries and the OCI image spec name them. */
export const MediaType = {
  /** A Docker manifest list: one manifest per platform. */
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  /** A Docker image manifest, schema 2. */
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  /** An OCI image index. */
  ociIndex: "application/vnd.oci.image.index.v1+json",
  /** An OCI image manifest. */
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  /** A Docker image config. */
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  /** An OCI image config. */
  ociConfig: "application/vnd.oci.image.config.v1+json",
  /** A gzipped Docker layer. */
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  /** A gzipped OCI layer. */
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;
/** One of the media types above. */
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** The four manifest media types a client accepts, indexes first. */
export const MANIFEST_MEDIA_TYPES = [
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
  MediaType.ociIndex,
  MediaType.ociManifest,
] as const;

/** A manifest media type. */
export type ManifestMediaType = (typeof MANIFEST_MEDIA_TYPES)[number];

// A registry picks the manifest form by Accept: without the list types it may answer a
// multi-platform tag with one platform's manifest (or, for old registries, schema 1), so the
// Accept header always names all four.
/** The Accept header for manifest requests: all four manifest media types. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ");

/** True for a manifest media type solera reads. */
export function isManifestMediaType(value: string | undefined): value is ManifestMediaType {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(value ?? "");
}

/** True for the two index types (Docker manifest list, OCI index). */
export function isIndexMediaType(value: string | undefined): boolean {
  return value === MediaType.dockerManifestList || value === MediaType.ociIndex;
}

/** A Content-Type without its parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
export function essence(contentType: string | null | undefined): string | undefined {
  const value = contentType?.split(";")[0]?.trim().toLowerCase();
  return value === "" ? undefined : value;
}

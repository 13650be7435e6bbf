import { z } from "zod";

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** A content descriptor: media type, digest, size, optional platform and annotations. */
export const DescriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string().regex(DIGEST),
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** A content descriptor. */
export type Descriptor = z.infer<typeof DescriptorSchema>;

/** The platform of an index entry (OCI image index spec, `platform`). */
export const PlatformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  "os.version": z.string().optional(),
  "os.features": z.array(z.string()).optional(),
  variant: z.string().optional(),
});
/** The platform of an index entry. */
export type Platform = z.infer<typeof PlatformSchema>;

/** An image manifest (Docker schema 2 or OCI): a config and layers. */
export const ImageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An image manifest. */
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

/** One entry of an index: a manifest descriptor with its platform. */
export const IndexEntrySchema = DescriptorSchema.extend({ platform: PlatformSchema.optional() });
/** One entry of an index. */
export type IndexEntry = z.infer<typeof IndexEntrySchema>;

/** An image index (Docker manifest list or OCI index): manifests per platform. */
export const ImageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(IndexEntrySchema),
  subject: DescriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
/** An image index. */
export type ImageIndex = z.infer<typeof ImageIndexSchema>;

/** The registry's tag list page (`GET /v2/<name>/tags/list`). */
export const TagListSchema = z.object({
  name: z.string(),
  tags: z.array(z.string()).nullable().optional(),
});
/** The registry's tag list page. */
export type TagList = z.infer<typeof TagListSchema>;

import { createHash } from "node:crypto";
import { PassThrough, Readable, type Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as zlib from "node:zlib";
import type { TarReader } from "./tar.ts";

/** What streaming one layer measured. */
export interface LayerScan {
  /** Bytes as stored in the registry (the blob). */
  compressed: number;
  /** Bytes of the tar stream, after decompression. */
  uncompressed: number;
  /** sha256 of the tar stream: the layer's diff_id, to check against the image config. */
  diffId: string;
}

/** A layer whose compression solera cannot read. */
export class UnsupportedLayerError extends Error {
  constructor(mediaType: string) {
    super(`layers of media type ${mediaType} cannot be read (gzip, zstd and plain tar can)`);
    this.name = "UnsupportedLayerError";
  }
}

/**
 * Streams a layer blob through its decompressor into a TarReader, counting the bytes on both
 * sides and hashing the tar stream. Nothing is written to disk and no more than the streams'
 * own buffers is held in memory.
 */
export async function scanLayer(
  blob: ReadableStream<Uint8Array>,
  mediaType: string,
  reader: TarReader,
): Promise<LayerScan> {
  const hash = createHash("sha256");
  let compressed = 0;
  let uncompressed = 0;

  await pipeline(
    Readable.fromWeb(blob as import("node:stream/web").ReadableStream<Uint8Array>),
    async function* count(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        compressed += chunk.length;
        yield chunk;
      }
    },
    decompressorFor(mediaType),
    async (chunks: AsyncIterable<Buffer>) => {
      for await (const chunk of chunks) {
        uncompressed += chunk.length;
        hash.update(chunk);
        // A layer may carry bytes past the end-of-archive blocks; they are hashed, not parsed.
        if (!reader.finished) reader.write(chunk);
      }
    },
  );
  if (!reader.finished) reader.end();
  return { compressed, uncompressed, diffId: `sha256:${hash.digest("hex")}` };
}

function decompressorFor(mediaType: string): Transform {
  if (mediaType.endsWith("gzip")) return zlib.createGunzip();
  // zstd layers (OCI `+zstd`): Node has read them since 22.15 / 23.8.
  const zstd = (zlib as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (mediaType.endsWith("zstd") && zstd) return zstd();
  if (mediaType.endsWith(".tar") || mediaType.endsWith("tar.v1")) return new PassThrough();
  throw new UnsupportedLayerError(mediaType);
}

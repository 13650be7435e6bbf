/** An image reference split into its parts, normalised the way Docker normalises it. */
export interface ImageReference {
  /** Registry host, with port if any: `docker.io` for Docker Hub, `host:5000` for others. */
  registry: string;
  /** Repository path: `library/debian` for an official image on Docker Hub. */
  repository: string;
  /** Tag, when the reference names one. */
  tag?: string;
  /** Digest (`sha256:<64 hex>`), when the reference names one. */
  digest?: string;
}

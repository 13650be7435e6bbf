import { z } from "zod";

// The parts of Hetzner Cloud API objects the controller reads
// (https://docs.hetzner.cloud/reference/cloud). Unknown fields pass through untouched.

/** A floating IP: `ip` is an address for ipv4 and a `/64` network for ipv6. */
export const FloatingIp = z.object({
  id: z.number(),
  name: z.string(),
  ip: z.string(),
  type: z.enum(["ipv4", "ipv6"]),
  server: z.number().nullable(),
  labels: z.record(z.string(), z.string()).default({}),
});
export type FloatingIp = z.infer<typeof FloatingIp>;

/** A server with its public addresses (ipv6 is its `/64` network). */
export const Server = z.object({
  id: z.number(),
  name: z.string(),
  public_net: z.object({
    ipv4: z.object({ ip: z.string() }).nullable().optional(),
    ipv6: z.object({ ip: z.string() }).nullable().optional(),
  }),
});
export type Server = z.infer<typeof Server>;

/** An asynchronous action; it ends in `success` or `error`. */
export const Action = z.object({
  id: z.number(),
  command: z.string(),
  status: z.enum(["running", "success", "error"]),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});
export type Action = z.infer<typeof Action>;

/** The pagination block every list response carries. */
export const Pagination = z.object({
  meta: z
    .object({ pagination: z.object({ next_page: z.number().nullable() }).partial() })
    .partial()
    .optional(),
});

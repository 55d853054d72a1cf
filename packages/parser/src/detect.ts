// The one place that tells input families apart from their first bytes: gzip, a protobuf profile
// (debug=0), a debug=1 profile, or traceback text (goroutine blocks: debug=2, panics, signal dumps).
import { isGzip } from "./chunker.ts";
import { isProfileProto } from "./debug0.ts";

/** What an input is, from its head. `blocks` is anything else: traceback text, or not a dump at all. */
export type InputFamily = "gzip" | "debug0" | "debug1" | "blocks";

/** The first line of a debug=1 profile (`goroutine profile: total N`, or another profile's name). */
export const PROFILE_HEAD = /^\s*(\w+) profile: total (\d+)/;

/** How many bytes of a head are decoded to look for the debug=1 header line. */
const TEXT_HEAD_BYTES = 4096;

/**
 * The family of an input from its head (a few hundred bytes are enough; text heads are already
 * decoded). Binary bytes are a protobuf profile only when every field in the head is a `Profile`
 * field with its wire type, so an executable or an image is read as text and reported as not a dump.
 */
export function detect(head: string | Uint8Array): InputFamily {
  if (typeof head !== "string") {
    if (isGzip(head)) return "gzip";
    if (isProfileProto(head)) return "debug0";
    head = new TextDecoder().decode(head.subarray(0, TEXT_HEAD_BYTES));
  }
  return PROFILE_HEAD.test(head) ? "debug1" : "blocks";
}

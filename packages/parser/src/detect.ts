// The one place that tells input families apart from their first bytes: gzip, a protobuf profile
// (debug=0), a debug=1 profile, or traceback text (goroutine blocks: debug=2, panics, signal dumps).
import { isGzip } from "./chunker.ts";
import { isProfileProto } from "./debug0.ts";

/** What an input is, from its head. `blocks` is anything else: traceback text, or not a dump at all. */
export type InputFamily = "gzip" | "debug0" | "debug1" | "blocks";

/** The first line of a debug=1 profile (`goroutine profile: total N`, or another profile's name). */
export const PROFILE_HEAD = /^\s*(\w+) profile: total (\d+)/;

/**
 * The family is a function of an input's first DETECT_BYTES bytes (characters, for text) and nothing
 * else, so a reader given the whole input and one fed a few bytes at a time decide alike.
 */
export const DETECT_BYTES = 256;

/** How many first bytes isProfileProto looks at for a control character, the sign of binary input. */
const BINARY_PROBE = 16;

/**
 * The family of an input from its head (its first DETECT_BYTES are read; text heads are already
 * decoded). Binary bytes are a protobuf profile only when every field in the head is a `Profile`
 * field with its wire type, so an executable or an image is read as text and reported as not a dump.
 */
export function detect(head: string | Uint8Array): InputFamily {
  if (typeof head !== "string") {
    head = head.subarray(0, DETECT_BYTES);
    if (isGzip(head)) return "gzip";
    if (isProfileProto(head)) return "debug0";
    head = new TextDecoder().decode(head);
  }
  return PROFILE_HEAD.test(head.slice(0, DETECT_BYTES)) ? "debug1" : "blocks";
}

/**
 * Whether a head shorter than DETECT_BYTES already has the family of any input it starts, so a stream
 * need not wait for more. Text: once a line with something besides whitespace has ended (PROFILE_HEAD
 * matches within that line or not at all). Bytes: the same, with the first BINARY_PROBE bytes in and
 * none of them a control character (then neither gzip nor protobuf can follow), and the line's first
 * byte ASCII (a non-ASCII character may be whitespace that PROFILE_HEAD's `\s*` reads past).
 */
export function settled(head: string | Uint8Array): boolean {
  if (typeof head === "string") {
    const first = head.search(/\S/);
    return first !== -1 && head.indexOf("\n", first) !== -1;
  }
  if (head.length < BINARY_PROBE) return false;
  for (let i = 0; i < BINARY_PROBE; i++) {
    const c = head[i]!;
    if (c < 0x09 || (c > 0x0d && c < 0x20)) return false;
  }
  let first = 0;
  while (first < head.length && (head[first] === 0x20 || (head[first]! >= 0x09 && head[first]! <= 0x0d)))
    first++;
  return first < head.length && head[first]! < 0x80 && head.indexOf(10, first) !== -1;
}

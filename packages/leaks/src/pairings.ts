// Well-known pairings, as data: a goroutine blocked in one of these calls holds goroutines of the partner kinds.

export interface Pairing {
  /** What the pair is, for reasons ("HTTP/1 client connection"). */
  name: string;
  /** The incident kind when a pairing ties the groups. */
  kind: string;
  /** A function on the caller's stack: while it waits, it holds one of each partner. */
  caller: string;
  /** Start functions of the goroutines each waiting caller holds, one of each. */
  partners: string[];
  /** How a title says what each caller holds. */
  holds: string;
}

export const PAIRINGS: readonly Pairing[] = [
  {
    name: "HTTP/1 client connection",
    kind: "stuck outbound call",
    caller: "net/http.(*persistConn).roundTrip",
    partners: ["net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop"],
    holds: "two transport goroutines",
  },
  {
    name: "HTTP/2 client connection",
    kind: "stuck outbound call",
    caller: "net/http.(*http2ClientConn).RoundTrip",
    partners: ["net/http.(*http2ClientConn).readLoop"],
    holds: "a transport read loop",
  },
  {
    name: "HTTP/2 client connection (x/net)",
    kind: "stuck outbound call",
    caller: "golang.org/x/net/http2.(*ClientConn).RoundTrip",
    partners: ["golang.org/x/net/http2.(*ClientConn).readLoop"],
    holds: "a transport read loop",
  },
];

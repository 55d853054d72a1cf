// Types for server.mjs (kept as plain JS so the benchmark runs under node without a build step).
export function serve(opts: {
  dist: string;
  dump: string | null;
}): Promise<{ url: string; close(): Promise<void> }>;

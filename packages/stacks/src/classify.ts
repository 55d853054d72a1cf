// Whose code a frame is: the program's own, a dependency's, or the Go standard library's.

export type CodeKind = "own" | "dependency" | "stdlib";

/**
 * Told from what the runtime printed: a module-cache path (`/pkg/mod/`) or a versioned trimpath path
 * (`github.com/x/y@v1.2.3/`), or a vendor folder, is a dependency; an import path whose first element has
 * no dot (`runtime`, `net/http`, `internal/poll`) is the standard library, except `main`; the rest is the
 * program's own code.
 */
export function codeKind(pkg: string, file: string): CodeKind {
  if (/\/pkg\/mod\/|@v\d|(^|\/)vendor\//.test(file) && !/\/src\/vendor\//.test(file)) return "dependency";
  if (pkg === "main" || pkg === "command-line-arguments") return "own";
  const head = pkg.split("/")[0] ?? "";
  if (pkg === "" || !head.includes(".")) return "stdlib";
  return "own";
}

/** The function as shown beside its package column: `(*conn).serve`, `main.func1`. */
export function shortFunction(fn: string, pkg: string): string {
  return pkg !== "" && fn.startsWith(`${pkg}.`) ? fn.slice(pkg.length + 1) : fn;
}

/** The file's last path element (`server.go`); the full path stays in JSON. */
export function baseName(file: string): string {
  const i = file.lastIndexOf("/");
  return i >= 0 ? file.slice(i + 1) : file;
}

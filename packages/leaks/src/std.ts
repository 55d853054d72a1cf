// What is not the program's own code: Go's standard library (and golang.org/x).

/** Top-level directories of Go's standard library: frames there are not the program's own code. */
const STD = new Set(
  "archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings structs sync syscall testing text time unicode unique unsafe vendor weak".split(
    " ",
  ),
);

export function isStdFunction(fn: string): boolean {
  const slash = fn.lastIndexOf("/", fn.indexOf("(") >= 0 ? fn.indexOf("(") : fn.length);
  const pkgEnd = fn.indexOf(".", slash + 1);
  const pkg = fn.slice(0, pkgEnd < 0 ? fn.length : pkgEnd);
  const top = pkg.split("/")[0]!;
  return STD.has(top) || pkg === "sync" || pkg.startsWith("golang.org/x/");
}

/** Started in the program's own code (not the runtime, the standard library or golang.org/x). */
export function isUserFunction(fn: string): boolean {
  return fn !== "" && !fn.startsWith("runtime.") && !isStdFunction(fn);
}

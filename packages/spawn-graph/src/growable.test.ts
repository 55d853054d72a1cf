// IdColumn keeps ids as Int32 while they fit and switches to doubles, losing nothing, when one does not
// (ids beyond 2^31 appear in damaged or hand-made dumps). Values are hand-written here.
import { describe, expect, it } from "vitest";
import { IdColumn } from "./growable.ts";

describe("IdColumn", () => {
  it("widens on push and on append without changing a value", () => {
    const c = new IdColumn();
    const values: number[] = [];
    for (let i = 0; i < 5000; i++) values.push(i % 3 === 0 ? -1 : i * 7);
    for (const v of values) c.push(v);
    expect(c.view()).toBeInstanceOf(Int32Array);
    c.push(2 ** 40 + 1);
    values.push(2 ** 40 + 1);
    expect(c.view()).toBeInstanceOf(Float64Array);
    expect([...c.view()]).toEqual(values);

    const d = new IdColumn();
    d.append(Int32Array.of(1, 2, 3));
    d.append(Float64Array.of(4, 5));
    expect(d.view()).toBeInstanceOf(Int32Array);
    d.append(Float64Array.of(6, 2 ** 31, 7.5));
    expect(d.view()).toBeInstanceOf(Float64Array);
    expect([...d.view()]).toEqual([1, 2, 3, 4, 5, 6, 2 ** 31, 7.5]);
  });
});

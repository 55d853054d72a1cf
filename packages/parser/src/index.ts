// @gosleuth/parser public API (being built).
export {};

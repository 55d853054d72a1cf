// @gosleuth/leaks public API (being built).
export {};

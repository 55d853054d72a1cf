// Every colour the viewer draws with (graph, legend, panel, list, export), in one place; style.css holds the page's own.
import type { Severity } from "@gosleuth/leaks";
import type { StateClass } from "@gosleuth/model";

/** Colours by family: running green, I/O blue, channels orange, locks purple, runtime grey, forever-blocked red. */
export const STATE_COLORS: Readonly<Record<StateClass, string>> = {
  running: "#2e9e44",
  runnable: "#7cc36b",
  syscall: "#1f6fb2",
  "io-wait": "#4a9fd8",
  sleep: "#33b5a5",
  "chan-receive": "#f28e2b",
  "chan-send": "#e15759",
  "chan-nil": "#a50f15",
  select: "#edc948",
  "select-no-cases": "#7f0000",
  mutex: "#8e44ad",
  rwmutex: "#b07cc6",
  cond: "#c39bd3",
  waitgroup: "#6a3d9a",
  semacquire: "#9467bd",
  gc: "#9c9c9c",
  runtime: "#7f7f7f",
  idle: "#c7c7c7",
  preempted: "#8c564b",
  dead: "#444444",
  unknown: "#bcbd22",
};

export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  info: "#6baed6",
  low: "#fdd835",
  medium: "#fb8c00",
  high: "#e53935",
};

export const GHOST_COLOR = "#b0b0b0";
export const ORPHAN_BORDER = "#222222";
export const CONTEXT_COLOR = "#dddddd";
export const PATH_EDGE_COLOR = "#111111";
export const EDGE_COLOR = "#c8c8c8";

export function stateColor(stateClass: string): string {
  return STATE_COLORS[stateClass as StateClass] ?? STATE_COLORS.unknown;
}

/** The canvas and exported image background, the inside of ring nodes, and the box behind a forced label. */
export const NODE_BACKGROUND = "#ffffff";
/** The "+N more" node of an expanded node. */
export const MORE_COLOR = "#eeeeee";
export const LABEL_COLOR = "#000000";

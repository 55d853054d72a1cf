// A tiny element builder that only ever sets text through textContent, so dump strings can never become markup.

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  /** data-* attributes (values are set with setAttribute, never parsed as HTML). */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
  /** Inline styles through the CSSOM (allowed by the page's CSP, unlike style attributes). */
  style?: Partial<Record<"background" | "color" | "borderColor" | "width" | "height" | "top", string>>;
  on?: Partial<Record<keyof HTMLElementEventMap, (e: Event) => void>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    if (props.class) el.className = props.class;
    if (props.title !== undefined) el.title = props.title;
    if (props.data) for (const [k, v] of Object.entries(props.data)) el.dataset[k] = v;
    if (props.attrs) for (const [k, v] of Object.entries(props.attrs)) el.setAttribute(k, v);
    if (props.style) Object.assign(el.style, props.style);
    if (props.on) for (const [k, fn] of Object.entries(props.on)) if (fn) el.addEventListener(k, fn);
  }
  append(el, ...children);
  return el;
}

export function append(el: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`@gosleuth/viewer: element #${id} is missing from index.html`);
  return el;
}

export const fmt = (n: number): string => n.toLocaleString("en-US");

/** A node's or group's goroutine states, most frequent first: "12 IO wait, 3 select". */
export function statesText(states: Readonly<Record<string, number>>): string {
  return Object.entries(states)
    .sort((a, b) => b[1] - a[1])
    .map(([s, k]) => `${fmt(k)} ${s}`)
    .join(", ");
}

export function waitRange(min: number, max: number): string {
  if (max <= 0) return "";
  return min === max ? `${fmt(min)} min` : `${fmt(min)}–${fmt(max)} min`;
}

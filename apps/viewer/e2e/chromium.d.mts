// Types for chromium.mjs (kept as plain JS so the developer tools run under node without a build step).
import type { Browser, BrowserContext, Page } from "playwright-core";

export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: readonly string[];
export function launch(opts?: { args?: readonly string[] }): Promise<Browser>;
export function launchWithProfile(opts?: {
  prefix?: string;
  viewport?: { width: number; height: number };
  args?: readonly string[];
}): Promise<{ context: BrowserContext; page: Page; profile: string; close(): Promise<void> }>;

type Rect = { x: number; y: number; width: number; height: number };
export function pngQuery(
  page: Page,
  pngs: readonly [Uint8Array],
  question: { op: "inked"; rect?: Rect },
): Promise<{ inked: number; total: number }>;
export function pngQuery(
  page: Page,
  pngs: readonly [Uint8Array],
  question: { op: "colors"; points: readonly { x: number; y: number }[] },
): Promise<[number, number, number][]>;
export function pngQuery(
  page: Page,
  pngs: readonly [Uint8Array, Uint8Array],
  question: { op: "diff" },
): Promise<{ size: string; n: number; max: number }>;

export function openDump(page: Page, url: string, opts?: { timeout?: number }): Promise<string | undefined>;
export function searchPath(page: Page, term: string): Promise<void>;
export function expandSelected(page: Page): Promise<void>;
export function collapseSelected(page: Page): Promise<void>;
export function settle(page: Page, opts?: { timeout?: number; fallbackMs?: number }): Promise<void>;
export function rendererRss(profile: string): { peak: number; now: number };

// Where a dump comes from in the page: the file picker, a dropped file, pasted text (the URL is main.ts's).
import { $ } from "./dom.ts";
import type { LoadSource } from "./protocol.ts";

export interface InputActions {
  open(source: LoadSource): void;
  cancel(): void;
}

export function wireInputs(act: InputActions): void {
  const fileInput = $("file-input") as HTMLInputElement;
  const pick = () => fileInput.click();
  $("open-btn").addEventListener("click", pick);
  $("landing-open").addEventListener("click", pick);
  fileInput.addEventListener("change", () => {
    const f = fileInput.files?.[0];
    if (f) act.open({ kind: "file", file: f });
    fileInput.value = "";
  });
  $("cancel-btn").addEventListener("click", () => act.cancel());
  $("paste-btn").addEventListener("click", () => {
    const text = ($("paste") as HTMLTextAreaElement).value;
    if (text.trim()) act.open({ kind: "text", text, name: "pasted dump" });
  });
  document.addEventListener("paste", (e) => {
    // Pasting anywhere but a text field opens the pasted dump directly.
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA")) return;
    const text = e.clipboardData?.getData("text/plain");
    if (text?.trim()) act.open({ kind: "text", text, name: "pasted dump" });
  });
  let dragDepth = 0;
  window.addEventListener("dragenter", (e) => {
    e.preventDefault();
    dragDepth++;
    $("drop-overlay").hidden = false;
  });
  window.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) $("drop-overlay").hidden = true;
  });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    dragDepth = 0;
    $("drop-overlay").hidden = true;
    const f = e.dataTransfer?.files?.[0];
    if (f) act.open({ kind: "file", file: f });
  });
}

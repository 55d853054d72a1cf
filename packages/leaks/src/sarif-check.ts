// For tests: checks a SARIF log against the official 2.1.0 schema and what GitHub code scanning requires of an upload.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { Log } from "sarif";

const require = createRequire(import.meta.url);
// The official SARIF 2.1.0 schema (rtm.5), as shipped by Microsoft's @microsoft/jest-sarif package.
const schema = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);
// The schema is JSON Schema draft-04, and one of its patterns is not valid with the u flag. Its formats (uri,
// uri-reference, date-time) are registered so they are checked, not ignored with a warning.
const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

/** Schema errors, as `path: message` lines (empty when the log is valid SARIF 2.1.0). */
export function sarifSchemaErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}

/**
 * What GitHub's "SARIF support for code scanning" page lists as required for an upload (and, marked so, what it
 * recommends for rules), checked field by field.
 */
export function githubSarifProblems(log: Log): string[] {
  const out: string[] = [];
  if (log.version !== "2.1.0") out.push("version must be 2.1.0");
  if (!Array.isArray(log.runs) || log.runs.length === 0) out.push("runs[] is empty");
  (log.runs ?? []).forEach((run, r) => {
    const d = run.tool?.driver;
    if (!d?.name) out.push(`runs[${r}].tool.driver.name is missing`);
    if (!run.automationDetails?.id) out.push(`runs[${r}].automationDetails.id is missing`);
    if (!Array.isArray(run.results)) out.push(`runs[${r}].results is missing`);
    const ids = new Set<string>();
    (d?.rules ?? []).forEach((rule, i) => {
      const at = `runs[${r}].tool.driver.rules[${i}]`;
      if (!rule.id) out.push(`${at}.id is missing`);
      else ids.add(rule.id);
      if (!rule.shortDescription?.text) out.push(`${at}.shortDescription.text is missing`);
      if (!rule.fullDescription?.text) out.push(`${at}.fullDescription.text is missing`);
      if (!rule.help?.text) out.push(`${at}.help.text is missing`);
      if (!rule.help?.markdown) out.push(`${at}.help.markdown is missing (recommended)`);
      if (!rule.defaultConfiguration?.level)
        out.push(`${at}.defaultConfiguration.level is missing (recommended)`);
      const p = rule.properties ?? {};
      if (!["very-high", "high", "medium", "low"].includes(String(p.precision)))
        out.push(`${at}.properties.precision is missing (recommended)`);
      if (!["error", "warning", "recommendation"].includes(String(p["problem.severity"])))
        out.push(`${at}.properties.problem.severity is missing (recommended)`);
      if (rule.helpUri !== undefined && !/^https:\/\//.test(rule.helpUri))
        out.push(`${at}.helpUri is not an https URL`);
    });
    (run.results ?? []).forEach((res, i) => {
      const at = `runs[${r}].results[${i}]`;
      if (!res.message?.text) out.push(`${at}.message.text is missing`);
      if (!res.ruleId || !ids.has(res.ruleId)) out.push(`${at}.ruleId names no rule of the driver`);
      if (!res.partialFingerprints || Object.keys(res.partialFingerprints).length === 0)
        out.push(`${at}.partialFingerprints is missing`);
      if (!res.locations || res.locations.length === 0) out.push(`${at}.locations is empty`);
      (res.locations ?? []).forEach((l, j) => {
        const pl = l.physicalLocation;
        if (!pl?.artifactLocation?.uri)
          out.push(`${at}.locations[${j}].physicalLocation.artifactLocation.uri is missing`);
        else if (
          /^[A-Za-z][A-Za-z0-9+.-]*:/.test(pl.artifactLocation.uri) &&
          !pl.artifactLocation.uri.startsWith("file:")
        )
          out.push(`${at}.locations[${j}] has a non-file URI scheme`);
        if (!pl?.region?.startLine)
          out.push(`${at}.locations[${j}].physicalLocation.region.startLine is missing`);
      });
    });
  });
  return out;
}

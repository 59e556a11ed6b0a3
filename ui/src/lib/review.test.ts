import { describe, expect, it } from "vitest";
import { translate, CATALOGS } from "../i18n";
import type { Translate } from "../i18n";
import { blocker } from "./review";

const zh: Translate = (key, params) => translate(CATALOGS, "zh-CN", key, params);
const en: Translate = (key, params) => translate(CATALOGS, "en", key, params);

describe("review blockers", () => {
  it("names each rule and links it to where it is fixed", () => {
    expect(blocker({ rule: "missing_answers", items: ["wage_account", "ledgers"] }, zh)).toEqual({
      rule: "missing_answers",
      text: "必查项未回答：wage_account、ledgers",
      fix: "checklist",
    });
    const named = blocker({ rule: "missing_answers", items: ["ledgers", "x"] }, zh, (id) => (id === "ledgers" ? "工资台账" : id));
    expect(named.text).toBe("必查项未回答：工资台账、x");
    expect(blocker({ rule: "too_few_checked_officers", officers: ["JC-0107"] }, en).text).toContain("1 so far");
    expect(blocker({ rule: "too_few_checked_officers", officers: [] }, zh).fix).toBe("officers");
    expect(blocker({ rule: "gaps_without_reason", id: "i", gaps: ["g1", "g2"] }, zh)).toMatchObject({ fix: "evidence" });
    expect(blocker({ rule: "outcome_required", findings: 2 }, zh)).toMatchObject({ fix: "outcome" });
    expect(blocker({ rule: "not_draft", id: "i" }, zh).fix).toBeNull();
  });

  it("has the words for every rule in both languages", () => {
    for (const key of Object.keys(CATALOGS["zh-CN"]).filter((k) => k.startsWith("review.") || k.startsWith("records.") || k.startsWith("uscc."))) {
      expect(CATALOGS.en[key], key).toBeTruthy();
    }
  });
});

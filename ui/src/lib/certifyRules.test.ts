import { describe, expect, it } from "vitest";
import { officersGate, outcomeFromForm } from "./certifyRules";

describe("finalize form", () => {
  it("maps the choice to the outcome the device expects", () => {
    expect(outcomeFromForm("auto", "")).toBeNull();
    expect(outcomeFromForm("no_violation", "")).toEqual({ type: "no_violation" });
    expect(outcomeFromForm("case_filed", "2026-03-20")).toEqual({ type: "case_filed" });
    expect(outcomeFromForm("rectification_order", "2026-03-20")).toEqual({ type: "rectification_order", deadline: "2026-03-20" });
  });
});

describe("the two-officer gate", () => {
  it("is not met while the device names too few checked officers, counting those it lists", () => {
    expect(officersGate([{ rule: "too_few_checked_officers", officers: [] }])).toEqual({ met: false, valid: 0, missing: 2 });
    expect(
      officersGate([
        { rule: "missing_answers", items: ["wage_account"] },
        { rule: "too_few_checked_officers", officers: ["JC-0107"] },
      ]),
    ).toEqual({ met: false, valid: 1, missing: 1 });
  });

  it("is met when the device no longer names it, whatever else still blocks finalizing", () => {
    expect(officersGate([])).toEqual({ met: true, valid: 2, missing: 0 });
    expect(officersGate([{ rule: "outcome_required", findings: 1 }])?.met).toBe(true);
  });

  it("never says nothing more is needed while the device says the gate is not met", () => {
    const gate = officersGate([{ rule: "too_few_checked_officers", officers: ["JC-0107", "JC-0112"] }]);
    expect(gate?.met, "the device decides the rule, not the UI's count").toBe(false);
    expect(gate?.missing).toBe(1);
  });

  it("shows no gate on a record that is no draft", () => {
    expect(officersGate([{ rule: "not_draft", id: "insp-1" }])).toBeNull();
  });
});

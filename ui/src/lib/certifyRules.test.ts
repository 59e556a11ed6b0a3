import { describe, expect, it } from "vitest";
import { outcomeFromForm } from "./certifyRules";

describe("finalize form", () => {
  it("maps the choice to the outcome the device expects", () => {
    expect(outcomeFromForm("auto", "")).toBeNull();
    expect(outcomeFromForm("no_violation", "")).toEqual({ type: "no_violation" });
    expect(outcomeFromForm("case_filed", "2026-03-20")).toEqual({ type: "case_filed" });
    expect(outcomeFromForm("rectification_order", "2026-03-20")).toEqual({ type: "rectification_order", deadline: "2026-03-20" });
  });
});

import { describe, expect, it } from "vitest";
import { detail } from "../test/fixtures";
import { answeredNo, checklistProgress, findingOf, findingWithdrawable } from "./checklist";

const template = detail().template;

describe("checklist progress", () => {
  it("counts every answered item and the required ones left", () => {
    expect(checklistProgress(template, {})).toEqual({ answered: 0, total: 4, requiredLeft: 1 });
    expect(checklistProgress(template, { workers: { kind: "number", value: "12" } })).toEqual({
      answered: 1,
      total: 4,
      requiredLeft: 1,
    });
    expect(checklistProgress(template, { wage_account: { kind: "no" }, workers: { kind: "number", value: "12" } })).toEqual({
      answered: 2,
      total: 4,
      requiredLeft: 0,
    });
  });
});

describe("findings from items", () => {
  it("finds an item's finding and tells whether it rests on a no", () => {
    const findings = [
      { item_id: null, description: "工资表缺页" },
      { item_id: "site_office", description: "未张贴", basis: "劳动合同法 第四条" },
    ];
    expect(findingOf(findings, "site_office")?.basis).toBe("劳动合同法 第四条");
    expect(findingOf(findings, "wage_account")).toBeUndefined();
    expect(answeredNo({ site_office: { kind: "no" } }, "site_office")).toBe(true);
    expect(answeredNo({ site_office: { kind: "not_applicable" } }, "site_office")).toBe(false);
  });

  it("lets the officer withdraw only a finding the checklist does not require", () => {
    const item = (id: string) => template.items.find((i) => i.id === id) ?? expect.unreachable(id);
    expect(findingWithdrawable(item("wage_account"))).toBe(false);
    expect(findingWithdrawable(item("site_office"))).toBe(true);
  });
});

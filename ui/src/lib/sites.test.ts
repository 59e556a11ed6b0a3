import { describe, expect, it } from "vitest";
import type { Site } from "../bindings/Site";
import { t } from "../i18n";
import { fold, matchSites, usccProblemText } from "./sites";

const site = (name: string, project: string | null, uscc: string): Site => ({
  id: `site-${uscc}`,
  name,
  uscc,
  address: null,
  project_name: project,
  general_contractor: null,
  created_at: "2026-01-01T00:00:00Z",
});

const SITES = [
  site("浙江恒筑建设集团有限公司", "滨江安置房项目", "91330100MA2B3C4D5E"),
  site("杭州城建工程有限公司", "文三路项目", "91330106MA27XL0Q1N"),
];

describe("finding a site", () => {
  it("matches name, project and credit code, as typed by an input method", () => {
    expect(matchSites(SITES, "恒筑").map((s) => s.name)).toEqual(["浙江恒筑建设集团有限公司"]);
    expect(matchSites(SITES, "文三路").map((s) => s.name)).toEqual(["杭州城建工程有限公司"]);
    // Full-width digits and lower case find the code.
    expect(matchSites(SITES, "９１３３０１０６ma27").map((s) => s.name)).toEqual(["杭州城建工程有限公司"]);
    // Every word must match; nothing typed lists them all.
    expect(matchSites(SITES, "杭州 恒筑")).toEqual([]);
    expect(matchSites(SITES, "  ")).toHaveLength(2);
    expect(fold("Ａ Ｂ")).toBe("ab");
  });

  it("says why a code was refused, in the officer's language", () => {
    expect(usccProblemText({ problem: "length", found: 4 }, t)).toContain("4");
    const check = usccProblemText({ problem: "check_character", expected: "3", found: "4" }, t);
    expect(check).toContain("“4”");
    expect(check).toContain("“3”");
  });
});

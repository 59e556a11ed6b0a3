import { describe, expect, it } from "vitest";
import type { BureauUrlProblem } from "./bindings/BureauUrlProblem";
import { CATALOGS, translate, type Translate } from "./i18n";
import { bureauUrlProblemText, enrollCommand, enrollmentText, vaultFreeText } from "./settingsLabels";

const zh: Translate = (key, params) => translate(CATALOGS, "zh-CN", key, params);
const en: Translate = (key, params) => translate(CATALOGS, "en", key, params);

describe("settings labels", () => {
  it("say why every refused bureau address was refused, in both languages, with what was found", () => {
    const problems: BureauUrlProblem[] = [
      { problem: "empty" },
      { problem: "missing_scheme" },
      { problem: "not_an_address", detail: "invalid port number" },
      { problem: "scheme", found: "ftp" },
      { problem: "plain_http", host: "bureau.example.cn" },
      { problem: "extra" },
    ];
    for (const problem of problems) {
      for (const t of [zh, en]) {
        const text = bureauUrlProblemText(problem, "bureau.example.cn", t);
        expect(text).not.toMatch(/bureauUrl\.|\{/); // a key or a placeholder left in would show
      }
    }
    expect(bureauUrlProblemText({ problem: "missing_scheme" }, " bureau.example.cn ", en)).toContain("https://bureau.example.cn");
    expect(bureauUrlProblemText({ problem: "plain_http", host: "10.0.0.5" }, "", zh)).toContain("10.0.0.5");
    expect(bureauUrlProblemText({ problem: "scheme", found: "ftp" }, "", zh)).toContain("ftp");
  });

  it("tell the enrollment in Beijing time, and the command for what the window does not do", () => {
    const text = enrollmentText(
      "0190f3a2-1b2c-7d4e-8f00-123456789abc",
      { bureau_url: "https://bureau.example.cn", enrolled_at: "2026-03-02T01:00:00Z", insecure_http: false, own_authority: false },
      zh,
    );
    expect(text).toContain("https://bureau.example.cn");
    expect(text).toContain("2026-03-02 09:00");
    expect(enrollCommand("/home/a/data")).toContain('--data-dir "/home/a/data" device enroll');
  });

  it("give the vault's free space against its disk, or say it is unknown", () => {
    const usage = { path: "/v", bytes: 0, files: 0, free_bytes: 1024 ** 3, disk_bytes: 4 * 1024 ** 3 };
    expect(vaultFreeText(usage, en)).toBe("1.0 GB free of 4.0 GB");
    expect(vaultFreeText({ ...usage, free_bytes: null, disk_bytes: null }, zh)).toBe(zh("settings.vault.unknown"));
  });
});

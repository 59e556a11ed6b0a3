import { describe, expect, it } from "vitest";
import { translate } from "./i18n";
import type { Translate } from "./i18n";
import zhCN from "./locales/zh-CN.json";
import en from "./locales/en.json";
import { actorLabel, auditActionLabel, qrPath } from "./recordLabels";

const zh: Translate = (key, params) => translate({ "zh-CN": zhCN, en }, "zh-CN", key, params);
const english: Translate = (key, params) => translate({ "zh-CN": zhCN, en }, "en", key, params);

describe("record labels", () => {
  it("names the device's audit actions in the officer's language, and shows an unknown one as recorded", () => {
    expect(auditActionLabel("inspection.finalize", zh)).toBe("定稿封存");
    expect(auditActionLabel("inspection.finalize", english)).toBe("Finalized and sealed");
    expect(auditActionLabel("evidence.import", zh)).toBe("导入证据");
    expect(auditActionLabel("feed.epoch", zh)).toBe("feed.epoch");
  });

  it("names who acted: the officer's number, or the device", () => {
    expect(actorLabel("officer:JC-0107@0190aaaa-bbbb", zh)).toBe("JC-0107");
    expect(actorLabel("device:0190aaaa-bbbb-cccc", english)).toBe("Device 0190aaaa");
    expect(actorLabel("someone", zh)).toBe("someone");
  });

  it("draws each run of dark modules as one rectangle inside the quiet zone", () => {
    // 3×3: a full top row, a lone centre, a bottom-right pair.
    const qr = { modules: 3, dark: [true, true, true, false, true, false, false, true, true] };
    expect(qrPath(qr)).toBe("M4 4h3v1h-3zM5 5h1v1h-1zM5 6h2v1h-2z");
    expect(qrPath({ modules: 2, dark: [false, false, false, false] })).toBe("");
  });
});

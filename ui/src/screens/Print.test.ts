import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RecordSheet } from "../bindings/RecordSheet";
import { router } from "../lib/router.svelte";
import { app, switchLanguage } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import Print from "./Print.svelte";

const HASH = "3f".repeat(32);

function sheet(): RecordSheet {
  return {
    inspection_id: "insp-1",
    supersedes: null,
    bureau: "杭州市西湖区人力资源和社会保障局",
    site: {
      id: "site-1",
      name: "浙江恒筑建设集团有限公司",
      uscc: "91330100MA2KXXXX0X",
      address: "杭州市滨江区江南大道 1 号",
      project_name: "滨江项目",
      general_contractor: null,
      created_at: "2026-11-01T00:00:00Z",
    },
    location: "项目部一楼",
    started_at: "2026-12-01T01:30:00Z",
    ended_at: "2026-12-01T03:05:00Z",
    template_title_zh: "建设工程工资支付检查表",
    template_title_en: "Construction wage payment checklist",
    officers: [
      { officer_id: "JC-0107", name: "王伟", certificate_number: "33010620240107", result: "valid", checked_at: "2026-12-01T01:40:00Z" },
      { officer_id: "JC-0112", name: null, certificate_number: "33010620240112", result: "valid", checked_at: "2026-12-01T01:41:00Z" },
    ],
    items: [
      { id: "wage_account", text_zh: "是否开设农民工工资专用账户", text_en: "Wage account opened", answer: { kind: "no" } },
      { id: "workers", text_zh: "在场人数", text_en: "Workers on site", answer: null },
    ],
    findings: [{ description: "未开设农民工工资专用账户", basis: "保障农民工工资支付条例 第二十六条" }],
    outcome: { type: "rectification_order", deadline: "2026-12-31" },
    evidence: [{ name: "DJI_0001.MP4", sha256: "cd".repeat(32), size: 1536 }],
    seal: {
      content_hash: HASH,
      signature: "ab".repeat(64),
      device_id: "0190aaaa-bbbb-7ccc-8ddd-eeeeffff0000",
      public_key: "12".repeat(32),
      qr: { modules: 3, dark: [true, true, true, false, true, false, false, true, true] },
    },
  };
}

describe("the printable record", () => {
  beforeEach(() => (app.error = null));
  afterEach(() => {
    resetBackend();
    if (app.locale !== "zh-CN") switchLanguage();
  });

  it("lays out the record in Chinese with the site, the basis, the outcome, the seal's hash and its QR code", async () => {
    fakeBackend({ record_sheet: () => sheet() });
    render(Print, { id: "insp-1" });
    const record = await screen.findByTestId("record-sheet");
    expect(record.textContent).toContain("现场检查笔录");
    expect(screen.getByTestId("record-bureau").textContent).toBe("杭州市西湖区人力资源和社会保障局");
    expect(screen.getByTestId("record-site").textContent).toBe("浙江恒筑建设集团有限公司");
    expect(screen.getByTestId("record-time").textContent).toBe("2026-12-01 09:30 – 2026-12-01 11:05（北京时间）");
    expect(screen.getAllByTestId("record-officer")[0]?.textContent).toContain("王伟（JC-0107）");
    expect(screen.getAllByTestId("record-item")[0]?.textContent).toContain("否");
    expect(screen.getAllByTestId("record-item")[1]?.textContent).toContain("未作答");
    expect(screen.getByTestId("record-finding").textContent).toContain("依据：保障农民工工资支付条例 第二十六条");
    expect(screen.getByTestId("record-outcome").textContent).toBe("责令限期改正（期限：2026-12-31）");
    expect(screen.getByTestId("record-file").textContent).toContain("1.5 KB");
    expect(screen.getByTestId("record-seal-hash").textContent).toBe(HASH);
    const qr = screen.getByTestId("record-qr");
    expect(qr.getAttribute("aria-label")).toContain(HASH);
    expect(qr.querySelector("path")?.getAttribute("d")).toBe("M4 4h3v1h-3zM5 5h1v1h-1zM5 6h2v1h-2z");
    expect(record.textContent).toContain("被检查单位签名");
  });

  it("prints through the window, and exports the PDF in the app's language, showing where it went", async () => {
    const backend = fakeBackend({
      record_sheet: () => sheet(),
      export_record_pdf: () => ({ path: "/data/exports/record-insp-1.pdf", bytes: 204800 }),
    });
    // The browser's print dialog; the test's window has none, so it stands in for it.
    const print = vi.fn();
    Object.defineProperty(window, "print", { value: print, configurable: true, writable: true });
    render(Print, { id: "insp-1" });
    await fireEvent.click(await screen.findByTestId("record-print"));
    expect(print).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByTestId("record-export"));
    await waitFor(() => expect(screen.getByTestId("record-exported").dataset.path).toBe("/data/exports/record-insp-1.pdf"));
    expect(screen.getByTestId("record-exported").textContent).toContain("200.0 KB");
    expect(backend.callsTo("export_record_pdf")).toEqual([{ id: "insp-1", lang: "zh-CN", path: null }]);
  });

  it("saves the PDF where the officer chose in the save dialog, and nothing when the dialog is closed", async () => {
    let chosen: string | null = null;
    const backend = fakeBackend({
      record_sheet: () => sheet(),
      "plugin:dialog|save": () => chosen,
      export_record_pdf: ({ path }) => ({ path, bytes: 1000 }),
    });
    render(Print, { id: "insp-1" });
    await fireEvent.click(await screen.findByTestId("record-save-as"));
    await waitFor(() => expect(backend.callsTo("plugin:dialog|save")).toHaveLength(1));
    expect(backend.callsTo("export_record_pdf")).toEqual([]);
    chosen = "/home/officer/笔录.pdf";
    await fireEvent.click(screen.getByTestId("record-save-as"));
    await waitFor(() => expect(screen.getByTestId("record-exported").dataset.path).toBe("/home/officer/笔录.pdf"));
    expect(backend.callsTo("export_record_pdf")).toEqual([{ id: "insp-1", lang: "zh-CN", path: "/home/officer/笔录.pdf" }]);
  });

  it("reads in English when the app is in English", async () => {
    switchLanguage();
    fakeBackend({ record_sheet: () => sheet() });
    render(Print, { id: "insp-1" });
    const record = await screen.findByTestId("record-sheet");
    expect(record.textContent).toContain("On-site inspection record");
    expect(screen.getAllByTestId("record-item")[0]?.textContent).toContain("Wage account opened");
    expect(screen.getByTestId("record-outcome").textContent).toBe("Rectification ordered (by 2026-12-31)");
    expect(record.textContent).not.toContain("现场检查笔录");
  });

  it("shows the device's refusal of a draft, and leads back to the inspection", async () => {
    fakeBackend({
      record_sheet: () => new Refusal({ code: "invalid_input", message: "inspection insp-1 is a draft: finalize it first" }),
    });
    render(Print, { id: "insp-1" });
    await waitFor(() => expect(app.error?.message).toContain("is a draft"));
    expect(screen.queryByTestId("record-sheet")).toBeNull();
    expect(screen.queryByTestId("record-print")).toBeNull();
    await fireEvent.click(screen.getByTestId("record-back"));
    expect(router.route).toEqual({ name: "detail", id: "insp-1" });
  });
});

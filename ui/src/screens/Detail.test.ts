import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CertificateCheck } from "../bindings/CertificateCheck";
import type { InspectionDetail } from "../bindings/InspectionDetail";
import { router } from "../lib/router.svelte";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { check, detail } from "../test/fixtures";
import Detail from "./Detail.svelte";

const recorded = (result: CertificateCheck["result"], officer: string): CertificateCheck => ({
  id: `check-${officer}-${result}`,
  inspection_id: "insp-1",
  officer_id: officer,
  certificate_number: "33010620240107",
  method: "typed",
  result,
  registry_version: 3,
  checked_by: { type: "officer", officer: "JC-0107", device: "dev-1" },
  checked_at: "2026-12-01T02:00:00Z",
  trusted_time: null,
  registry_stale: false,
});

describe("inspection detail", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("saves an answer and shows the record as the device returns it, focus kept on the control", async () => {
    const backend = fakeBackend({
      get_inspection: () => detail(),
      // The device raises the finding a "no" is on this item, with the item's basis.
      answer_item: ({ itemId }) =>
        detail({
          answers: { [itemId as string]: { kind: "no" } },
          findings: [{ item_id: itemId as string, description: "未开设工资专用账户", basis: "条例 第二十六条" }],
        }),
    });
    render(Detail, { id: "insp-1" });
    const no = await screen.findByTestId("answer-wage_account-no");
    no.focus();
    await fireEvent.click(no);
    await waitFor(() => expect(no.getAttribute("aria-pressed")).toBe("true"));
    expect(backend.callsTo("answer_item")).toEqual([{ id: "insp-1", itemId: "wage_account", value: "no" }]);
    // A "no" here is a suspected violation, marked as such, with its legal basis.
    expect(no.closest("li")?.classList.contains("item--finding")).toBe(true);
    expect(screen.getByTestId("finding-wage_account-basis").textContent).toContain("条例 第二十六条");
    expect(document.activeElement).toBe(no);
  });

  it("opened from the review page, brings the part to fix into view and focus", async () => {
    fakeBackend({ get_inspection: () => detail() });
    render(Detail, { id: "insp-1", fix: "officers" });
    await screen.findByTestId("check-input");
    await waitFor(() => expect((document.activeElement as HTMLElement | null)?.dataset.fix).toBe("officers"));
    await fireEvent.click(screen.getByTestId("review-open"));
    expect(router.route).toEqual({ name: "review", id: "insp-1" });
  });

  it("checks officers one after another from the same field, a refused certificate shown in red with its result", async () => {
    let checks: CertificateCheck[] = [];
    const backend = fakeBackend({
      get_inspection: () => detail({ checks }),
      check_certificate: ({ text }) => {
        const revoked = text === "33010620240120";
        checks = [...checks, recorded(revoked ? "revoked" : "valid", revoked ? "JC-0120" : "JC-0107")];
        return check(revoked ? "revoked" : "valid", text as string);
      },
    });
    render(Detail, { id: "insp-1" });
    const input = (await screen.findByTestId("check-input")) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "33010620240107" } });
    await fireEvent.click(screen.getByTestId("check-submit"));
    await waitFor(() => expect(screen.getByTestId("check-result").dataset.result).toBe("valid"));
    expect(input.value).toBe(""); // ready for the next officer's number
    await fireEvent.input(input, { target: { value: "33010620240120" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("check-result").dataset.result).toBe("revoked"));
    expect(screen.getByTestId("check-result").classList.contains("check-result--bad")).toBe(true);
    expect(backend.callsTo("check_certificate").map((a) => a.text)).toEqual(["33010620240107", "33010620240120"]);
    expect(screen.getAllByTestId("certificate-check").map((r) => r.dataset.result)).toEqual(["valid", "revoked"]);
    expect(screen.getByTestId("finalize-panel").textContent).toContain("1");
  });

  it("shows the two-officer gate as the device answers it: one officer checked, then met after the next check", async () => {
    let checks: CertificateCheck[] = [recorded("valid", "JC-0107")];
    // The device's answer to a review: the officers checked valid so far, until two are.
    const valid = () => [...new Set(checks.filter((c) => c.result === "valid").map((c) => c.officer_id))];
    const backend = fakeBackend({
      get_inspection: () => detail({ checks }),
      review_inspection: () => (valid().length < 2 ? [{ rule: "too_few_checked_officers", officers: valid() }] : []),
      check_certificate: ({ text }) => {
        checks = [...checks, recorded("valid", "JC-0112")];
        return check("valid", text as string);
      },
    });
    render(Detail, { id: "insp-1" });
    const open = await screen.findByTestId("officers-gate");
    expect([open.dataset.met, open.dataset.valid]).toEqual(["false", "1"]);
    expect(open.getAttribute("role")).toBe("status");
    expect(open.textContent?.trim()).toBe("两名持证执法人员：已核验 1 名，还需 1 名");
    expect(open.classList.contains("badge--bad")).toBe(true);

    await fireEvent.input(screen.getByTestId("check-input"), { target: { value: "33010620240112" } });
    await fireEvent.click(screen.getByTestId("check-submit"));
    await waitFor(() => expect(screen.getByTestId("check-result").dataset.result).toBe("valid"));
    // The gate after the check is drawn with the check's own result, not a redraw behind it.
    expect(screen.getByTestId("officers-gate").dataset.met).toBe("true");
    const met = screen.getByTestId("officers-gate");
    expect(met.dataset.valid).toBe("2");
    expect(met.textContent?.trim()).toBe("两名持证执法人员已核验");
    expect(met.classList.contains("badge--ok")).toBe(true);
    // Asked as the screen opened and once after the check, for the gate alone (no outcome).
    expect(backend.callsTo("review_inspection")).toEqual([
      { id: "insp-1", outcome: null },
      { id: "insp-1", outcome: null },
    ]);
  });

  it("shows no gate, and nothing in the banner, when the device cannot be asked about it", async () => {
    fakeBackend({
      get_inspection: () => detail(),
      review_inspection: () => new Refusal({ code: "storage", message: "database is locked" }),
    });
    render(Detail, { id: "insp-1" });
    await screen.findByTestId("check-input");
    expect(screen.queryByTestId("officers-gate")).toBeNull();
    expect(app.error, "finalizing still refuses with the reason; the gate's question is no error of the officer's").toBeNull();
  });

  it("does not ask about the gate on a sealed record, and shows none", async () => {
    const backend = fakeBackend({ get_inspection: () => detail({ status: "finalized" }), inspection_history: () => ({ audit: [], custody: [] }) });
    render(Detail, { id: "insp-1" });
    await screen.findByTestId("record-open");
    expect(screen.queryByTestId("officers-gate")).toBeNull();
    expect(backend.callsTo("review_inspection")).toEqual([]);
  });

  it("shows why finalizing was refused, then the sealed record once it is allowed", async () => {
    let allowed = false;
    fakeBackend({
      get_inspection: () => detail(),
      finalize_inspection: (): InspectionDetail | Refusal =>
        allowed
          ? detail({ status: "finalized" })
          : new Refusal({ code: "rule_violation", message: "two officers with a valid certificate must be checked" }),
      inspection_history: () => ({ audit: [], custody: [] }),
    });
    render(Detail, { id: "insp-1" });
    await fireEvent.click(await screen.findByTestId("finalize"));
    await waitFor(() => expect(app.error?.code).toBe("rule_violation"));
    expect(screen.getByTestId("inspection-detail").dataset.status).toBe("draft");
    allowed = true;
    await fireEvent.click(screen.getByTestId("finalize"));
    await waitFor(() => expect(screen.getByTestId("inspection-detail").dataset.status).toBe("finalized"));
    expect(app.error).toBeNull();
    // A finalized record offers nothing to change.
    expect(screen.queryByTestId("finalize")).toBeNull();
    expect(screen.queryByTestId("answer-wage_account-yes")).toBeNull();
  });

  it("shows a sealed inspection's audit history and each file's custody, and opens its printable record", async () => {
    const entry = (seq: number, action: string, subject: string) => ({
      seq,
      prev_hash: "00".repeat(32),
      at: "2026-12-01T01:30:00Z",
      actor: "officer:JC-0107@0190aaaa-bbbb",
      action,
      subject,
      payload_hash: "11".repeat(32),
      hash: `${seq}`.padStart(64, "a"),
    });
    const backend = fakeBackend({
      get_inspection: () => detail({ status: "finalized" }),
      inspection_history: () => ({
        audit: [entry(3, "inspection.create", "insp-1"), entry(9, "inspection.finalize", "insp-1")],
        custody: [{ evidence_id: "ev-1", name: "DJI_0001.MP4", entries: [entry(5, "evidence.import", "ev-1"), entry(12, "evidence.verified", "ev-1")] }],
      }),
    });
    render(Detail, { id: "insp-1" });
    await waitFor(() => expect(screen.getAllByTestId("history-entry")).toHaveLength(2));
    const rows = screen.getAllByTestId("history-entry");
    expect(rows[1]?.textContent).toContain("定稿封存");
    expect(rows[1]?.textContent).toContain("JC-0107");
    expect(rows[1]?.textContent).toContain("2026-12-01 09:30");
    expect(screen.getByTestId("custody-file").textContent).toBe("DJI_0001.MP4：2 条记录");
    expect(screen.getAllByTestId("custody-entry").map((r) => r.dataset.action)).toEqual(["evidence.import", "evidence.verified"]);
    expect(backend.callsTo("inspection_history")).toEqual([{ id: "insp-1" }]);
    await fireEvent.click(screen.getByTestId("record-open"));
    expect(router.route).toEqual({ name: "print", id: "insp-1" });
  });

  it("does not ask a draft for its history (a draft is still being written)", async () => {
    const backend = fakeBackend({ get_inspection: () => detail() });
    render(Detail, { id: "insp-1" });
    await screen.findByTestId("finalize");
    expect(screen.queryByTestId("history")).toBeNull();
    expect(screen.queryByTestId("record-open")).toBeNull();
    expect(backend.callsTo("inspection_history")).toEqual([]);
  });
});

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

  it("shows why finalizing was refused, then the sealed record once it is allowed", async () => {
    let allowed = false;
    fakeBackend({
      get_inspection: () => detail(),
      finalize_inspection: (): InspectionDetail | Refusal =>
        allowed
          ? detail({ status: "finalized" })
          : new Refusal({ code: "rule_violation", message: "two officers with a valid certificate must be checked" }),
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
});

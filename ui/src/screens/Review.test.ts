import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RuleViolation } from "../bindings/RuleViolation";
import { router } from "../lib/router.svelte";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { detail } from "../test/fixtures";
import Review from "./Review.svelte";

/** Selects an option as a person does (the option becomes the selected one). */
function choose(select: HTMLSelectElement, value: string): void {
  for (const o of select.options) o.selected = o.value === value;
}

describe("review before finalizing", () => {
  beforeEach(() => (app.error = null));
  afterEach(resetBackend);

  it("lists what blocks finalizing with a link to each fix; finalizing is refused with the reason, then allowed", async () => {
    let blocking: RuleViolation[] = [
      { rule: "missing_answers", items: ["wage_account"] },
      { rule: "too_few_checked_officers", officers: [] },
    ];
    const backend = fakeBackend({
      get_inspection: () => detail(),
      review_inspection: () => blocking,
      finalize_inspection: () =>
        blocking.length > 0
          ? new Refusal({ code: "rule_violation", message: "required checklist items are not answered: ledgers" })
          : detail({ status: "finalized" }),
    });
    render(Review, { id: "insp-1" });
    const items = await screen.findAllByTestId("review-blocker");
    expect(items.map((i) => i.dataset.rule)).toEqual(["missing_answers", "too_few_checked_officers"]);
    // Items are named by their text, not their ids.
    expect(items[0]?.textContent).not.toContain("wage_account");
    expect(items[0]?.textContent).toContain("必查项未回答：是否开设农民工工资专用账户");

    await fireEvent.click(screen.getByTestId("review-finalize"));
    await waitFor(() => expect(app.error?.code).toBe("rule_violation"));
    expect(app.error?.message).toContain("ledgers");

    // The fix link opens the inspection at the part to fix.
    await fireEvent.click(screen.getByTestId("review-fix-too_few_checked_officers"));
    expect(router.route).toEqual({ name: "detail", id: "insp-1", fix: "officers" });

    blocking = [];
    const outcome = screen.getByTestId("review-outcome") as HTMLSelectElement;
    choose(outcome, "case_filed");
    await fireEvent.change(outcome);
    await screen.findByTestId("review-ready");
    expect(backend.callsTo("review_inspection").at(-1)).toEqual({ id: "insp-1", outcome: { type: "case_filed" } });
    await fireEvent.click(screen.getByTestId("review-finalize"));
    await waitFor(() => expect(router.route).toEqual({ name: "detail", id: "insp-1" }));
    expect(backend.callsTo("finalize_inspection").at(-1)).toEqual({ id: "insp-1", outcome: { type: "case_filed" } });
  });
});

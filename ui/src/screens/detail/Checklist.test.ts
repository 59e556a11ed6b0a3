import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Finding } from "../../bindings/Finding";
import type { InspectionDetail } from "../../bindings/InspectionDetail";
import { AUTOSAVE_DELAY_MS } from "../../lib/autosave.svelte";
import { app } from "../../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend, type FakeBackend } from "../../test/backend";
import { detail } from "../../test/fixtures";
import Detail from "../Detail.svelte";

/**
 * A stand-in for the device's checklist rules: a "no" on an item the checklist counts as a
 * finding raises it with the item's basis, any other answer withdraws the item's finding.
 */
function checklistDevice(refuseNotes: () => string | null = () => null): FakeBackend {
  const record = detail();
  const items = record.template.items;
  const answers: InspectionDetail["inspection"]["answers"] = {};
  const notes: Record<string, string> = {};
  let findings: Finding[] = [];
  const withoutFinding = (itemId: string) => (findings = findings.filter((f) => f.item_id !== itemId));
  const raise = (itemId: string, description?: string) => {
    const item = items.find((i) => i.id === itemId) ?? expect.unreachable(itemId);
    withoutFinding(itemId);
    findings = [...findings, { item_id: itemId, description: description ?? item.text_zh, basis: item.basis }];
  };
  const now = () => detail({ answers: { ...answers }, findings, notes: { ...notes } });
  return fakeBackend({
    get_inspection: now,
    answer_item: ({ itemId, value }) => {
      const id = itemId as string;
      answers[id] = value === "no" ? { kind: "no" } : value === "yes" ? { kind: "yes" } : { kind: "text", value: value as string };
      if (value !== "no") withoutFinding(id);
      else if (items.find((i) => i.id === id)?.no_is_finding) raise(id);
      return now();
    },
    set_item_note: ({ itemId, note }) => {
      const refused = refuseNotes();
      if (refused) return new Refusal({ code: "invalid_input", message: refused });
      if ((note as string).trim() === "") delete notes[itemId as string];
      else notes[itemId as string] = (note as string).trim();
      return now();
    },
    raise_finding: ({ itemId, description }) => (raise(itemId as string, description as string), now()),
    withdraw_finding: ({ itemId }) => (withoutFinding(itemId as string), now()),
  });
}

/** Lets saves answered by the fake device land, with the timers held still. */
async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
  await tick();
}

const progress = () => screen.getByTestId("checklist-progress");

describe("checklist", () => {
  beforeEach(() => (app.error = null));
  afterEach(() => {
    vi.useRealTimers();
    resetBackend();
  });

  it("shows how far the list is answered, live, and a \"no\" raising its finding with the legal basis", async () => {
    checklistDevice();
    render(Detail, { id: "insp-1" });
    await screen.findByTestId("checklist-progress");
    expect(progress().textContent).toContain("已回答 0/4 项");
    expect(progress().textContent).toContain("还有 1 项必查项未回答");

    await fireEvent.click(screen.getByTestId("answer-wage_account-no"));
    await waitFor(() => expect(progress().dataset.answered).toBe("1"));
    expect(progress().dataset.requiredLeft).toBe("0");
    expect(progress().textContent).toContain("必查项已全部回答");
    expect(screen.getByTestId("finding-wage_account-basis").textContent).toContain("条例 第二十六条");
    // The checklist requires this finding: the answer, not a button, withdraws it.
    expect(screen.queryByTestId("finding-wage_account-withdraw")).toBeNull();

    await fireEvent.click(screen.getByTestId("answer-wage_account-yes"));
    await waitFor(() => expect(screen.queryByTestId("finding-wage_account")).toBeNull());
    expect(screen.getByTestId("answer-wage_account-state").dataset.status).toBe("saved");
  });

  it("raises a finding from any \"no\", prefilled with the item's text, and withdraws it", async () => {
    const backend = checklistDevice();
    render(Detail, { id: "insp-1" });
    await fireEvent.click(await screen.findByTestId("answer-site_office-no"));
    const open = await screen.findByTestId("finding-site_office-open");
    expect(screen.getByTestId("finding-site_office").dataset.raised).toBe("false");

    await fireEvent.click(open);
    const editor = (await screen.findByTestId("finding-site_office-input")) as HTMLTextAreaElement;
    expect(editor.value).toBe("项目部是否张贴用工管理制度");
    expect(document.activeElement).toBe(editor);
    await fireEvent.input(editor, { target: { value: "项目部未张贴用工管理制度" } });
    await fireEvent.click(screen.getByTestId("finding-site_office-save"));
    await waitFor(() => expect(screen.getByTestId("finding-site_office").dataset.raised).toBe("true"));
    expect(backend.callsTo("raise_finding")).toEqual([
      { id: "insp-1", itemId: "site_office", description: "项目部未张贴用工管理制度" },
    ]);
    expect(screen.getByTestId("finding-site_office-basis").textContent).toContain("劳动合同法 第四条");
    expect(screen.getAllByTestId("finding-row").map((r) => r.dataset.itemId)).toEqual(["site_office"]);

    await fireEvent.click(screen.getByTestId("finding-site_office-withdraw"));
    await waitFor(() => expect(screen.getByTestId("finding-site_office").dataset.raised).toBe("false"));
    expect(backend.callsTo("withdraw_finding")).toEqual([{ id: "insp-1", itemId: "site_office" }]);
    expect(screen.queryByTestId("finding-row")).toBeNull();
  });

  it("saves a note by itself once typing pauses, once, and not again on leaving it unchanged", async () => {
    const backend = checklistDevice();
    render(Detail, { id: "insp-1" });
    const note = (await screen.findByTestId("note-workers")) as HTMLTextAreaElement;
    vi.useFakeTimers();
    await fireEvent.input(note, { target: { value: "劳务" } });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS - 300);
    await fireEvent.input(note, { target: { value: "劳务公司代发" } });
    expect(screen.getByTestId("note-workers-state").dataset.status).toBe("editing");
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS - 1);
    expect(backend.callsTo("set_item_note")).toEqual([]); // typing went on: not yet
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(backend.callsTo("set_item_note")).toEqual([{ id: "insp-1", itemId: "workers", note: "劳务公司代发" }]);
    expect(screen.getByTestId("note-workers-state").dataset.status).toBe("saved");

    await fireEvent.blur(note);
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS * 2);
    expect(backend.callsTo("set_item_note")).toHaveLength(1);
    expect(note.value).toBe("劳务公司代发");
  });

  it("saves a free-text answer on leaving the field, before the pause is over", async () => {
    const backend = checklistDevice();
    render(Detail, { id: "insp-1" });
    const answer = (await screen.findByTestId("answer-remarks-input")) as HTMLInputElement;
    vi.useFakeTimers();
    await fireEvent.input(answer, { target: { value: "现场秩序良好" } });
    await fireEvent.blur(answer);
    await settle();
    expect(backend.callsTo("answer_item")).toEqual([{ id: "insp-1", itemId: "remarks", value: "现场秩序良好" }]);
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(backend.callsTo("answer_item")).toHaveLength(1);
    expect(progress().dataset.answered).toBe("1");
  });

  it("keeps typed text when leaving the screen mid-typing: it is saved as the screen closes", async () => {
    const backend = checklistDevice();
    const view = render(Detail, { id: "insp-1" });
    const note = (await screen.findByTestId("note-site_office")) as HTMLTextAreaElement;
    vi.useFakeTimers();
    await fireEvent.input(note, { target: { value: "制度在项目经理处" } });
    view.unmount();
    await settle();
    expect(backend.callsTo("set_item_note")).toEqual([{ id: "insp-1", itemId: "site_office", note: "制度在项目经理处" }]);
  });

  it("says a refused save failed and why, keeps the text, and saves it on retry", async () => {
    let refusal: string | null = "the note on item 'workers' is 5001 characters long, over the limit of 5000";
    const backend = checklistDevice(() => refusal);
    render(Detail, { id: "insp-1" });
    const note = (await screen.findByTestId("note-workers")) as HTMLTextAreaElement;
    vi.useFakeTimers();
    await fireEvent.input(note, { target: { value: "很长的备注" } });
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    await settle();
    const state = screen.getByTestId("note-workers-state");
    expect(state.dataset.status).toBe("failed");
    expect(state.textContent).toContain("over the limit of 5000");
    expect(state.textContent).toContain("输入的内容仍保留在此"); // what to do: the text is kept, retry
    expect(screen.getByTestId("note-workers-state-retry").textContent).toBe("重试");
    expect(note.value).toBe("很长的备注");
    expect(app.error).toBeNull(); // told beside the field, not in the banner

    refusal = null;
    await fireEvent.click(screen.getByTestId("note-workers-state-retry"));
    await settle();
    expect(screen.getByTestId("note-workers-state").dataset.status).toBe("saved");
    expect(backend.callsTo("set_item_note")).toHaveLength(2);
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { UploadItem } from "../bindings/UploadItem";
import { fakeBackend, resetBackend } from "../test/backend";
import { upload } from "../test/fixtures";
import Uploads from "./Uploads.svelte";

describe("uploads", () => {
  afterEach(resetBackend);

  it("shows each file's state, progress, rate and whether the recorder may be cleared", async () => {
    fakeBackend({
      upload_status: () => [
        upload({ evidence_id: "v", state: "uploading", percent: 42.7 }),
        upload({
          evidence_id: "p",
          name: "IMG_0001.JPG",
          state: "verified",
          percent: 100,
          bytes_per_second: null,
          seconds_left: null,
          safe_to_delete: true,
          verified_at: "2026-12-01T03:00:00Z",
        }),
      ],
    });
    render(Uploads);
    const rows = await screen.findAllByTestId("upload-row");
    expect(rows.map((r) => [r.dataset.id, r.dataset.state, r.dataset.safe])).toEqual([
      ["v", "uploading", "false"],
      ["p", "verified", "true"],
    ]);
    const [sending, verified] = rows as [HTMLElement, HTMLElement];
    expect((sending.querySelector("[data-testid=upload-progress]") as HTMLProgressElement).value).toBeCloseTo(42.7);
    expect(sending.querySelector("[data-testid=upload-figures]")?.textContent).toContain("MB/s");
    expect(verified.querySelector("[data-testid=upload-safe]")?.textContent).toContain("可从记录仪删除");
    // A file the bureau has cannot be paused any more.
    expect(sending.querySelector("[data-testid=upload-toggle]")).not.toBeNull();
    expect(verified.querySelector("[data-testid=upload-toggle]")).toBeNull();
  });

  it("pauses one file and all files, and shows the state the device then reports", async () => {
    let items: UploadItem[] = [upload({ evidence_id: "v" })];
    const backend = fakeBackend({
      upload_status: () => items,
      pause_uploads: ({ id }) => {
        items = items.map((i) => (id === null || i.evidence_id === id ? { ...i, paused: true } : i));
        return 1;
      },
      resume_uploads: () => {
        items = items.map((i) => ({ ...i, paused: false }));
        return 1;
      },
    });
    render(Uploads);
    await fireEvent.click(await screen.findByTestId("upload-toggle"));
    await waitFor(() => expect(screen.getByTestId("upload-row").dataset.paused).toBe("true"));
    expect(backend.callsTo("pause_uploads")).toEqual([{ id: "v" }]);
    expect(screen.getByTestId("upload-toggle").textContent).toContain("继续");
    await fireEvent.click(screen.getByTestId("uploads-resume-all"));
    await waitFor(() => expect(screen.getByTestId("upload-row").dataset.paused).toBe("false"));
    expect(backend.callsTo("resume_uploads")).toEqual([{ id: null }]);
  });

  it("follows the agent's progress while open, and stops asking once left", async () => {
    let percent = 10;
    const backend = fakeBackend({ upload_status: () => [upload({ percent })] });
    const view = render(Uploads, { refreshMs: 20 });
    await screen.findByTestId("upload-row");
    percent = 90;
    await waitFor(() => expect((screen.getByTestId("upload-progress") as HTMLProgressElement).value).toBe(90));
    view.unmount();
    const asked = backend.callsTo("upload_status").length;
    await new Promise((r) => setTimeout(r, 100));
    expect(backend.callsTo("upload_status").length).toBe(asked);
  });

  it("says when there is nothing to upload", async () => {
    fakeBackend({ upload_status: () => [] });
    render(Uploads);
    expect(await screen.findByTestId("uploads-empty")).toBeTruthy();
  });
});

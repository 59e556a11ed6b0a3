import { emit } from "@tauri-apps/api/event";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { app, startApp } from "../lib/store.svelte";
import { fakeBackend, resetBackend } from "../test/backend";
import { syncStatus } from "../test/fixtures";
import SyncIndicator from "./SyncIndicator.svelte";

describe("sync indicator", () => {
  afterEach(resetBackend);

  it("shows the state the agent reports, follows its events, says what went wrong and retries", async () => {
    const backend = fakeBackend({
      app_info: () => ({ version: "0.1.0", data_dir: "/tmp/d", device_id: "dev-1", public_key: "k" }),
      current_officer: () => null,
      sync_status: () => syncStatus({ state: "offline", last_error: "connect ECONNREFUSED 10.0.0.2:8443", last_error_code: "offline" }),
      sync_now: () => null,
    });
    startApp();
    render(SyncIndicator);
    const box = screen.getByTestId("sync-status");
    await waitFor(() => expect(box.dataset.state).toBe("offline"));
    expect(screen.getByTestId("sync-problem").textContent).toContain("联网后会自动同步");
    // The engineer's words stay out of the officer's sentence.
    expect(screen.getByTestId("sync-problem").textContent).not.toContain("ECONNREFUSED");
    await fireEvent.click(screen.getByTestId("sync-now"));
    expect(backend.callsTo("sync_now")).toHaveLength(1);

    await emit("sync-status", syncStatus({ state: "synced", last_success_at: "2026-12-02T01:00:00Z" }));
    await waitFor(() => expect(box.dataset.state).toBe("synced"));
    expect(screen.queryByTestId("sync-problem")).toBeNull();
    expect(box.textContent).toContain("2026-12-02 09:00");
    expect(app.info?.device_id).toBe("dev-1");
  });
});

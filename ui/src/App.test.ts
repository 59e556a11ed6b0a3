import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import { HOME, navigate } from "./lib/router.svelte";
import { app } from "./lib/store.svelte";
import { fakeBackend, resetBackend } from "./test/backend";
import { counts, homeOverview, settingsView, summary } from "./test/fixtures";

describe("the shell", () => {
  beforeEach(() => navigate(HOME));
  afterEach(resetBackend);

  it("switches language in place: every string changes, nothing is asked of the device again", async () => {
    const backend = fakeBackend({ home_overview: () => homeOverview([summary()]), upload_counts: () => counts() });
    render(App);
    await screen.findByTestId("inspection-row");
    const toggle = screen.getByTestId("lang-toggle");
    const before = app.locale;
    const heading = () => screen.getByTestId("inspection-list").previousElementSibling?.textContent;
    const zh = before === "zh-CN";
    await fireEvent.click(toggle);
    await waitFor(() => expect(heading()).toBe(zh ? "Inspections" : "检查记录"));
    expect(screen.getByTestId("new-inspection").textContent?.trim()).toBe(zh ? "New inspection" : "新建检查");
    expect(document.documentElement.lang).toBe(zh ? "en" : "zh-CN");
    expect(backend.callsTo("home_overview")).toHaveLength(1);
    await fireEvent.click(toggle);
    await waitFor(() => expect(app.locale).toBe(before));
  });

  it("opens each screen from the header, marking the open one for the eye and for screen readers", async () => {
    fakeBackend({
      home_overview: () => homeOverview([]),
      upload_counts: () => counts(),
      list_sites: () => [],
      list_templates: () => [],
      get_settings: () => settingsView(),
      vault_usage: () => ({ path: "/v", bytes: 0, files: 0, free_bytes: null, disk_bytes: null }),
    });
    render(App);
    await fireEvent.click(screen.getByTestId("settings-open"));
    expect(await screen.findByTestId("settings-bureau")).toBeTruthy();
    expect(screen.getByTestId("settings-open").getAttribute("aria-current")).toBe("page");
    await fireEvent.click(screen.getByTestId("uploads-open"));
    expect(await screen.findByTestId("uploads-screen")).toBeTruthy();
    expect(screen.getByTestId("uploads-open").getAttribute("aria-current")).toBe("page");
    await fireEvent.click(screen.getByTestId("new-inspection"));
    expect(await screen.findByTestId("new-inspection-form")).toBeTruthy();
    expect(screen.getByTestId("uploads-open").getAttribute("aria-current")).toBeNull();
    expect(screen.getByTestId("new-inspection").getAttribute("aria-current")).toBe("page");
  });
});

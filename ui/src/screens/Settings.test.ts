import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BureauUrlCheck } from "../bindings/BureauUrlCheck";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { settingsView } from "../test/fixtures";
import Settings from "./Settings.svelte";

const usage = () => ({ path: "/home/officer/.local/share/fieldcase/vault", bytes: 3 * 1024 ** 3, files: 42, free_bytes: 100 * 1024 ** 3, disk_bytes: 500 * 1024 ** 3 });

/** The device's check of an address, by its rules: https://, or an address with no scheme refused. */
function checkAddress({ text }: Record<string, unknown>): BureauUrlCheck {
  const typed = String(text).trim();
  if (typed.startsWith("https://")) return { url: typed.replace(/\/$/, ""), problem: null, message: null };
  return { url: null, problem: { problem: "missing_scheme" }, message: "no https://" };
}

describe("settings", () => {
  beforeEach(() => {
    app.officer = { officer_id: "JC-0107", name: "王伟" };
    app.error = null;
  });
  afterEach(resetBackend);

  it("tells the enrollment and the vault, and moves the bureau's address once it is typed right", async () => {
    const backend = fakeBackend({
      get_settings: () => settingsView(),
      vault_usage: usage,
      check_bureau_url: checkAddress,
      set_bureau_url: ({ url }) => settingsView({ enrollment: { ...settingsView().enrollment!, bureau_url: String(url) } }),
    });
    render(Settings);
    const state = await screen.findByTestId("enrollment-state");
    expect(state.dataset.enrolled).toBe("true");
    expect(state.textContent).toContain("https://bureau.example.cn");
    expect(state.textContent).toContain("2026-12-01 09:00"); // Beijing time
    expect(await screen.findByTestId("vault-files")).toHaveProperty("textContent", "42");
    expect(screen.getByTestId("vault-bytes").textContent).toBe("3.0 GB");
    expect(screen.getByTestId("vault-free").textContent).toContain("100.0 GB");

    const field = screen.getByTestId("bureau-url") as HTMLInputElement;
    const save = screen.getByTestId("bureau-save") as HTMLButtonElement;
    await fireEvent.input(field, { target: { value: "bureau2.example.cn" } });
    const status = screen.getByTestId("bureau-url-status");
    await waitFor(() => expect(status.dataset.valid).toBe("false"));
    expect(status.textContent).toContain("https://bureau2.example.cn");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(save.disabled).toBe(true);

    await fireEvent.input(field, { target: { value: "https://bureau2.example.cn/" } });
    await waitFor(() => expect(status.dataset.valid).toBe("true"));
    expect(save.disabled).toBe(false);
    await fireEvent.click(save);
    await waitFor(() => expect(backend.callsTo("set_bureau_url")).toEqual([{ url: "https://bureau2.example.cn" }]));
    await waitFor(() => expect(screen.getByTestId("enrollment-state").textContent).toContain("https://bureau2.example.cn"));
    expect(screen.getByTestId("bureau-done").hidden).toBe(false);
  });

  it("enrolls a laptop not yet enrolled with the code, and shows the command for what the window does not do", async () => {
    const backend = fakeBackend({
      get_settings: () => settingsView({ enrollment: null }),
      vault_usage: usage,
      check_bureau_url: checkAddress,
      enroll_device: () => settingsView(),
    });
    render(Settings);
    expect((await screen.findByTestId("enrollment-state")).dataset.enrolled).toBe("false");
    expect(screen.getByTestId("enroll-command").textContent).toContain("device enroll --bureau");
    const enroll = screen.getByTestId("enroll-submit") as HTMLButtonElement;
    await fireEvent.input(screen.getByTestId("bureau-url"), { target: { value: "https://bureau.example.cn" } });
    await waitFor(() => expect(screen.getByTestId("bureau-url-status").dataset.valid).toBe("true"));
    expect(enroll.disabled).toBe(true); // no code yet
    await fireEvent.input(screen.getByTestId("enroll-code"), { target: { value: "ABCD-1234" } });
    await fireEvent.click(enroll);
    await waitFor(() => expect(backend.callsTo("enroll_device")).toEqual([{ bureauUrl: "https://bureau.example.cn", code: "ABCD-1234" }]));
    await waitFor(() => expect(screen.getByTestId("enrollment-state").dataset.enrolled).toBe("true"));
  });

  it("switches the language at once and keeps it on the device", async () => {
    const backend = fakeBackend({ get_settings: () => settingsView(), vault_usage: usage, set_language: () => null });
    render(Settings);
    const english = (await screen.findByTestId("language-en")) as HTMLInputElement;
    const before = app.locale;
    await fireEvent.click(english);
    await waitFor(() => expect(app.locale).toBe("en"));
    expect(screen.getByText("Sign-in length")).toBeTruthy();
    await fireEvent.click(screen.getByTestId("language-zh-CN"));
    await waitFor(() => expect(app.locale).toBe("zh-CN"));
    expect(screen.getByText("登录时长")).toBeTruthy();
    expect(backend.callsTo("set_language")).toEqual([{ language: "en" }, { language: "zh-CN" }]);
    if (before !== app.locale) (screen.getByTestId(`language-${before}`) as HTMLInputElement).click();
  });

  it("saves the sign-in length for a signed-in officer, and says why it cannot be changed otherwise", async () => {
    const backend = fakeBackend({
      get_settings: () => settingsView(),
      vault_usage: usage,
      set_session_hours: ({ hours }) => settingsView({ session_hours: Number(hours) }),
    });
    const { unmount } = render(Settings);
    const select = (await screen.findByTestId("session-hours")) as HTMLSelectElement;
    expect(select.options).toHaveLength(12);
    // As a person chooses: the option becomes the selected one.
    for (const o of select.options) o.selected = o.value === "4";
    await fireEvent.change(select);
    await fireEvent.click(screen.getByTestId("session-save"));
    await waitFor(() => expect(backend.callsTo("set_session_hours")).toEqual([{ hours: 4 }]));
    await waitFor(() => expect(screen.getByTestId("session-saved").textContent).toContain("4"));
    unmount();

    app.officer = null;
    render(Settings);
    const locked = (await screen.findByTestId("session-hours")) as HTMLSelectElement;
    expect(locked.disabled).toBe(true);
    expect(screen.getByText(/登录后才能修改登录时长/)).toBeTruthy();
  });

  it("shows a vault that cannot be read in the banner, and a length set for this run as fixed", async () => {
    fakeBackend({
      get_settings: () => settingsView({ session_hours_fixed: true, session_hours: 8 }),
      vault_usage: () => new Refusal({ code: "io", message: "the evidence vault cannot be read" }),
    });
    render(Settings);
    await waitFor(() => expect(app.error?.code).toBe("io"));
    expect((screen.getByTestId("session-hours") as HTMLSelectElement).disabled).toBe(true);
    expect(screen.getByText(/FIELDCASE_SESSION_HOURS/)).toBeTruthy();
  });
});

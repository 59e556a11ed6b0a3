import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { syncStatus } from "../test/fixtures";
import { HOME, navigate, onNavigate, router, type Route } from "./router.svelte";
import { app, dismissError, report, setSync, signIn, signOut, switchLanguage, toggleContrast, tr } from "./store.svelte";

describe("router", () => {
  it("opens the screen asked for and counts every visit, the same screen again too", () => {
    const before = router.visits;
    navigate({ name: "uploads" });
    navigate({ name: "uploads" });
    expect(router.route).toEqual({ name: "uploads" });
    expect(router.visits).toBe(before + 2);
  });

  it("tells listeners where the officer went, until they stop listening", () => {
    const seen: Route[] = [];
    const stop = onNavigate((to) => seen.push(to));
    navigate({ name: "detail", id: "a" });
    stop();
    navigate(HOME);
    expect(seen).toEqual([{ name: "detail", id: "a" }]);
  });
});

describe("store", () => {
  beforeEach(() => {
    app.officer = null;
    app.error = null;
  });
  afterEach(resetBackend);

  it("turns anything thrown into a failure with a code, and an error goes with the screen it was on", () => {
    report("command sign_in not found");
    expect(app.error?.code).toBe("ipc");
    navigate({ name: "new" });
    expect(app.error).toBeNull();
    report({ code: "not_found", message: "no such inspection" });
    expect(app.error?.code).toBe("not_found");
    dismissError();
    expect(app.error).toBeNull();
  });

  it("signs in, opens home, and signs out", async () => {
    const backend = fakeBackend({
      sign_in: ({ officerId }) => ({ officer_id: officerId, name: "王伟" }),
      sign_out: () => null,
    });
    navigate({ name: "signin" });
    expect(await signIn("JC-0107", "107107")).toBe(true);
    expect(backend.callsTo("sign_in")).toEqual([{ officerId: "JC-0107", pin: "107107" }]);
    expect(app.officer).toEqual({ officer_id: "JC-0107", name: "王伟" });
    expect(router.route).toEqual(HOME);
    await signOut();
    expect(app.officer).toBeNull();
  });

  it("keeps the officer on the sign-in screen with the reason when the PIN is refused", async () => {
    fakeBackend({ sign_in: () => new Refusal({ code: "signin_refused", message: "wrong PIN" }) });
    navigate({ name: "signin" });
    expect(await signIn("JC-0107", "000000")).toBe(false);
    expect(app.officer).toBeNull();
    expect(app.error?.code).toBe("signin_refused");
    expect(router.route).toEqual({ name: "signin" });
  });

  it("switches language for every translated string at once", () => {
    const start = tr("list.heading");
    switchLanguage();
    const switched = tr("list.heading");
    switchLanguage();
    expect(new Set([start, switched])).toEqual(new Set(["检查记录", "Inspections"]));
    expect(tr("list.heading")).toBe(start);
  });

  it("holds the latest sync status", () => {
    setSync(syncStatus({ state: "synced" }));
    expect(app.sync?.state).toBe("synced");
  });

  it("turns the high-contrast theme on and off on the whole page, and remembers it", () => {
    const was = app.contrast;
    toggleContrast();
    expect(app.contrast).toBe(!was);
    expect(document.documentElement.dataset.theme === "contrast").toBe(!was);
    expect(localStorage.getItem("fieldcase.contrast")).toBe(was ? "off" : "on");
    toggleContrast();
    expect(document.documentElement.dataset.theme === "contrast").toBe(was);
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import { HOME, navigate, router } from "../lib/router.svelte";
import { app } from "../lib/store.svelte";
import { fakeBackend, Refusal, resetBackend } from "../test/backend";
import { counts, homeOverview, summary } from "../test/fixtures";

describe("sign-in", () => {
  beforeEach(() => {
    app.officer = null;
    app.error = null;
    navigate(HOME);
  });
  afterEach(resetBackend);

  it("signs the officer in from the header, then shows who is signed in on the home screen", async () => {
    const backend = fakeBackend({
      home_overview: () => homeOverview([summary()]),
      upload_counts: () => counts(),
      sign_in: ({ officerId }) => ({ officer_id: officerId, name: "王伟" }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("signin-open"));
    // Keyboard focus moves to the screen just opened, so Tab goes on from there.
    await waitFor(() => expect(document.activeElement?.tagName).toBe("MAIN"));
    await fireEvent.input(await screen.findByTestId("signin-officer"), { target: { value: " JC-0107 " } });
    await fireEvent.input(screen.getByTestId("signin-pin"), { target: { value: "107107" } });
    await fireEvent.click(screen.getByTestId("signin-submit"));

    const officer = await screen.findByTestId("signed-in-officer");
    expect(officer.dataset.officer).toBe("JC-0107");
    expect(officer.textContent).toContain("王伟");
    expect(backend.callsTo("sign_in")).toEqual([{ officerId: "JC-0107", pin: "107107" }]);
    expect(router.route).toEqual(HOME);
    expect(await screen.findByTestId("inspection-list")).toBeTruthy();
    expect(screen.queryByTestId("signin-open")).toBeNull();
  });

  it("says why a refused PIN was refused, clears the PIN and stays on the form", async () => {
    fakeBackend({
      home_overview: () => homeOverview([]),
      upload_counts: () => counts(),
      sign_in: () => new Refusal({ code: "signin_refused", message: "wrong PIN for JC-0107" }),
    });
    render(App);
    await fireEvent.click(await screen.findByTestId("signin-open"));
    await fireEvent.input(await screen.findByTestId("signin-officer"), { target: { value: "JC-0107" } });
    const pin = screen.getByTestId("signin-pin") as HTMLInputElement;
    await fireEvent.input(pin, { target: { value: "000000" } });
    await fireEvent.click(screen.getByTestId("signin-submit"));

    const banner = await screen.findByTestId("error-banner");
    expect(banner.dataset.code).toBe("signin_refused");
    await waitFor(() => expect(pin.value).toBe(""));
    expect(screen.getByTestId("signin-form")).toBeTruthy();
    expect(screen.queryByTestId("signed-in-officer")).toBeNull();
    // Leaving the screen takes its error with it.
    await fireEvent.click(screen.getByTestId("back"));
    await waitFor(() => expect(screen.queryByTestId("error-banner")).toBeNull());
  });
});

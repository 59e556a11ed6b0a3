import { beforeEach, describe, expect, it } from "vitest";
import { CommandFailure } from "../api";
import { ScreenLoad } from "./screenLoad.svelte";
import { app } from "./store.svelte";

describe("a screen's load", () => {
  beforeEach(() => (app.error = null));

  it("tells the shell the screen is ready only after what it loads is in", async () => {
    const steps: string[] = [];
    const screen = new ScreenLoad();
    await screen.run(
      async () => void steps.push("loaded"),
      () => void steps.push("ready"),
    );
    expect(steps).toEqual(["loaded", "ready"]);
    expect(screen.failed).toBe(false);
    expect(app.error).toBeNull();
  });

  it("puts a failure in the banner while the screen is on view, and still says it is ready", async () => {
    let ready = 0;
    const screen = new ScreenLoad();
    await screen.run(
      () => Promise.reject(new CommandFailure("not_found", "no such inspection")),
      () => void ready++,
    );
    expect(screen.failed).toBe(true);
    expect(app.error?.code).toBe("not_found");
    expect(ready, "the shell waits for ready; a failed load must not keep it waiting").toBe(1);
  });

  it("keeps a failure that arrives after the officer left out of the banner", async () => {
    let fail!: (err: unknown) => void;
    const screen = new ScreenLoad();
    const done = screen.run(
      () => new Promise<void>((_, reject) => (fail = reject)),
      () => {},
    );
    screen.leave();
    fail(new CommandFailure("io", "disk gone"));
    await done;
    expect(screen.failed).toBe(true);
    expect(app.error, "the banner belongs to the screen now on view").toBeNull();
  });
});

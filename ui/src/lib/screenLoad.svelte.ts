// The steps every screen takes as it opens: ask the device for what it shows, and once that
// is on the page tell the shell the screen is ready (the desktop tests and the focus move
// wait for it). Each screen states only what it loads and what it does once loaded.
import { onMount, tick } from "svelte";
import { report } from "./store.svelte";

/** One screen's load, and whether the officer is still on that screen. */
export class ScreenLoad {
  /**
   * Cleared when the officer leaves: a failure arriving later belongs to no screen on view,
   * so it is not put in the banner over whatever screen they went on to.
   */
  here = true;
  /** The load failed: the screen shows no "loading…" for ever (the banner says why). */
  failed = $state(false);

  /**
   * Runs `load`, then, once the page is redrawn, `ready`. A failure of `load` is reported
   * while the screen is on view; `ready` is called either way, as the screen is drawn.
   */
  async run(load: () => Promise<void>, ready: () => void): Promise<void> {
    try {
      await load();
    } catch (err) {
      this.failed = true;
      if (this.here) report(err);
    }
    await tick(); // what was loaded is on the page before anyone is told the screen is ready
    ready();
  }

  /** The officer left the screen. */
  leave(): void {
    this.here = false;
  }
}

/**
 * Loads a screen as it mounts: `load` asks the device and keeps the answer, `ready` runs once
 * it is drawn (usually the screen's `onloaded`). Call it while the component is created.
 */
export function loadOnMount(load: () => Promise<void>, ready: () => void): ScreenLoad {
  const screen = new ScreenLoad();
  onMount(() => {
    void screen.run(load, ready);
    return () => screen.leave();
  });
  return screen;
}

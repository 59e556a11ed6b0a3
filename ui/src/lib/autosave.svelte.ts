// Saving a draft's changes as the officer works: one queue that writes them in the order
// they were made, and a text field that saves by itself after a pause in typing or on
// leaving it, keeping what was typed until the device has it.
import type { CommandFailure } from "../api";

/** The pause in typing after which a field saves by itself. */
export const AUTOSAVE_DELAY_MS = 800;

/**
 * Runs writes one after another, in the order asked. Each answers with the whole record as
 * it then stands, so answers arriving out of order would show an older record over a newer
 * one, and two saves of one field could land in the wrong order.
 */
export class WriteQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `write` once every write asked before it has settled. */
  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(write, write);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every write asked so far has settled (before reading the record anew). */
  settled(): Promise<void> {
    return this.run(async () => undefined);
  }
}

/** Every change to a draft from this window goes through here, finalizing included. */
export const draftWrites = new WriteQueue();

/**
 * Where a field stands: as saved (`idle`), typed and waiting for the pause (`editing`),
 * being written (`saving`), written (`saved`), or refused (`failed`, the text kept).
 */
export type SaveStatus = "idle" | "editing" | "saving" | "saved" | "failed";

/** Writes one text; resolves to null once saved, or to why it was not. */
export type Persist = (text: string) => Promise<CommandFailure | null>;

/** One text field that saves itself. Read `text`, `status` and `failure` in markup. */
export class AutosavedText {
  /** What the field shows: the officer's text until the device has it, then the saved text. */
  text = $state("");
  status = $state<SaveStatus>("idle");
  failure = $state<CommandFailure | null>(null);
  #saved: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #persist: Persist;
  readonly #delay: number;

  constructor(saved: string, persist: Persist, delay = AUTOSAVE_DELAY_MS) {
    this.text = saved;
    this.#saved = saved;
    this.#persist = persist;
    this.#delay = delay;
  }

  /**
   * The text as the device holds it now (after any save): shown unless the officer has
   * typed since. The device's trimming of what was typed is not shown: the space typed
   * before a pause stays for the next word.
   */
  sync(saved: string): void {
    this.#saved = saved;
    const settled = this.status === "idle" || this.status === "saved";
    if (settled && this.text.trim() !== saved.trim()) this.text = saved;
  }

  /** The officer typed: save after the pause, unless more typing comes first. */
  input(text: string): void {
    this.text = text;
    this.status = "editing";
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.flush(), this.#delay);
  }

  /** Saves a value chosen at once (a yes/no button), with the same states as typing. */
  choose(text: string): Promise<void> {
    this.text = text;
    this.status = "editing";
    return this.flush();
  }

  /**
   * Saves now what was typed and not yet saved (on leaving the field, on closing the
   * screen, on Enter, or when the pause is over); a refused text is tried again.
   */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    if (this.status !== "editing" && this.status !== "failed") return;
    const text = this.text;
    // The device trims what it keeps: typing spaces, or back to what is saved, changes nothing.
    if (text.trim() === this.#saved.trim()) {
      this.status = "idle";
      this.failure = null;
      return;
    }
    this.status = "saving";
    const failure = await this.#persist(text);
    if (this.text !== text) return; // typed on meanwhile: that text saves in its turn
    this.failure = failure;
    if (failure) {
      this.status = "failed";
    } else {
      this.#saved = text.trim();
      this.status = "saved";
    }
  }
}

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CommandFailure } from "../api";
import { AUTOSAVE_DELAY_MS, AutosavedText, WriteQueue } from "./autosave.svelte";

describe("a field that saves itself", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("keeps the space typed before a pause: the device's trimming is no change to show", async () => {
    const saved: string[] = [];
    const field = new AutosavedText("", async (text) => (saved.push(text), null));
    field.input("工资 ");
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    field.sync("工资"); // the record as the device answers, trimmed
    expect(field.status).toBe("saved");
    expect(field.text).toBe("工资 ");
    field.input("工资 表");
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(saved).toEqual(["工资 ", "工资 表"]);
  });

  it("shows the record's text when it changed elsewhere, but never over what is being typed", async () => {
    const field = new AutosavedText("旧", async () => new CommandFailure("invalid_input", "too long"));
    field.sync("新");
    expect(field.text).toBe("新");
    field.input("正在输入");
    field.sync("别处");
    expect(field.text).toBe("正在输入");
    await field.flush();
    expect(field.status).toBe("failed");
    field.sync("别处");
    expect(field.text).toBe("正在输入"); // a refused text is kept to be corrected
  });
});

describe("writes to a draft", () => {
  it("run one after another, in the order asked, a failed one not stopping the next", async () => {
    const queue = new WriteQueue();
    const order: string[] = [];
    let release = () => {};
    const first = queue.run(() => new Promise<void>((resolve) => (release = () => (order.push("first"), resolve()))));
    const second = queue.run(async () => void order.push("second"));
    const failing = queue.run(async () => {
      throw new Error("refused");
    });
    const after = queue.run(async () => void order.push("after"));
    await Promise.resolve();
    expect(order).toEqual([]); // the second waits for the first
    release();
    await first;
    await second;
    await expect(failing).rejects.toThrow("refused");
    await after;
    await queue.settled();
    expect(order).toEqual(["first", "second", "after"]);
  });
});

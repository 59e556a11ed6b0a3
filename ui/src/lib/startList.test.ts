import { afterEach, describe, expect, it } from "vitest";
import { fakeBackend, resetBackend } from "../test/backend";
import { summary } from "../test/fixtures";
import { askForTheDay, inspectionsForHome } from "./startList";

describe("the home screen's inspections asked for at start", () => {
  afterEach(resetBackend);

  it("are asked once at start, taken by the first home screen, and asked afresh after", async () => {
    let n = 0;
    const backend = fakeBackend({ list_inspections: () => [summary({ id: `list-${++n}` })] });
    askForTheDay();
    expect(backend.callsTo("list_inspections")).toHaveLength(1);
    expect((await inspectionsForHome()).map((s) => s.id)).toEqual(["list-1"]);
    expect((await inspectionsForHome()).map((s) => s.id)).toEqual(["list-2"]);
    expect(backend.callsTo("list_inspections")).toHaveLength(2);
  });

  it("without the early ask, each home screen asks the device", async () => {
    const backend = fakeBackend({ list_inspections: () => [] });
    await inspectionsForHome();
    expect(backend.callsTo("list_inspections")).toHaveLength(1);
  });
});

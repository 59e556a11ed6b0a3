import { describe, expect, it } from "vitest";
import { counts } from "../test/fixtures";
import { filesOnTheirWay } from "./home";

describe("the files on their way", () => {
  it("keeps on the recorder every file the bureau has not verified", () => {
    expect(filesOnTheirWay(counts({ waiting: 2, uploading: 1, uploaded: 1, verified: 1, paused: 1, problems: 2 }))).toBe(7);
    expect(filesOnTheirWay(counts({ verified: 4 }))).toBe(0);
  });
});

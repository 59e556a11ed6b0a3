import { describe, expect, it } from "vitest";
import { upload } from "../test/fixtures";
import { filesOnTheirWay, uploadCounts } from "./home";

describe("the files on their way", () => {
  it("counts files as the device does, a paused file as paused whatever its state", () => {
    const counts = uploadCounts([
      upload({ state: "imported" }),
      upload({ state: "queued" }),
      upload({ state: "uploading", paused: true }),
      upload({ state: "uploading" }),
      upload({ state: "uploaded" }),
      upload({ state: "verified", safe_to_delete: true }),
      upload({ state: "damaged" }),
      upload({ state: "mismatch" }),
    ]);
    expect(counts).toEqual({ waiting: 2, uploading: 1, uploaded: 1, verified: 1, paused: 1, problems: 2 });
    // Until the bureau has verified a file, the recorder must keep it.
    expect(filesOnTheirWay(counts)).toBe(7);
  });
});

// Object URLs of photo thumbnails already fetched, so showing the screen again does not
// fetch them again. A failed fetch is forgotten, to be asked again next time.
import * as api from "../api";
import type { EvidenceId } from "../bindings/EvidenceId";

const cache = new Map<EvidenceId, Promise<string>>();

export function thumbnailUrl(id: EvidenceId): Promise<string> {
  let url = cache.get(id);
  if (!url) {
    url = api.evidenceThumbnail(id).then((bytes) => URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" })));
    url.catch(() => cache.delete(id));
    cache.set(id, url);
  }
  return url;
}

import { describe, expect, it } from "vitest";
import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";
import { CATALOGS, DEFAULT_LOCALE, loadLocale, setLocale, translate, type KeyValueStore } from "./i18n";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function memoryStore(initial: Record<string, string> = {}): KeyValueStore & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe("locale files", () => {
  it("have the same keys, so no screen falls back to the other language", () => {
    const zhKeys = Object.keys(zhCN).sort();
    const enKeys = Object.keys(en).sort();
    expect(enKeys.filter((k) => !(k in zhCN)), "keys only in en").toEqual([]);
    expect(zhKeys.filter((k) => !(k in en)), "keys only in zh-CN").toEqual([]);
  });

  it("use the same placeholders for each key, so no value goes missing in one language", () => {
    const zh: Record<string, string> = zhCN;
    const enMessages: Record<string, string> = en;
    for (const key of Object.keys(zh)) {
      expect(placeholders(enMessages[key] ?? ""), key).toEqual(placeholders(zh[key] ?? ""));
    }
  });

  it("have no empty text", () => {
    for (const [locale, messages] of Object.entries(CATALOGS)) {
      for (const [key, text] of Object.entries(messages)) {
        expect(text.trim(), `${locale} ${key}`).not.toBe("");
      }
    }
  });

  it("name the statuses as officers know them", () => {
    expect(zhCN["status.draft"]).toBe("草稿");
    expect(zhCN["status.finalized"]).toBe("已定稿");
    expect(zhCN["status.superseded"]).toBe("已更正");
  });
});

describe("translate", () => {
  const catalogs = { "zh-CN": { a: "甲 {n} 项", only_zh: "仅中文" }, en: { a: "A {n} items" } };

  it("uses the requested locale and fills placeholders", () => {
    expect(translate(catalogs, "en", "a", { n: 3 })).toBe("A 3 items");
    expect(translate(catalogs, "zh-CN", "a", { n: 3 })).toBe("甲 3 项");
  });

  it("falls back to Chinese for a key missing in English, then to the key itself", () => {
    expect(DEFAULT_LOCALE).toBe("zh-CN");
    expect(translate(catalogs, "en", "only_zh")).toBe("仅中文");
    expect(translate(catalogs, "fr", "a", { n: 1 })).toBe("甲 1 项");
    expect(translate(catalogs, "en", "nowhere")).toBe("nowhere");
  });

  it("leaves a placeholder it has no value for visible", () => {
    expect(translate(catalogs, "en", "a", { m: 1 })).toBe("A {n} items");
  });
});

describe("language choice", () => {
  it("defaults to Chinese and remembers a switch", () => {
    const store = memoryStore();
    expect(loadLocale(store)).toBe("zh-CN");
    setLocale("en", store);
    expect(loadLocale(store)).toBe("en");
    expect(Object.values(store.data)).toEqual(["en"]);
  });

  it("ignores a stored value that is not a locale", () => {
    expect(loadLocale(memoryStore({ "fieldcase.locale": "klingon" }))).toBe("zh-CN");
  });

  it("survives storage that throws", () => {
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
    };
    expect(loadLocale(broken)).toBe("zh-CN");
    expect(() => setLocale("en", broken)).not.toThrow();
  });
});

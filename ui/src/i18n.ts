// Every string an officer reads comes from the locale files, looked up by key.
// Simplified Chinese is the default and the fallback: it is the language of the
// record, so a key missing from another locale must still show something true.
import zhCN from "./locales/zh-CN.json";
import en from "./locales/en.json";
import type { Language } from "./bindings/Language";

/** The window's languages: the same set the device keeps (`Language`, from the Rust type). */
export type Locale = Language;
/** The keys of the default locale; `t` accepts no other, so a typo fails type-checking. */
export type MessageKey = keyof typeof zhCN;
export type Messages = Readonly<Record<string, string>>;
export type Params = Readonly<Record<string, string | number>>;
export type Translate = (key: MessageKey, params?: Params) => string;

export const DEFAULT_LOCALE: Locale = "zh-CN";
export const CATALOGS: Readonly<Record<Locale, Messages>> = { "zh-CN": zhCN, en };
const STORAGE_KEY = "fieldcase.locale";

/** The small part of `Storage` used here, so tests can pass a stand-in. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem">;

/** Looks `key` up in `locale`, then in the default locale, then gives the key itself. */
export function translate(
  catalogs: Readonly<Record<string, Messages | undefined>>,
  locale: string,
  key: string,
  params?: Params,
): string {
  const text = catalogs[locale]?.[key] ?? catalogs[DEFAULT_LOCALE]?.[key] ?? key;
  if (!params) return text;
  // Unknown placeholders stay visible rather than silently vanishing.
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export function isLocale(value: unknown): value is Locale {
  return value === "zh-CN" || value === "en";
}

export function otherLocale(locale: Locale): Locale {
  return locale === "zh-CN" ? "en" : "zh-CN";
}

function browserStorage(): KeyValueStore | undefined {
  // Reading localStorage can throw (disabled storage) and is absent under Node.
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

let current: Locale = DEFAULT_LOCALE;

export function currentLocale(): Locale {
  return current;
}

/** Restores the officer's last choice; anything unreadable means the default. */
export function loadLocale(storage: KeyValueStore | undefined = browserStorage()): Locale {
  let saved: string | null = null;
  try {
    saved = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    saved = null;
  }
  current = isLocale(saved) ? saved : DEFAULT_LOCALE;
  return current;
}

export function setLocale(locale: Locale, storage: KeyValueStore | undefined = browserStorage()): void {
  current = locale;
  try {
    storage?.setItem(STORAGE_KEY, locale);
  } catch {
    // A choice that cannot be saved still applies for this session.
  }
}

export const t: Translate = (key, params) => translate(CATALOGS, current, key, params);

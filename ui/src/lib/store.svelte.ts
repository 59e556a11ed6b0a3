// The window's shared state: who is signed in, how sync stands, the error on screen, the
// language and the theme. Screens keep their own records; only what the header, the banner and more
// than one screen need lives here. Every change goes through the functions below.
import * as api from "../api";
import { toCommandFailure, type CommandFailure } from "../api";
import type { AppInfo } from "../bindings/AppInfo";
import type { SignedIn } from "../bindings/SignedIn";
import type { SyncStatus } from "../bindings/SyncStatus";
import { DEFAULT_LOCALE, currentLocale, loadLocale, otherLocale, setLocale, t, type Locale, type Translate } from "../i18n";
import { HOME, navigate, onNavigate } from "./router.svelte";

export interface AppState {
  officer: SignedIn | null;
  sync: SyncStatus | null;
  /** The failure the banner shows; it belongs to the screen it happened on. */
  error: CommandFailure | null;
  info: AppInfo | null;
  locale: Locale;
  /** The high-contrast theme, for outdoor light. */
  contrast: boolean;
}

export const app = $state<AppState>({ officer: null, sync: null, error: null, info: null, locale: currentLocale(), contrast: false });

const CONTRAST_KEY = "fieldcase.contrast";

/**
 * `t` that markup re-reads when the language changes: reading `app.locale` makes every
 * expression that translates depend on it, so switching redraws text without reloading data.
 */
export const tr: Translate = (key, params) => {
  void app.locale;
  return t(key, params);
};

// An error belongs to the screen it happened on: leaving the screen clears it.
onNavigate(() => dismissError());

/** Shows a failure in the banner; anything thrown is accepted. */
export function report(err: unknown): void {
  const failure = toCommandFailure(err);
  console.error(failure); // the engineer's view; the officer gets the banner
  app.error = failure;
}

export function dismissError(): void {
  app.error = null;
}

export function setSync(next: SyncStatus): void {
  app.sync = next;
}

export function switchLanguage(): void {
  chooseLanguage(otherLocale(app.locale));
}

/**
 * Shows the window in `locale` at once and keeps the choice on the device for the next
 * start (and in this window's storage, so the next start draws its first screen in it).
 */
export function chooseLanguage(locale: Locale): void {
  setLocale(locale);
  applyLocale(currentLocale());
  api.setLanguage(locale).catch((err) => console.error("set_language failed", err));
}

function applyLocale(locale: Locale): void {
  app.locale = locale;
  if (typeof document !== "undefined") {
    document.documentElement.lang = locale;
    document.title = t("app.title");
  }
}

/** Signs in; on success the home screen opens. Failures go to the banner. */
export async function signIn(officerId: string, pin: string): Promise<boolean> {
  try {
    app.officer = await api.signIn(officerId, pin);
    navigate(HOME);
    return true;
  } catch (err) {
    report(err);
    return false;
  }
}

export async function signOut(): Promise<void> {
  try {
    await api.signOut();
    app.officer = null;
  } catch (err) {
    report(err);
  }
}

/** Asks the agent to sync now; the result arrives as a status event. */
export function syncNow(): void {
  api.syncNow().catch(report);
}

/** Turns the high-contrast theme on or off; the choice is kept for the next start. */
export function toggleContrast(): void {
  applyContrast(!app.contrast);
  try {
    globalThis.localStorage?.setItem(CONTRAST_KEY, app.contrast ? "on" : "off");
  } catch {
    // A choice that cannot be saved still applies for this session.
  }
}

function applyContrast(on: boolean): void {
  app.contrast = on;
  if (typeof document !== "undefined") {
    if (on) document.documentElement.dataset.theme = "contrast";
    else delete document.documentElement.dataset.theme;
  }
}

function savedContrast(): boolean {
  try {
    return globalThis.localStorage?.getItem(CONTRAST_KEY) === "on";
  } catch {
    return false;
  }
}

let started = false;

/**
 * Loads what the header shows and follows sync. Each piece is optional for the window to
 * work, so a failure is logged, not shown: the screens report what the officer must know.
 */
export function startApp(): void {
  if (started) return;
  started = true;
  applyLocale(loadLocale());
  applyContrast(savedContrast());
  api.appInfo().then(
    (info) => {
      app.info = info;
    },
    (err) => console.error("app_info failed", err),
  );
  // Listen first, then ask: a change between the two is not lost.
  api.onSyncStatus(setSync).catch((err) => console.error("sync events unavailable", err));
  api.syncStatus().then(setSync, (err) => console.error("sync_status failed", err));
  // The device keeps the language chosen (the default until one is): the window's own
  // storage only lets the first screen be drawn in it before the device answers.
  api.getSettings().then(
    (settings) => {
      const locale = settings.language ?? DEFAULT_LOCALE;
      if (locale !== app.locale) {
        setLocale(locale);
        applyLocale(currentLocale());
      }
    },
    (err) => console.error("get_settings failed", err),
  );
  api.currentOfficer().then(
    (signedIn) => {
      app.officer = signedIn;
    },
    (err) => console.error("current_officer failed", err),
  );
}

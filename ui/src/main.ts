// The shell: header, error banner and one screen at a time. Screens are drawn from
// data already loaded, so switching language redraws without asking the Rust side again.
import "./styles.css";
import * as api from "./api";
import { toCommandFailure, type CommandFailure } from "./api";
import type { AppInfo } from "./bindings/AppInfo";
import { h } from "./dom";
import { currentLocale, loadLocale, otherLocale, setLocale, t } from "./i18n";
import { errorMessage } from "./labels";
import type { Screen, ViewContext } from "./views/context";
import { backButton } from "./views/common";
import { detailView } from "./views/detail";
import { listView } from "./views/list";
import { newInspectionView } from "./views/newInspection";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { SignedIn } from "./bindings/SignedIn";
import type { CheckReport } from "./bindings/CheckReport";
import type { InspectionDetail } from "./bindings/InspectionDetail";
import { checkPanel, finalizePanel, type CertifyHandlers } from "./views/certify";
import { signInView } from "./views/signin";
import { evidencePanel, type EvidenceHandlers } from "./views/evidence";
import { uploadsView } from "./views/uploads";
import { syncDetail, syncStateLabel } from "./syncLabels";

const root = document.getElementById("app")!;
const header = h("header", { class: "app-header" });
const banner = h("div", { class: "banner-slot" });
const view = h("main", { class: "app-main" });
const footer = h("footer", { class: "app-footer" });
// Created once and moved into every redrawn header, so whatever the sync indicator
// puts in it survives a language switch.
const syncStatus = h("div", { id: "sync-status", "data-testid": "sync-status" });

let error: CommandFailure | null = null;
let sync: SyncStatus | null = null;
let officer: SignedIn | null = null;
// The last certificate check on the screen, shown until the officer leaves it.
let lastCheck: CheckReport | null = null;
let info: AppInfo | null = null;
let redraw: () => HTMLElement = () => h("p", { class: "loading" }, t("common.loading"));
// Bumped on each navigation, so a slow load for a screen already left is dropped.
let navigation = 0;

const ctx: ViewContext = {
  navigate: (next) => void navigate(next),
  report(err) {
    error = toCommandFailure(err);
    console.error(error); // the engineer's view; the officer gets the banner
    drawBanner();
  },
};

function drawHeader(): void {
  header.replaceChildren(
    h("div", { class: "brand" }, h("h1", {}, t("app.title")), h("span", { class: "brand__sub" }, t("app.name"))),
    syncStatus,
    h(
      "div",
      { class: "header__actions" },
      officer
        ? h(
            "span",
            { class: "officer", "data-testid": "signed-in-officer", "data-officer": officer.officer_id },
            t("signin.as", { officer: officer.officer_id, name: officer.name }),
            h("button", { type: "button", class: "btn btn--ghost btn--small", "data-testid": "signout", onclick: () => void doSignOut() }, t("signin.out")),
          )
        : h("button", { type: "button", class: "btn btn--ghost", "data-testid": "signin-open", onclick: () => void navigate({ name: "signin" }) }, t("signin.open")),
      h(
        "button",
        {
          type: "button",
          class: "btn btn--primary",
          "data-testid": "new-inspection",
          onclick: () => void navigate({ name: "new" }),
        },
        t("list.new"),
      ),
      h(
        "button",
        { type: "button", class: "btn btn--ghost", "data-testid": "uploads-open", onclick: () => void navigate({ name: "uploads" }) },
        t("uploads.open"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "btn btn--ghost",
          "data-testid": "lang-toggle",
          lang: otherLocale(currentLocale()),
          "aria-label": t("lang.toggleLabel"),
          onclick: switchLanguage,
        },
        t("lang.toggle"),
      ),
    ),
  );
}

/** The sync indicator: always visible, so an officer knows whether the bureau has the records. */
function drawSync(): void {
  if (!sync) {
    syncStatus.replaceChildren();
    return;
  }
  syncStatus.dataset.state = sync.state;
  syncStatus.title = sync.last_error ?? sync.bureau_url ?? "";
  syncStatus.replaceChildren(
    h("span", { class: `sync-badge sync-badge--${sync.state}`, "data-testid": "sync-state" }, syncStateLabel(sync.state, t)),
    h("span", { class: "sync-detail" }, syncDetail(sync, t)),
    sync.state === "not_enrolled"
      ? ""
      : h(
          "button",
          {
            type: "button",
            class: "btn btn--ghost btn--small",
            "data-testid": "sync-now",
            "aria-label": t("sync.now.label"),
            onclick: () => void api.syncNow().catch((err) => ctx.report(err)),
          },
          t("sync.now"),
        ),
  );
}

function setSync(next: SyncStatus): void {
  sync = next;
  drawSync();
}

function drawBanner(): void {
  // The banner exists only while there is something to say, so its presence alone means "error".
  banner.replaceChildren(
    error
      ? h(
          "div",
          { class: "error-banner", role: "alert", "data-testid": "error-banner", "data-code": error.code },
          h("span", { class: "error-banner__text" }, errorMessage(error, t)),
          h(
            "button",
            {
              type: "button",
              class: "btn btn--ghost",
              "data-testid": "error-dismiss",
              onclick: () => {
                error = null;
                drawBanner();
              },
            },
            t("error.dismiss"),
          ),
        )
      : "",
  );
}

function drawFooter(): void {
  footer.replaceChildren(info ? t("app.version", { version: info.version, device: info.device_id }) : "");
}

function drawView(): void {
  view.replaceChildren(redraw());
}

function switchLanguage(): void {
  setLocale(otherLocale(currentLocale()));
  applyLocale();
  drawHeader();
  drawSync();
  drawBanner();
  drawFooter();
  drawView();
}

function applyLocale(): void {
  document.documentElement.lang = currentLocale();
  document.title = t("app.title");
}

/** Loads what a screen needs and returns how to draw it. */
async function load(next: Screen): Promise<() => HTMLElement> {
  switch (next.name) {
    case "list": {
      const items = await api.listInspections();
      return () => listView(items, ctx);
    }
    case "new": {
      const [sites, templates] = await Promise.all([api.listSites(), api.listTemplates()]);
      return () => newInspectionView(sites, templates, ctx);
    }
    case "detail": {
      const detail = await api.getInspection(next.id);
      return detailScreen(detail);
    }
    case "signin":
      return () => signInView(ctx, doSignIn);
    case "uploads": {
      const items = await api.uploadStatus();
      return () => uploadsView(items, ctx);
    }
  }
}

async function doSignIn(officerId: string, pin: string): Promise<void> {
  try {
    officer = await api.signIn(officerId, pin);
    drawHeader();
    await navigate({ name: "list" });
  } catch (err) {
    ctx.report(err);
  }
}

async function doSignOut(): Promise<void> {
  try {
    await api.signOut();
    officer = null;
    drawHeader();
  } catch (err) {
    ctx.report(err);
  }
}

/** Runs an action on the open inspection and redraws it from the inspection as it now is. */
async function onInspection(id: string, action: () => Promise<InspectionDetail | void>): Promise<void> {
  const seen = navigation;
  try {
    const updated = (await action()) ?? (await api.getInspection(id));
    if (seen !== navigation) return;
    error = null;
    drawBanner();
    redraw = detailScreen(updated);
    drawView();
  } catch (err) {
    ctx.report(err);
  }
}

function certifyHandlers(id: string): CertifyHandlers {
  return {
    check: (text, scanned) =>
      onInspection(id, async () => {
        lastCheck = await api.checkCertificate(id, text, scanned);
      }),
    checkImage: (bytes) =>
      onInspection(id, async () => {
        lastCheck = await api.checkCertificateImage(id, bytes);
      }),
    finalize: (outcome) => onInspection(id, () => api.finalizeInspection(id, outcome)),
  };
}

function detailScreen(detail: Awaited<ReturnType<typeof api.getInspection>>): () => HTMLElement {
  const id = detail.summary.id;
  return () => {
    const screen = detailScreenBody(detail, id);
    if (detail.summary.status === "draft") {
      const on = certifyHandlers(id);
      screen.append(checkPanel(lastCheck, on), finalizePanel(detail, on));
    }
    return screen;
  };
}

function detailScreenBody(detail: InspectionDetail, id: string): HTMLElement {
  const screen = detailView(detail, ctx, (itemId, value) => onInspection(id, () => api.answerItem(id, itemId, value)));
  screen.append(evidencePanel(id, detail.evidence, detail.summary.status === "draft", evidenceHandlers(id)));
  return screen;
}

function evidenceHandlers(id: string): EvidenceHandlers {
  return {
    async importFolder(request, onProgress) {
      let summary: Awaited<ReturnType<typeof api.importEvidence>> | null = null;
      await onInspection(id, async () => {
        summary = await api.importEvidence(id, request, onProgress);
      });
      return summary;
    },
    cancelImport: () => void api.cancelImport().catch(ctx.report),
    chooseFolder: api.chooseFolder,
    saveGapReason: (gapId, reason) =>
      onInspection(id, async () => {
        await api.setGapReason(id, gapId, reason);
      }),
    recordRecorderCheck: (check) =>
      onInspection(id, async () => {
        await api.recordRecorderCheck(id, check);
      }),
    report: ctx.report,
  };
}

async function navigate(next: Screen): Promise<void> {
  const seen = ++navigation;
  lastCheck = null;
  error = null; // an error belongs to the screen it happened on
  drawBanner();
  redraw = () => h("p", { class: "loading" }, t("common.loading"));
  drawView();
  try {
    const draw = await load(next);
    if (seen !== navigation) return;
    redraw = draw;
  } catch (err) {
    if (seen !== navigation) return;
    ctx.report(err);
    // The list container is still drawn (tests wait for it); other screens offer a way back.
    redraw = next.name === "list" ? () => listView(null, ctx) : () => h("section", { class: "screen" }, backButton(ctx));
  }
  drawView();
  window.scrollTo(0, 0);
}

async function start(): Promise<void> {
  loadLocale();
  applyLocale();
  root.replaceChildren(header, banner, view, footer);
  drawHeader();
  drawBanner();
  drawFooter();
  api.appInfo().then(
    (loaded) => {
      info = loaded;
      drawFooter();
    },
    (err) => console.error("app_info failed", err), // the footer is informative only; not worth a banner
  );
  // Listen first, then ask: a change between the two is not lost.
  void api.onSyncStatus(setSync).catch((err) => console.error("sync events unavailable", err));
  api.syncStatus().then(setSync, (err) => console.error("sync_status failed", err));
  api.currentOfficer().then(
    (signedIn) => {
      officer = signedIn;
      drawHeader();
    },
    (err) => console.error("current_officer failed", err),
  );
  await navigate({ name: "list" });
  // End-to-end tests wait for this before touching the page.
  document.body.dataset.ready = "true";
}

void start();

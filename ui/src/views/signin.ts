// Sign-in: an officer's staff number and PIN, checked on the device (works offline).
import { h } from "../dom";
import { t } from "../i18n";
import { backButton } from "./common";
import type { ViewContext } from "./context";

export function signInView(ctx: ViewContext, onSignIn: (officerId: string, pin: string) => Promise<void>): HTMLElement {
  const officer = h("input", { type: "text", class: "input", "data-testid": "signin-officer", autocomplete: "username", placeholder: "JC-0107" });
  const pin = h("input", { type: "password", class: "input", "data-testid": "signin-pin", autocomplete: "current-password", inputmode: "numeric" });
  const submit = h("button", { type: "submit", class: "btn btn--primary", "data-testid": "signin-submit" }, t("signin.submit"));
  const form = h(
    "form",
    {
      class: "form",
      "data-testid": "signin-form",
      onsubmit: (e: Event) => {
        e.preventDefault();
        submit.disabled = true;
        void onSignIn(officer.value.trim(), pin.value).finally(() => {
          submit.disabled = false;
          pin.value = "";
        });
      },
    },
    h("label", { class: "field" }, h("span", { class: "field__label" }, t("signin.officer")), officer),
    h("label", { class: "field" }, h("span", { class: "field__label" }, t("signin.pin")), pin),
    h("p", { class: "hint" }, t("signin.hint")),
    submit,
  );
  return h("section", { class: "screen" }, h("div", { class: "screen__bar" }, backButton(ctx), h("h2", { class: "screen__title" }, t("signin.heading"))), form);
}

import { createInspection } from "../api";
import type { ChecklistTemplate } from "../bindings/ChecklistTemplate";
import type { Site } from "../bindings/Site";
import { h } from "../dom";
import { t } from "../i18n";
import { backButton, templateTitle } from "./common";
import type { ViewContext } from "./context";

export function newInspectionView(sites: Site[], templates: ChecklistTemplate[], ctx: ViewContext): HTMLElement {
  const siteSelect = h(
    "select",
    { id: "site", name: "site", "data-testid": "site-select", required: true, disabled: sites.length === 0 },
    sites.map((s) => h("option", { value: s.id }, t("new.siteOption", { name: s.name, uscc: s.uscc }))),
  );
  // The first template is the default one; the list comes ordered that way.
  const templateSelect = h(
    "select",
    { id: "template", name: "template", "data-testid": "template-select", disabled: templates.length === 0 },
    templates.map((tpl, i) =>
      h(
        "option",
        { value: tpl.id, selected: i === 0 },
        t("new.templateOption", { title: templateTitle(tpl), version: tpl.version }),
      ),
    ),
  );
  const locationInput = h("input", {
    id: "location",
    name: "location",
    type: "text",
    "data-testid": "location-input",
    placeholder: t("new.locationPlaceholder"),
    autocomplete: "off",
  });
  const submit = h(
    "button",
    { type: "submit", class: "btn btn--primary", "data-testid": "create-submit", disabled: sites.length === 0 },
    t("new.submit"),
  );

  const form = h(
    "form",
    { class: "form", "data-testid": "new-inspection-form", novalidate: true },
    sites.length === 0 && h("p", { class: "notice" }, t("new.noSites")),
    field("site", t("new.site"), siteSelect),
    templates.length === 0 && h("p", { class: "notice" }, t("new.noTemplates")),
    templates.length > 0 && field("template", t("new.template"), templateSelect),
    field("location", t("new.location"), locationInput),
    h(
      "div",
      { class: "form__actions" },
      submit,
      h("button", { type: "button", class: "btn", onclick: () => ctx.navigate({ name: "list" }) }, t("new.cancel")),
    ),
  );

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!siteSelect.value) return;
    submit.disabled = true; // one click, one inspection
    try {
      const created = await createInspection({
        siteId: siteSelect.value,
        templateId: templates.length > 0 ? templateSelect.value : null,
        location: locationInput.value.trim() || null,
      });
      ctx.navigate({ name: "detail", id: created.id });
    } catch (err) {
      ctx.report(err);
      submit.disabled = false;
    }
  });

  return h(
    "section",
    { class: "screen" },
    h("div", { class: "screen__bar" }, backButton(ctx), h("h2", { class: "screen__title" }, t("new.heading"))),
    form,
  );
}

function field(id: string, label: string, control: HTMLElement): HTMLElement {
  return h("div", { class: "form__field" }, h("label", { for: id }, label), control);
}

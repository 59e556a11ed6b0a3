// Starts the window: the shared state first, then the shell.
import "./styles.css";
import "./record.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { firstScreenDrawn } from "./api";
import { startApp } from "./lib/store.svelte";

startApp();
mount(App, {
  target: document.getElementById("app") ?? document.body,
  props: {
    // End-to-end tests wait for this before touching the page.
    onready: () => {
      document.body.dataset.ready = "true";
      // The second frame starts once the first screen is painted: then the app is told,
      // and reports how long its start took. A failure to tell it changes nothing on view.
      requestAnimationFrame(() => requestAnimationFrame(() => void firstScreenDrawn().catch(() => {})));
    },
  },
});

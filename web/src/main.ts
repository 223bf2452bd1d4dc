/**
 * The page's entry: reads the shareable state from the URL, checks the server
 * (`/metadata`), and shows the Watch, Play or Training pane behind
 * keyboard-navigable tabs. Each pane keeps its own `/ws` session; Play never shares one with
 * Watch, so a Play session's frames hold only the player's role. The "about"
 * strip above them is static HTML (index.html); here it only remembers being closed.
 */
import { h, replace } from "./dom.js";
import { PlayPane } from "./play.js";
import { offerLearned, policyNames } from "./policies.js";
import { explain, fetchMetadata } from "./server-link.js";
import "./styles.css";
import { TrainingPane } from "./training.js";
import { type Mode, readState, writeState } from "./url-state.js";
import { WatchPane } from "./watch.js";

const state = readState(location.search, { red: policyNames("red"), blue: policyNames("blue") });
writeState(state);
// a learned policy named in the URL is offered in the selects (the server says if it exists)
offerLearned("red", state.red);
offerLearned("blue", state.blue);

const app = document.getElementById("app")!;
const serverInfo = document.getElementById("server-info")!;
const tabs: Record<Mode, HTMLButtonElement> = {
  watch: document.getElementById("tab-watch") as HTMLButtonElement,
  play: document.getElementById("tab-play") as HTMLButtonElement,
  training: document.getElementById("tab-training") as HTMLButtonElement,
};
const ORDER: Mode[] = ["watch", "play", "training"];

let watch: WatchPane | null = null;
let play: PlayPane | null = null;
let training: TrainingPane | null = null;

const other = (r: "red" | "blue") => (r === "red" ? "blue" : "red");
const fromTraining = {
  watch(role: "red" | "blue", name: string) {
    state[role] = name;
    watch?.dispose();
    watch = null; // rebuilt, so its selects offer the learned policy
    show("watch");
  },
  play(role: "red" | "blue", name: string) {
    state.role = other(role);
    state[role] = name;
    play?.dispose();
    play = null;
    show("play");
  },
};

function show(mode: Mode): void {
  state.mode = mode;
  writeState(state);
  for (const [m, tab] of Object.entries(tabs)) {
    const on = m === mode;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  if (mode !== "watch") watch?.pause();
  if (mode !== "training") training?.stop();
  if (mode === "watch") {
    watch ??= new WatchPane(state);
    replace(app, watch.element);
  } else if (mode === "play") {
    play ??= new PlayPane(state);
    replace(app, play.element);
  } else if (training) {
    replace(app, training.element);
    training.resume();
  } else {
    training = new TrainingPane(state, fromTraining);
    replace(app, training.element);
  }
  app.setAttribute("aria-labelledby", `tab-${mode}`);
}

for (const [m, tab] of Object.entries(tabs) as [Mode, HTMLButtonElement][]) {
  tab.addEventListener("click", () => show(m));
  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  tab.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    const step = e.key === "ArrowRight" ? 1 : ORDER.length - 1;
    const next = ORDER[(ORDER.indexOf(m) + step) % ORDER.length];
    show(next);
    tabs[next].focus();
    e.preventDefault();
  });
}

// Timeline keys, when no form control has the focus.
document.addEventListener("keydown", (e) => {
  const t = e.target as HTMLElement;
  if (state.mode !== "watch" || !watch || e.altKey || e.ctrlKey || e.metaKey) return;
  if (t.closest("input, select, textarea, button, [role=tab], summary")) return;
  if (watch.onKey(e)) e.preventDefault();
});

async function checkServer(): Promise<void> {
  serverInfo.textContent = "connecting…";
  serverInfo.className = "server-info loading";
  try {
    const meta = await fetchMetadata();
    serverInfo.textContent = `${meta.name} ${meta.version}`;
    serverInfo.className = "server-info ok";
  } catch (e) {
    serverInfo.className = "server-info error";
    replace(
      serverInfo,
      explain(e).message,
      " ",
      h("button", { type: "button", onclick: () => void checkServer() }, "Retry"),
    );
  }
}

// The about strip stays closed once a reader has closed it (it is long on a phone).
const about = document.getElementById("about") as HTMLDetailsElement | null;
if (about) {
  try {
    if (localStorage.getItem("seige.about") === "closed") about.open = false;
    about.addEventListener("toggle", () =>
      localStorage.setItem("seige.about", about.open ? "open" : "closed"),
    );
  } catch {
    // storage unavailable (private mode): the strip just opens each time
  }
}

show(state.mode);
void checkServer();

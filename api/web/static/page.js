// The page at /: reads the JSON API, draws the station picture at the chosen
// horizon, and follows the live feed. Plain JavaScript, no build step, and
// nothing fetched from another host. URLs are relative, so the app may be
// served under a path prefix.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const DAY = 86400000;
  const PARAMS = ["as_of", "known_at", "recorded_before", "decision"];
  const KIND_WORDS = {
    instant: "a time", day: "a day", month: "a month", year: "a year",
    not_announced: "not announced", to_be_set: "to be set",
  };
  const FIELD_LABELS = {
    location: "Location", health: "Health", crewed_return: "Crewed return", seats: "Seats",
    launch_crew: "Launch crew", return_crew: "Return crew", planned_launch: "Planned launch",
    planned_return: "Planned return", open_incidents: "Open incidents", aboard: "Aboard",
    return_vehicle: "Return vehicle", lifeboat: "Lifeboat", launch_vehicle: "Launch vehicle",
    crew_aboard: "Crew aboard", cleared_seats: "Cleared seats", emergency_seats: "Emergency seats",
    shortfall: "Shortfall", mission_extended: "Mission extended", station: "Station", port: "Port",
  };

  // --- Small helpers --------------------------------------------------------

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  /** An element with attributes (on* keys are listeners) and children (text or nodes). */
  function h(tag, attributes = {}, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
      else if (key === "class") element.className = value;
      else element.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** Replace an element's children (nothing for null, undefined or false, never the text "null"). */
  function put(element, ...children) {
    element.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  const hidden = (text) => h("span", { class: "visually-hidden" }, text);
  const words = (text) => String(text).replaceAll("_", " ");
  const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const short = (id) => String(id).slice(0, 8);
  // The writer, and whose record it is when not the writer's own (an import on someone's behalf).
  const writtenBy = (event) => (event.on_behalf_of ? `${event.actor} for ${event.on_behalf_of}` : event.actor);

  function query(values) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values)) {
      if (value !== "" && value !== null && value !== undefined) params.set(key, value);
    }
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  class Problem extends Error {
    constructor(status, detail, fields) {
      super(detail);
      this.status = status;
      this.fields = fields;
    }
  }

  async function getJSON(url, signal) {
    const response = await fetch(url, { signal, headers: { Accept: "application/json" } });
    if (!response.ok) throw await problemOf(response);
    return response.json();
  }

  async function getText(url, signal) {
    const response = await fetch(url, { signal });
    if (!response.ok) throw await problemOf(response);
    return response.text();
  }

  async function problemOf(response) {
    try {
      const body = await response.json();
      const fields = (body.errors || []).map((e) => e.field);
      return new Problem(response.status, body.detail || body.title || response.statusText, fields);
    } catch {
      return new Problem(response.status, response.statusText, []);
    }
  }

  // --- Times ----------------------------------------------------------------

  const firstDay = Date.parse(`${config.first_day}T00:00:00Z`);
  const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;

  /** Milliseconds of a time as the API writes it; a bare date is its first instant. */
  function startOf(text) {
    if (!text) return NaN;
    if (BARE_DATE.test(text)) return Date.parse(`${text}T00:00:00Z`);
    return Date.parse(String(text).replace(/(\.\d{3})\d+/, "$1"));
  }

  /** A query bound as the server reads it: a bare date is the end of that day. */
  function boundOf(text) {
    if (!text) return Infinity;
    const start = startOf(text.trim());
    return BARE_DATE.test(text.trim()) ? start + DAY - 1 : start;
  }

  const dayText = (index) => new Date(firstDay + index * DAY).toISOString().slice(0, 10);

  function dayIndex(text) {
    if (!text) return config.days;
    const match = /^\d{4}-\d{2}-\d{2}/.exec(text.trim());
    if (!match) return null;
    const index = Math.round((Date.parse(`${match[0]}T00:00:00Z`) - firstDay) / DAY);
    return Math.max(0, Math.min(config.days - 1, index));
  }

  function longDate(text) {
    if (!text) return "now";
    if (!BARE_DATE.test(text)) return text;
    return new Date(`${text}T00:00:00Z`).toLocaleDateString("en-GB", {
      day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
    });
  }

  // --- What the page shows ---------------------------------------------------

  const view = {};
  for (const key of PARAMS) view[key] = config.query[key] || "";
  let state = null; // the last /state answer (explanations are asked for on a click: on a large log they are large)
  let stateFor = null; // the horizon it answers
  let head = config.head; // the highest log position seen
  let logFloor = null; // the log page loaded reaches back to the position after this
  let events = new Map(); // id -> event, everything the timeline may show
  let timelineFor = null; // the recorded_before the timeline was loaded for
  // Decisions and audits are about knowledge ("as of" does not apply to them):
  // kept until "known at" or "recorded before" moves.
  let decisionsFor = null;
  let decisionList = [];
  let auditFor = null;
  let auditAnswer = null;
  let arrivals = []; // events from the live feed not yet drawn
  let generation = 0;
  let inFlight = null;

  const controls = {
    asOf: $("#as-of"), knownAt: $("#known-at"),
    asOfText: $("#as-of-text"), knownAtText: $("#known-at-text"),
    recordedBefore: $("#recorded-before"), hideUnknown: $("#hide-unknown"),
  };

  function syncUrl() {
    const values = {};
    for (const key of PARAMS) values[key] = view[key];
    history.replaceState(null, "", `${location.pathname}${query(values)}`);
  }

  const horizon = () => ({ as_of: view.as_of, known_at: view.known_at, recorded_before: view.recorded_before });
  const knowledge = () => ({ known_at: view.known_at, recorded_before: view.recorded_before });

  function showAxis(slider, output, text) {
    output.textContent = text ? longDate(text) : "now";
    slider.setAttribute("aria-valuetext", text ? longDate(text) : "now (no bound)");
  }

  function setFromSlider(key, slider, output, textField) {
    const index = Number(slider.value);
    view[key] = index >= config.days ? "" : dayText(index);
    textField.value = view[key];
    textField.removeAttribute("aria-invalid");
    showAxis(slider, output, view[key]);
    syncUrl();
    restyleTimeline();
  }

  function setFromText(key, slider, output, textField) {
    if (textField.value.trim() === view[key]) return; // Enter, then the change event on leaving
    view[key] = textField.value.trim();
    const index = dayIndex(view[key]);
    if (index !== null) slider.value = String(index);
    showAxis(slider, output, view[key]);
    syncUrl();
    refreshSoon();
  }

  // --- Refreshing -------------------------------------------------------------

  let debounce = null;
  let again = false; // a move came while a refresh was in flight: refresh once more when it ends

  /** While a slider is dragged: refresh after a pause, and never pile up requests on the server
   * (an abandoned request still costs it the whole answer). */
  function scheduleRefresh(delay = 150) {
    clearTimeout(debounce);
    busy(true);
    debounce = setTimeout(() => {
      if (inFlight) again = true;
      else refresh();
    }, delay);
  }

  /** A move is done (a slider released, Enter in a field): refresh now, or as soon as the
   * refresh in flight ends, which then draws what it fetched while this one runs. */
  function refreshSoon() {
    clearTimeout(debounce);
    if (inFlight) {
      again = true;
      busy(true);
    } else {
      refresh();
    }
  }

  /** body[data-ready] is "false" while a refresh runs, "true" once drawn; it is written only when it
   * changes (a watcher counts its changes). */
  function busy(yes) {
    const ready = yes ? "false" : "true";
    if (document.body.dataset.ready !== ready) document.body.dataset.ready = ready;
    $("#picture").setAttribute("aria-busy", String(yes));
  }

  /** Fetch everything the horizon changes and draw it; a newer refresh cancels an older one. */
  async function refresh() {
    clearTimeout(debounce);
    again = false;
    const mine = ++generation;
    if (inFlight) inFlight.abort();
    const controller = new AbortController();
    inFlight = controller;
    const { signal } = controller;
    busy(true);
    try {
      const known = JSON.stringify(knowledge());
      const where = JSON.stringify(horizon());
      // Choosing a decision does not move the picture: the state in hand is still the answer.
      const picture = state && stateFor === where ? Promise.resolve(state) : getJSON(`state${query(horizon())}`, signal);
      const timeline = timelineFor === view.recorded_before ? null : loadTimeline(signal, picture);
      const decisions = decisionsFor === known ? null : getJSON(`decisions${query(knowledge())}`, signal);
      // The audit waits for the list: a decision not known at this horizon is said so, not asked for.
      const audit = (decisions || Promise.resolve(null)).then((list) => {
        const ids = (list ? list.decisions : decisionList).map((d) => d.id);
        if (!view.decision || !ids.includes(view.decision)) return view.decision ? { id: view.decision, missing: true } : null;
        if (auditFor === `${view.decision} ${known}`) return auditAnswer;
        return loadAudit(view.decision, signal);
      });
      const [stateAnswer, listAnswer, audited, timelineAnswer] = await Promise.all([picture, decisions, audit, timeline]);
      if (mine !== generation) return;
      if (timelineAnswer) takeTimeline(timelineAnswer);
      [state, stateFor] = [stateAnswer, where];
      head = Math.max(head, state.position);
      if (listAnswer) [decisionList, decisionsFor] = [listAnswer.decisions, known];
      [auditAnswer, auditFor] = [audited, audited && !audited.missing ? `${audited.id} ${known}` : null];
      clearError();
      const focused = focusKey();
      renderSummary();
      renderCapacity();
      renderVehicles();
      renderCrew();
      renderDecisions(decisionList);
      renderAudit(auditAnswer);
      if (timeline || arrivals.length) renderTimeline();
      else restyleTimeline();
      restoreFocus(focused);
      if (auditAnswer && auditAnswer.audit && selectedNow) announce(`Audit drawn: ${headline(auditAnswer.audit.decision)}`);
      selectedNow = false;
    } catch (error) {
      if (error.name === "AbortError" || mine !== generation) return;
      if (arrivals.length) renderTimeline();
      showError(error);
    } finally {
      if (mine === generation) {
        inFlight = null;
        if (again) refresh();
        else busy(false);
      }
    }
  }

  /** Where the keyboard is, said so that it survives a redraw (a value, a decision, an event). */
  function focusKey() {
    const active = document.activeElement;
    if (!active || active === document.body) return null;
    const card = active.closest("[data-vehicle], [data-crew], [data-station]");
    if (card && active.matches("button.value")) {
      const [name] = ["data-vehicle", "data-crew", "data-station"].filter((a) => card.hasAttribute(a));
      return `[${name}="${CSS.escape(card.getAttribute(name))}"] button.value[data-field="${active.dataset.field}"]`;
    }
    if (active.matches("button.decision")) return `button.decision[data-id="${active.dataset.id}"]`;
    const item = active.closest("li.event");
    if (item) return `li.event[data-id="${item.dataset.id}"] button.event-open`;
    return null;
  }

  function restoreFocus(key) {
    if (!key || (document.activeElement && document.activeElement !== document.body)) return;
    const again = $(key);
    if (again) again.focus({ preventScroll: true });
  }

  function showError(error) {
    const box = $("#horizon-error");
    box.hidden = false;
    box.textContent = error instanceof Problem
      ? `The log refused this view: ${error.message}`
      : `Could not reach the log: ${error.message}`;
    const fieldInputs = { as_of: controls.asOfText, known_at: controls.knownAtText,
      recorded_before: controls.recordedBefore };
    for (const [field, input] of Object.entries(fieldInputs)) {
      if (error.fields && error.fields.includes(field)) input.setAttribute("aria-invalid", "true");
    }
  }

  function clearError() {
    $("#horizon-error").hidden = true;
    for (const input of [controls.asOfText, controls.knownAtText, controls.recordedBefore]) {
      input.removeAttribute("aria-invalid");
    }
  }

  function renderSummary() {
    const stations = Object.values(state.stations);
    const counts = stations.map((s) => `${s.station}: ${s.crew_aboard} aboard, ${s.cleared_seats} cleared seats`
      + (s.shortfall > 0 ? `, ${s.shortfall} short` : ", no shortfall"));
    $("#summary").textContent = `As of ${longDate(view.as_of)}, known at ${longDate(view.known_at)}`
      + (view.recorded_before ? `, as recorded before ${view.recorded_before}` : "")
      + ` (log up to position ${state.position}). ${counts.join("; ")}.`;
  }

  // --- Values and their explanations ----------------------------------------

  const nameOf = (id) => (state && state.crew[id] && state.crew[id].name)
    || (state && state.vehicles[id] && state.vehicles[id].name) || id;

  /** A planned date with its kind of date: "2023-03 (a month)", "not announced". */
  function windowText(text, window) {
    if (text === null || text === undefined) return "none";
    if (!window || ["not_announced", "to_be_set"].includes(window.kind)) return String(text);
    return `${text} (${KIND_WORDS[window.kind] || words(window.kind)})`;
  }

  function plain(value) {
    if (value === null || value === undefined) return "none";
    if (value === true) return "yes";
    if (value === false) return "no";
    if (Array.isArray(value)) return value.length ? value.map(nameOf).join(", ") : "none";
    return words(value);
  }

  /** A value as a button that opens its explanation. */
  function valueButton(subject, id, field, text, raw, extraClass = "") {
    const label = FIELD_LABELS[field] || words(field);
    return h("button", {
      type: "button", class: `value ${extraClass}`.trim(), "data-field": field,
      "data-value": typeof raw === "object" ? JSON.stringify(raw) : String(raw),
      "aria-label": `${label}: ${text}. Explain`,
      onclick: (event) => explain(subject, id, field, event.currentTarget),
    }, text);
  }

  function fieldRow(subject, id, field, text, raw, extraClass) {
    return [h("dt", {}, FIELD_LABELS[field] || words(field)),
      h("dd", {}, valueButton(subject, id, field, text, raw, extraClass))];
  }

  // --- Capacity ---------------------------------------------------------------

  function renderCapacity() {
    const box = $("#capacity .stations");
    const stations = Object.values(state.stations);
    if (!stations.length) {
      put(box, h("p", { class: "empty" }, "No station is known at this horizon."));
      return;
    }
    put(box, ...stations.map((s) => {
      const short = s.shortfall > 0;
      const verdict = short
        ? `Shortfall: ${s.shortfall} of ${s.crew_aboard} aboard ${s.shortfall === 1 ? "has" : "have"} no seat `
          + `cleared for crewed return (${s.cleared_seats} cleared${s.emergency_seats ? `, ${s.emergency_seats} for an emergency only` : ""}).`
        : `No shortfall: ${s.cleared_seats} cleared seats for ${s.crew_aboard} aboard.`;
      return h("article", {
        class: `station ${short ? "short" : "covered"}`, "data-station": s.station,
        "aria-labelledby": `station-${s.station}`,
      },
      h("h3", { id: `station-${s.station}` }, `Station ${s.station}`),
      h("p", { class: "verdict" }, h("span", { class: "verdict-icon", "aria-hidden": "true" }, short ? "⚠" : "✓"),
        h("strong", {}, verdict)),
      gauge(s),
      h("dl", { class: "counts" },
        fieldRow("station", s.station, "crew_aboard", String(s.crew_aboard), s.crew_aboard),
        fieldRow("station", s.station, "cleared_seats", String(s.cleared_seats), s.cleared_seats),
        fieldRow("station", s.station, "emergency_seats", String(s.emergency_seats), s.emergency_seats),
        fieldRow("station", s.station, "shortfall", String(s.shortfall), s.shortfall, short ? "bad" : "good")),
      lifeboats(s),
      s.alerts.length
        ? h("div", { class: "alerts" }, h("h4", {}, "Alerts"),
          h("ul", {}, s.alerts.map((a) => h("li", {}, h("span", { "aria-hidden": "true" }, "⚠ "), a))))
        : h("p", { class: "alerts none" }, "No alerts."));
    }));
  }

  /** One square a person: covered by a cleared seat, an emergency seat, or none (hatched, crossed);
   * for a crowd, one bar in proportion. */
  function gauge(s) {
    const seats = s.cleared_seats + s.emergency_seats;
    if (Math.max(s.crew_aboard, seats) > 40) {
      const whole = Math.max(s.crew_aboard, seats);
      const part = (n, kind, text) => (n > 0 ? h("span", { class: `bar bar-${kind}`, style: `flex: ${n}` }, `${text} ${n}`) : null);
      const cleared = Math.min(s.crew_aboard, s.cleared_seats);
      const emergency = Math.min(s.crew_aboard - cleared, s.emergency_seats);
      return h("div", { class: "gauge gauge-bar", "aria-hidden": "true", style: `--whole: ${whole}` },
        part(cleared, "cleared", "✓"), part(emergency, "emergency", "!"), part(s.shortfall - emergency, "none", "✕"),
        part(Math.max(0, seats - s.crew_aboard), "spare", "spare"));
    }
    const squares = [];
    for (let i = 0; i < Math.max(s.crew_aboard, s.cleared_seats + s.emergency_seats); i += 1) {
      let kind = "spare";
      if (i < s.crew_aboard) kind = i < s.cleared_seats ? "cleared" : i < s.cleared_seats + s.emergency_seats ? "emergency" : "none";
      squares.push(h("span", { class: `seat seat-${kind}` }, { cleared: "✓", emergency: "!", none: "✕", spare: "" }[kind]));
    }
    return h("div", { class: "gauge", "aria-hidden": "true" }, squares,
      h("span", { class: "gauge-key" }, "✓ cleared seat · ! emergency only · ✕ no seat · □ spare seat"));
  }

  function lifeboats(s) {
    if (!s.lifeboats.length) return null;
    return h("details", { class: "lifeboats" }, h("summary", {}, `Lifeboats of the ${s.lifeboats.length} aboard`),
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Crew member"), h("th", { scope: "col" }, "Lifeboat"),
          h("th", { scope: "col" }, "Docked"), h("th", { scope: "col" }, "Crewed return"))),
        h("tbody", {}, s.lifeboats.map((b) => h("tr", {},
          h("th", { scope: "row" }, nameOf(b.crew_member)), h("td", {}, b.lifeboat ? nameOf(b.lifeboat) : "none"),
          h("td", {}, b.lifeboat_docked ? "yes" : "no"),
          h("td", { class: b.lifeboat_crewed_return === "cleared" ? "" : "warn" }, plain(b.lifeboat_crewed_return)))))));
  }

  // --- Groups shown on demand -------------------------------------------------

  const openGroups = new Set(); // the "more" groups the reader has opened, kept open across redraws

  /** Items beyond the picture (vehicles gone home, people with no part in it), drawn only once opened. */
  function more(key, summary, draw) {
    const group = h("details", { class: "more", "data-group": key }, h("summary", {}, summary));
    const fill = () => {
      if (group.open && group.childElementCount === 1) group.append(...[draw()].flat());
    };
    group.addEventListener("toggle", () => {
      if (group.open) openGroups.add(key);
      else openGroups.delete(key);
      fill();
    });
    if (openGroups.has(key)) {
      group.open = true;
      fill();
    }
    return group;
  }

  // --- Vehicles ---------------------------------------------------------------

  const LOCATION_ORDER = ["docked", "in_flight", "undocked", "scheduled", "landed", "lost"];
  const GONE = ["landed", "lost"];

  function renderVehicles() {
    const box = $("#vehicles .cards");
    const vehicles = Object.values(state.vehicles).sort((a, b) =>
      (LOCATION_ORDER.indexOf(a.location) - LOCATION_ORDER.indexOf(b.location)) || a.name.localeCompare(b.name));
    if (!vehicles.length) {
      put(box, h("p", { class: "empty" }, "No vehicle is known at this horizon."));
      return;
    }
    const gone = vehicles.filter((v) => GONE.includes(v.location));
    put(box, ...vehicles.filter((v) => !GONE.includes(v.location)).map(vehicleCard),
      gone.length ? more("vehicles-gone", `${gone.length} vehicle${gone.length === 1 ? "" : "s"} landed or lost`,
        () => h("div", { class: "cards" }, gone.map(vehicleCard))) : null);
  }

  function vehicleCard(v) {
    const where = v.location === "docked" && v.station
      ? `docked at ${v.station}${v.port ? ` (${v.port})` : ""}` : words(v.location);
    const clearance = words(v.crewed_return) + (v.crewed_return_condition ? ` (${v.crewed_return_condition})` : "");
    return h("article", {
      class: `card health-${v.health} return-${v.crewed_return}`, "data-vehicle": v.id,
      "aria-labelledby": `vehicle-${v.id}`,
    },
    h("h3", { id: `vehicle-${v.id}` }, v.name, " ", h("small", {}, `${words(v.kind)}${v.mission ? ` · ${v.mission}` : ""}`)),
    h("dl", {},
      fieldRow("vehicle", v.id, "location", where, v.location),
      fieldRow("vehicle", v.id, "health", words(v.health), v.health, v.health === "nominal" ? "good" : "bad"),
      fieldRow("vehicle", v.id, "crewed_return", clearance, v.crewed_return,
        v.crewed_return === "cleared" ? "good" : "bad"),
      fieldRow("vehicle", v.id, "seats", String(v.seats), v.seats),
      fieldRow("vehicle", v.id, "launch_crew", plain(v.launch_crew), v.launch_crew),
      fieldRow("vehicle", v.id, "return_crew", plain(v.return_crew), v.return_crew),
      fieldRow("vehicle", v.id, "planned_launch", windowText(v.planned_launch, v.planned_launch_window),
        v.planned_launch),
      fieldRow("vehicle", v.id, "planned_return", windowText(v.planned_return, v.planned_return_window),
        v.planned_return),
      v.open_incidents.length ? fieldRow("vehicle", v.id, "open_incidents", v.open_incidents.join(", "),
        v.open_incidents, "bad") : null));
  }

  // --- Crew -------------------------------------------------------------------

  /** Aboard, or with a seat home, or waiting to fly: a part in the picture. */
  function inPicture(c) {
    const ride = c.launch_vehicle && state.vehicles[c.launch_vehicle];
    return c.aboard || Boolean(c.return_vehicle) || Boolean(c.planned_launch)
      || Boolean(ride && ["scheduled", "in_flight"].includes(ride.location));
  }

  function renderCrew() {
    const box = $("#crew .crew-list");
    const crew = Object.values(state.crew).sort((a, b) => (b.aboard - a.aboard) || a.name.localeCompare(b.name));
    if (!crew.length) {
      put(box, h("p", { class: "empty" }, "No crew member is known at this horizon."));
      return;
    }
    const others = crew.filter((c) => !inPicture(c));
    put(box, crewTable(crew.filter(inPicture)),
      others.length ? more("crew-others", `${others.length} more, neither aboard nor assigned a flight`,
        () => crewTable(others)) : null);
  }

  function crewTable(crew) {
    const cell = (c, field, text, raw, label, extraClass) => h("td", { "data-label": label },
      valueButton("crew", c.id, field, text, raw, extraClass));
    return h("table", { class: "crew-table" },
      h("thead", {}, h("tr", {}, ["Name", "Aboard", "Return vehicle", "Lifeboat", "Planned return", "Launch"]
        .map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, crew.map((c) => h("tr", { "data-crew": c.id },
        h("th", { scope: "row" }, c.name, " ", h("small", {}, c.agency)),
        cell(c, "aboard", c.aboard ? `aboard ${c.station || ""}`.trim() : "not aboard", c.aboard, "Aboard"),
        cell(c, "return_vehicle", c.return_vehicle ? nameOf(c.return_vehicle) : "none", c.return_vehicle,
          "Return vehicle"),
        cell(c, "lifeboat", c.lifeboat ? nameOf(c.lifeboat) : "none", c.lifeboat, "Lifeboat"),
        cell(c, "planned_return", windowText(c.planned_return, c.planned_return_window)
          + (c.mission_extended ? " · extended" : ""), c.planned_return, "Planned return"),
        cell(c, "launch_vehicle", c.launch_vehicle
          ? `${nameOf(c.launch_vehicle)}${c.planned_launch ? `, ${windowText(c.planned_launch, c.planned_launch_window)}` : ""}`
          : "none", c.launch_vehicle, "Launch")))));
  }

  // --- Explanations -------------------------------------------------------------

  const sheet = $("#explanation");
  const sheetBody = $(".sheet-body", sheet);
  const sheetHeading = $("#explanation-heading");
  const sheetBack = $(".back", sheet);
  let sheetHistory = [];
  let opener = null;
  let openerKey = null; // where the opener was, should a redraw replace it while the sheet is open

  function openSheet(title, content, remember = true) {
    if (remember && sheet.open && sheetHeading.textContent) {
      sheetHistory.push([sheetHeading.textContent, Array.from(sheetBody.childNodes)]);
    }
    if (!sheet.open) {
      opener = document.activeElement;
      openerKey = focusKey();
      sheetHistory = [];
      sheet.show();
      document.body.classList.add("sheet-open");
    }
    sheetHeading.textContent = title;
    put(sheetBody, ...[content].flat());
    sheetBack.hidden = sheetHistory.length === 0;
    sheetHeading.setAttribute("tabindex", "-1");
    sheetHeading.focus();
    sheetBody.scrollTop = 0;
  }

  function closeSheet() {
    if (!sheet.open) return;
    sheet.close();
  }

  sheet.addEventListener("close", () => {
    document.body.classList.remove("sheet-open");
    sheetHistory = [];
    if (opener && document.contains(opener)) opener.focus();
    else restoreFocus(openerKey);
    opener = null;
  });
  $(".close", sheet).addEventListener("click", closeSheet);
  sheetBack.addEventListener("click", () => {
    const [title, nodes] = sheetHistory.pop();
    openSheet(title, nodes, false);
  });
  sheet.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeSheet();
    }
  });

  function viewOf(subject, id) {
    if (subject === "vehicle") return state.vehicles[id];
    if (subject === "crew") return state.crew[id];
    if (subject === "station") return state.stations[id];
    return state.incidents[id];
  }

  let explaining = 0;

  /** Open a value's explanation: the event that set it and its evidence, or the parts of a derived value. */
  async function explain(subject, id, field, button) {
    const shown = viewOf(subject, id);
    if (!shown) return;
    const mine = ++explaining;
    const name = subject === "station" ? `Station ${id}` : shown.name || id;
    const label = FIELD_LABELS[field] || words(field);
    const context = h("p", { class: "context" }, `${name}, as of ${longDate(view.as_of)}, known at `
      + `${longDate(view.known_at)}${view.recorded_before ? `, recorded before ${view.recorded_before}` : ""}.`);
    openSheet(`${label}: ${button ? button.textContent : plain(shown[field])}`,
      [context, h("p", { class: "muted" }, "Reading the log…")]);
    let why;
    try {
      if (subject === "station") {
        const capacity = await getJSON(`capacity${query({ ...horizon(), explain: "true" })}`);
        why = capacity.stations[id] && capacity.stations[id].explain && capacity.stations[id].explain[field];
      } else {
        const path = `${subject === "vehicle" ? "vehicles" : "crew"}/${encodeURIComponent(id)}`;
        why = await getJSON(`${path}/explain/${encodeURIComponent(field)}${query(horizon())}`);
      }
    } catch (error) {
      if (mine === explaining) put(sheetBody, context, h("p", { class: "error" }, `Could not explain it: ${error.message}`));
      return;
    }
    if (mine !== explaining || !sheet.open) return;
    const content = [context];
    if (why && why.parts) {
      content.push(...partsList(why.parts));
    } else if (why && why.set_by) {
      content.push(h("h3", {}, "Set by"), setBy(why.set_by), ...evidenceList(why.evidence));
    } else {
      content.push(h("p", {}, "No event set this value: it is the default for a new record."));
    }
    put(sheetBody, ...content);
  }

  function setBy(event) {
    return h("div", { class: "set-by", "data-set-by": event.id }, eventCard(event));
  }

  function evidenceList(evidence) {
    if (!evidence || !evidence.length) return [h("p", { class: "muted" }, "That event rests on no other event.")];
    return [h("h3", {}, `The evidence it rests on (${evidence.length})`),
      h("ol", { class: "chain" }, evidence.map((e) => h("li", {}, e.known === false
        ? h("p", { class: "unknown-evidence" }, `Event ${short(e.id)}: ${e.note || "not known at this horizon"}`)
        : eventCard(e))))];
  }

  /** A derived value's parts, those set by one event together ("Sergey Prokopyev, Frank Rubio: aboard = yes"). */
  function partsList(parts) {
    const groups = new Map();
    for (const p of parts) {
      const key = JSON.stringify([p.set_by && p.set_by.id, p.field, p.value, p.counted]);
      if (!groups.has(key)) groups.set(key, { ...p, names: [] });
      groups.get(key).names.push(nameOf(p.id));
    }
    const counted = parts.filter((p) => p.counted !== false).length;
    return [h("h3", {}, "Made of"), h("p", { class: "muted" },
      `A derived value: it counts ${counted} field${counted === 1 ? "" : "s"} of the picture`
      + `${counted < parts.length ? ` and considered ${parts.length - counted} more` : ""}, each set by an event.`),
    h("ul", { class: "parts" }, [...groups.values()].map((g) => h("li", { class: g.counted === false ? "not-counted" : "" },
      h("p", {}, h("strong", {}, `${g.names.join(", ")}: ${FIELD_LABELS[g.field] || words(g.field)} = ${plain(g.value)}`),
        g.counted === false ? " (considered, not counted)" : ""),
      g.set_by ? setBy(g.set_by) : h("p", { class: "muted" }, "No event set it: a default."),
      g.evidence && g.evidence.length
        ? h("p", { class: "muted" }, `That event rests on ${g.evidence.length} earlier event${g.evidence.length > 1 ? "s" : ""}.`)
        : null)))];
  }

  // --- Events -----------------------------------------------------------------

  const kindOf = (event) => config.kinds[event.type] || "record";

  /** What an event says, in one line: who, then what; otherwise its fields. */
  function headline(event) {
    const data = event.data || {};
    const who = ["authority", "speaker", "observer", "commission"].map((k) => data[k]).find(Boolean);
    let what = ["summary", "description", "title", "mandate", "reason"].map((k) => data[k]).find(Boolean);
    if (!what) {
      what = Object.entries(data).filter(([, value]) => value !== null && value !== "" && !(Array.isArray(value) && !value.length))
        .map(([key, value]) => `${words(key)} ${Array.isArray(value) ? value.join(", ") : typeof value === "object" ? JSON.stringify(value) : value}`)
        .join(", ");
    }
    const extra = ["cause", "method"].filter((k) => data[k]).map((k) => `${k}: ${data[k]}`).join("; ");
    return `${who ? `${who}: ` : ""}${what}${extra ? ` (${extra})` : ""}`;
  }

  function kindBadge(event) {
    const kind = kindOf(event);
    return h("span", { class: `badge kind-${kind}` }, h("span", { class: "mark", "aria-hidden": "true" }), kind);
  }

  function times(event) {
    return `occurred ${event.occurred_at} · reported ${event.reported_at} · position ${event.position}`;
  }

  function eventCard(event) {
    return h("div", { class: `event-card kind-${kindOf(event)}` },
      h("p", { class: "event-head" }, kindBadge(event), " ", h("strong", {}, event.type), " ", headline(event)),
      h("p", { class: "event-times" }, times(event)),
      h("p", { class: "event-source" }, `Source: ${event.source}`),
      event.corrected_by && event.corrected_by.length
        ? h("p", { class: "warn" }, `Corrected by ${event.corrected_by.map(short).join(", ")}`) : null,
      h("button", { type: "button", class: "secondary open-event", onclick: () => openEvent(event.id) },
        "Open this event"));
  }

  function eventLink(id) {
    const known = events.get(id);
    return h("button", { type: "button", class: "link", onclick: () => openEvent(id) },
      known ? `${known.type}: ${headline(known)} (${known.occurred_at})` : `event ${short(id)}`);
  }

  async function openEvent(id) {
    openSheet("Event", h("p", { class: "muted" }, "Loading…"));
    let record;
    try {
      record = await getJSON(`events/${encodeURIComponent(id)}${query(knowledge())}`);
    } catch (error) {
      put(sheetBody, h("p", { class: "error" }, `Could not read the event: ${error.message}`));
      return;
    }
    const shown = record.believed || record;
    const restsOnIt = [...events.values()].filter((e) => (e.based_on || []).includes(id));
    const data = Object.entries(shown.data || {});
    sheetHeading.textContent = `${record.type}: ${headline(shown)}`;
    put(sheetBody,
      h("p", {}, kindBadge(record), " ", record.retracted
        ? h("strong", { class: "warn" }, "Retracted at this horizon. ") : null,
      record.believed && record.amendments.length ? "Shown as corrected; as written below. " : ""),
      h("dl", { class: "event-fields" },
        h("dt", {}, "Occurred"), h("dd", {}, record.occurred_at),
        h("dt", {}, "Reported"), h("dd", {}, record.reported_at),
        h("dt", {}, "Recorded"), h("dd", {}, `${record.recorded_at} by ${writtenBy(record)} (position ${record.position})`),
        h("dt", {}, "Source"), h("dd", {}, record.source),
        h("dt", {}, "Incidents"), h("dd", {}, (record.incidents || []).join(", ") || "none"),
        data.map(([key, value]) => [h("dt", {}, FIELD_LABELS[key] || capital(words(key))), h("dd", {}, value === null ? "none"
          : Array.isArray(value) ? value.join(", ") || "none" : typeof value === "object" ? JSON.stringify(value) : String(value))])),
      h("h3", {}, `Rests on (${(record.based_on || []).length})`),
      record.based_on && record.based_on.length
        ? h("ul", { class: "links" }, record.based_on.map((b) => h("li", {}, eventLink(b))))
        : h("p", { class: "muted" }, "Nothing: it rests on no other event."),
      h("h3", {}, `What rests on it (${restsOnIt.length})`),
      restsOnIt.length
        ? h("ul", { class: "links" }, restsOnIt.map((e) => h("li", {}, eventLink(e.id))))
        : h("p", { class: "muted" }, "Nothing among the events on the timeline."),
      h("h3", {}, `Corrections and retractions (${record.amendments.length})`),
      record.amendments.length
        ? h("ul", { class: "links" }, record.amendments.map((a) => h("li", {},
          h("strong", {}, a.type === "EntryRetracted" ? "Retracted" : "Corrected"),
          ` on ${a.reported_at}: ${a.data.reason || ""}`,
          a.data.changes ? ` (${Object.entries(a.data.changes).map(([k, v]) => `${words(k)} → ${JSON.stringify(v)}`).join(", ")})` : "",
          " ", eventLink(a.id))))
        : h("p", { class: "muted" }, "None known at this horizon."),
      record.type === "DecisionTaken"
        ? h("p", {}, h("button", { type: "button", onclick: () => { closeSheet(); selectDecision(record.id); } },
          "Audit this decision"))
        : null);
  }

  // --- Timeline -----------------------------------------------------------------

  /** Was the event in the log by `recorded before`? */
  function stored(event) {
    const bound = view.recorded_before.trim();
    if (!bound) return true;
    if (/^\d+$/.test(bound)) return event.position <= Number(bound);
    return startOf(event.recorded_at) <= boundOf(bound);
  }

  /** The incidents' case files (as known now) and the latest page of the log; `picture` is the
   * state being fetched for the horizon, which holds every incident when the horizon is now. */
  async function loadTimeline(signal, picture) {
    const bound = view.recorded_before;
    const top = /^\d+$/.test(bound.trim()) ? Math.min(head, Number(bound)) : head;
    const after = Math.max(0, top - config.log_page);
    const now = !view.as_of && !view.known_at;
    const [latest, page] = await Promise.all([
      now ? picture : getJSON(`state${query({ recorded_before: bound })}`, signal),
      getJSON(`events${query({ after, limit: config.log_page })}`, signal),
    ]);
    const files = await Promise.all(Object.keys(latest.incidents).map((incident) =>
      getJSON(`incidents/${encodeURIComponent(incident)}${query({ recorded_before: bound })}`, signal)));
    const loaded = new Map(page.events.map((event) => [event.id, event]));
    for (const file of files) {
      for (const event of file.timeline) loaded.set(event.id, event);
    }
    return { loaded, after, top, bound };
  }

  /** Take a loaded timeline, keeping what the live feed brought since it was asked for. */
  function takeTimeline({ loaded, after, top, bound }) {
    for (const event of events.values()) {
      if (event.position > top && !loaded.has(event.id)) loaded.set(event.id, event);
    }
    events = loaded;
    logFloor = after;
    timelineFor = bound;
  }

  async function loadEarlier() {
    if (!logFloor) return;
    const button = $("#earlier");
    button.disabled = true;
    const after = Math.max(0, logFloor - config.log_page);
    try {
      const page = await getJSON(`events${query({ after, limit: logFloor - after })}`);
      for (const event of page.events) if (!events.has(event.id)) events.set(event.id, event);
      logFloor = after;
      renderTimeline();
      announce(`${page.events.length} earlier events loaded.`);
    } finally {
      button.disabled = false;
    }
  }

  function validOrder(a, b) {
    return (startOf(a.occurred_at) - startOf(b.occurred_at)) || (a.position - b.position);
  }

  /** When each event shown was first said to be corrected, and retracted (ms of `reported_at`). */
  function amendmentTimes(shown) {
    const times = new Map();
    for (const event of shown) {
      if (kindOf(event) !== "correction" || !event.data || !event.data.target) continue;
      const key = event.type === "EntryRetracted" ? "retracted" : "corrected";
      const found = times.get(event.data.target) || {};
      found[key] = Math.min(found[key] ?? Infinity, startOf(event.reported_at));
      times.set(event.data.target, found);
    }
    return times;
  }

  function renderTimeline() {
    const list = $("#timeline ol.events");
    const shown = [...events.values()].filter(stored).sort(validOrder);
    const amended = amendmentTimes(shown);
    put(list, ...shown.map((event) => h("li", {
      class: `event kind-${kindOf(event)}`, "data-id": event.id, "data-kind": kindOf(event),
      "data-occurred": startOf(event.occurred_at), "data-reported": startOf(event.reported_at),
      "data-corrected": amended.has(event.id) ? amended.get(event.id).corrected : null,
      "data-retracted": amended.has(event.id) ? amended.get(event.id).retracted : null,
    }, h("button", { type: "button", class: "event-open", onclick: () => openEvent(event.id) },
      h("span", { class: "event-line" }, kindBadge(event), " ", h("span", { class: "event-date" }, event.occurred_at),
        " ", h("span", { class: "event-type" }, event.type), h("span", { class: "event-amended" })),
      h("span", { class: "event-what" }, headline(event)),
      h("span", { class: "event-meta" }, `reported ${event.reported_at} · #${event.position} · ${event.source}`),
      hidden("")))));
    $("#earlier").hidden = !logFloor;
    renderStrip(shown);
    restyleTimeline();
    for (const event of arrivals) {
      const item = $(`#timeline li.event[data-id="${CSS.escape(event.id)}"]`);
      if (item) item.classList.add("arrived");
    }
    if (arrivals.length === 1) announce(`New event: ${arrivals[0].type}, ${headline(arrivals[0])}`);
    else if (arrivals.length > 1) announce(`${arrivals.length} new events.`);
    arrivals = [];
  }

  let stripRange = [firstDay, firstDay + DAY];

  function renderStrip(shown) {
    const marks = $("#timeline .strip-marks");
    const start = firstDay;
    const end = firstDay + config.days * DAY;
    stripRange = [start, end];
    const at = (ms) => `${Math.max(0, Math.min(100, ((ms - start) / (end - start)) * 100))}%`;
    put(marks, ...shown.map((event) => h("span", {
      class: `strip-mark kind-${kindOf(event)}`, style: `left: ${at(startOf(event.occurred_at))}`,
      "data-reported": startOf(event.reported_at), "data-occurred": startOf(event.occurred_at),
    })));
  }

  /** Mark what is not yet reported at "known at" and what happens after "as of"; move the "as of" line. */
  function restyleTimeline() {
    const asOf = boundOf(view.as_of);
    const knownAt = boundOf(view.known_at);
    const section = $("#timeline");
    section.classList.toggle("hide-unknown", controls.hideUnknown.checked);
    let marker = $("li.as-of-marker", section);
    if (marker) marker.remove();
    marker = h("li", { class: "as-of-marker" }, `As of ${longDate(view.as_of)}: what follows had not yet happened`);
    let placed = false;
    for (const item of $$("li.event", section)) {
      const unknown = Number(item.dataset.reported) > knownAt;
      const later = Number(item.dataset.occurred) > asOf;
      item.classList.toggle("not-reported", unknown);
      item.classList.toggle("after-as-of", later);
      const said = (when) => when !== undefined && Number(when) <= knownAt;
      const retracted = said(item.dataset.retracted);
      const corrected = said(item.dataset.corrected);
      item.classList.toggle("retracted", retracted);
      $(".event-amended", item).textContent = retracted ? "retracted" : corrected ? "corrected" : "";
      const note = [unknown ? "not yet reported at known at" : "", later ? "after as of" : ""].filter(Boolean);
      $(".visually-hidden", item).textContent = note.length ? ` (${note.join("; ")})` : "";
      if (later && !placed) {
        item.before(marker);
        placed = true;
      }
    }
    const [start, end] = stripRange;
    const share = (ms) => Math.max(0, Math.min(100, ((Math.min(ms, end) - start) / (end - start)) * 100));
    for (const [line, ms] of [[$(".strip-as-of", section), asOf], [$(".strip-known-at", section), knownAt]]) {
      line.style.left = `${share(ms)}%`;
      line.classList.toggle("flip", share(ms) > 80);
    }
    keepInSight(placed ? marker : null);
    for (const mark of $$(".strip-mark", section)) {
      mark.classList.toggle("not-reported", Number(mark.dataset.reported) > knownAt);
    }
  }

  /** Scroll the timeline (not the page) so that the "as of" line is in sight, or its end if there is none. */
  function keepInSight(marker) {
    const list = $("#timeline ol.events");
    if (list.scrollHeight <= list.clientHeight) return;
    if (!marker) {
      list.scrollTop = list.scrollHeight;
      return;
    }
    const offset = marker.getBoundingClientRect().top - list.getBoundingClientRect().top;
    list.scrollTop += offset - list.clientHeight / 3;
  }

  // --- Decisions and their audit -------------------------------------------------

  function renderDecisions(list) {
    const box = $("#decisions .decision-list");
    if (!list.length) {
      put(box, h("li", { class: "empty" }, "No decision is known at “known at”."));
      return;
    }
    const asOf = boundOf(view.as_of);
    put(box, ...list.map((d) => h("li", {}, h("button", {
      type: "button", class: `decision${startOf(d.occurred_at) > asOf ? " after-as-of" : ""}`, "data-id": d.id,
      "aria-pressed": String(d.id === view.decision),
      onclick: () => selectDecision(d.id === view.decision ? "" : d.id),
    }, h("span", { class: "event-date" }, d.occurred_at), " ", headline(d),
    d.superseded_by && d.superseded_by.length ? h("span", { class: "warn" }, " (superseded)") : null,
    startOf(d.occurred_at) > asOf ? h("em", { class: "muted" }, " (taken after “as of”)") : null))));
  }

  let selectedNow = false;

  function selectDecision(id) {
    view.decision = id;
    selectedNow = Boolean(id);
    syncUrl();
    for (const button of $$("#decisions button.decision")) {
      button.setAttribute("aria-pressed", String(button.dataset.id === id));
    }
    refresh();
  }

  async function loadAudit(id, signal) {
    const base = `decisions/${encodeURIComponent(id)}/audit`;
    const [audit, svg] = await Promise.all([getJSON(`${base}${query(knowledge())}`, signal),
      getText(`${base}${query({ ...knowledge(), format: "svg" })}`, signal)]);
    return { id, audit, svg };
  }

  function renderAudit(answer) {
    const box = $("#audit .audit-body");
    if (!answer) {
      put(box, h("p", { class: "empty" }, "Select a decision above to see its evidence graph."));
      return;
    }
    if (answer.missing) {
      put(box, h("p", { class: "empty" }, `Decision ${short(answer.id)} is not known at “known at”`
        + `${view.recorded_before ? " in what was recorded before that bound" : ""}: move “known at” later.`));
      return;
    }
    const { audit, svg, id } = answer;
    const decision = audit.decision;
    const exports = (format, label) => h("a", {
      href: `decisions/${encodeURIComponent(id)}/audit${query({ ...knowledge(), format })}`,
      download: null,
    }, label);
    const graph = h("div", { class: "graph", tabindex: "0", role: "group", "aria-label": "Evidence graph (scrolls sideways)" });
    const drawing = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
    if (drawing.nodeName === "svg") {
      graph.append(document.importNode(drawing, true));
      for (const node of $$("g.node", graph)) {
        node.addEventListener("click", () => openEvent(node.dataset.id));
      }
    }
    const changed = audit.basis_changed;
    const facts = (list, empty) => (list.length
      ? h("ul", { class: "facts" }, list.map((e) => h("li", {}, h("span", { class: "event-date" }, e.occurred_at),
        h("span", {}, kindBadge(e), " ",
          h("button", { type: "button", class: "link", onclick: () => openEvent(e.id) }, `${e.type}: ${headline(e)}`),
          e.follows_from_decision ? h("em", { class: "muted" }, " (follows from the decision)") : null))))
      : h("p", { class: "muted" }, empty));
    put(box,
      h("h3", {}, headline(decision)),
      h("p", { class: "context" }, `Taken ${decision.occurred_at}, reported ${decision.reported_at}`
        + `${decision.data.authority ? ` by ${decision.data.authority}` : ""}; audited as known at `
        + `${longDate(view.known_at)}${view.recorded_before ? `, recorded before ${view.recorded_before}` : ""}.`),
      decision.data.rationale ? h("p", {}, h("strong", {}, "Rationale. "), decision.data.rationale) : null,
      h("p", { class: "exports" }, "Export: ", exports("markdown", "Markdown report"), " · ",
        exports("prov", "PROV-JSON"), " · ", exports("dot", "Graphviz DOT"), " · ", exports("svg", "SVG")),
      graph,
      h("h4", {}, "Basis changed"),
      changed.length
        ? h("ul", { class: "links bad-list" }, changed.map((c) => h("li", {}, h("strong", {}, `${c.change}: `),
          h("button", { type: "button", class: "link", onclick: () => openEvent(c.evidence.id) },
            `${c.evidence.type}: ${headline(c.evidence)}`), ` by ${c.amendment.type} on ${c.amendment.reported_at}`)))
        : h("p", {}, h("span", { "aria-hidden": "true" }, "✓ "),
          "No: none of its evidence was corrected or retracted after it was taken."),
      h("h4", {}, `Known when it was taken (${audit.known_when_taken.length})`),
      facts(audit.known_when_taken, "Nothing else of its incident had been reported."),
      h("h4", {}, `Learned afterwards (${audit.learned_afterwards.length})`),
      facts(audit.learned_afterwards, "Nothing related was reported later."),
      h("h4", {}, "Supersession"),
      h("p", {}, `Supersedes: ${audit.supersedes.length ? audit.supersedes.map((s) => (s.type ? headline(s) : short(s.id))).join("; ") : "none"}. `
        + `Superseded by: ${audit.superseded_by.length ? audit.superseded_by.map(headline).join("; ") : "none"}.`),
      h("h4", {}, `Consequences (${audit.consequences.length})`),
      audit.consequences.length
        ? h("ul", { class: "links" }, audit.consequences.map((c) => h("li", {},
          h("button", { type: "button", class: "link", onclick: () => openEvent(c.event.id) }, `${c.event.type}: ${headline(c.event)}`),
          c.changed.length ? h("ul", {}, c.changed.map((f) => h("li", {},
            `${nameOf(f.id)} ${words(f.field)} = ${plain(f.value)}`, f.current ? "" : ` (now ${plain(f.now)})`))) : null)))
        : h("p", { class: "muted" }, "No event rests on this decision."));
  }

  // --- Live feed --------------------------------------------------------------------

  const live = $("#live");

  function setLive(text, stateName) {
    live.textContent = text;
    live.dataset.state = stateName;
  }

  function announce(text) {
    $("#announcer").textContent = text;
  }

  function arrived(event) {
    head = Math.max(head, event.position);
    const day = Math.floor((Math.max(startOf(event.occurred_at), startOf(event.reported_at)) - firstDay) / DAY);
    if (day >= config.days) grow(day + 1);
    if (events.has(event.id)) return;
    events.set(event.id, event);
    // What the picture, the decisions and their audits say may have changed.
    [stateFor, decisionsFor, auditFor] = [null, null, null];
    if (timelineFor === null) return; // the first load will show it
    // Drawn with the picture it changes, by one refresh for a burst of events.
    arrivals.push(event);
    scheduleRefresh(100);
  }

  /** The log now reaches a later day: the sliders reach it too (a slider at "now" stays there). */
  function grow(days) {
    for (const slider of [controls.asOf, controls.knownAt]) {
      const atNow = Number(slider.value) >= config.days;
      slider.max = String(days);
      if (atNow) slider.value = String(days);
    }
    config.days = days;
  }

  function follow() {
    if (!window.EventSource) {
      setLive("no live feed in this browser", "off");
      return;
    }
    const feed = new EventSource(`events/stream${query({ after: head })}`);
    const receive = (message) => {
      try {
        arrived(JSON.parse(message.data));
      } catch (error) {
        console.warn("live feed: a message that is not an event", error);
      }
    };
    feed.addEventListener("open", () => setLive("live", "live"));
    feed.addEventListener("appended", receive);
    feed.addEventListener("message", receive);
    feed.addEventListener("error", () => {
      setLive(feed.readyState === EventSource.CLOSED ? "offline: reload to reconnect" : "reconnecting…",
        feed.readyState === EventSource.CLOSED ? "off" : "connecting");
    });
  }

  // --- Wiring -------------------------------------------------------------------------

  const axes = [
    ["as_of", controls.asOf, $("#as-of-shown"), controls.asOfText],
    ["known_at", controls.knownAt, $("#known-at-shown"), controls.knownAtText],
  ];
  for (const [key, slider, output, textField] of axes) {
    showAxis(slider, output, view[key]);
    slider.addEventListener("input", () => {
      setFromSlider(key, slider, output, textField);
      scheduleRefresh();
    });
    slider.addEventListener("change", () => {
      setFromSlider(key, slider, output, textField);
      refreshSoon();
    });
    textField.addEventListener("change", () => setFromText(key, slider, output, textField));
    textField.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        setFromText(key, slider, output, textField);
      }
    });
  }
  controls.recordedBefore.addEventListener("change", () => {
    if (controls.recordedBefore.value.trim() === view.recorded_before) return;
    view.recorded_before = controls.recordedBefore.value.trim();
    syncUrl();
    refreshSoon();
  });
  controls.hideUnknown.addEventListener("change", restyleTimeline);
  controls.recordedBefore.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      controls.recordedBefore.dispatchEvent(new Event("change"));
    }
  });
  $("#horizon").addEventListener("submit", (event) => event.preventDefault());
  $("#earlier").addEventListener("click", loadEarlier);
  // The timeline sticks below the header, whose height depends on the screen.
  const top = $("header.top");
  const measure = () => document.documentElement.style.setProperty("--header-height", `${top.offsetHeight}px`);
  if (window.ResizeObserver) new ResizeObserver(measure).observe(top);
  measure();

  // --- Signing in and out ---------------------------------------------------------
  // The token is sent once, for an HttpOnly session cookie the scripts never see;
  // the cookie then goes with every request, the live stream's too.

  const signIn = $("#sign-in");
  if (signIn) {
    signIn.addEventListener("submit", async (event) => {
      event.preventDefault();
      const failed = $("#sign-in-error");
      const response = await fetch("session", {
        method: "POST", headers: { Authorization: `Bearer ${$("#token").value.trim()}` },
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      failed.textContent = `Not signed in: ${(await problemOf(response)).message}`;
      failed.hidden = false;
    });
  }
  const signOut = $("#sign-out");
  if (signOut) {
    signOut.addEventListener("click", async () => {
      await fetch("session", { method: "DELETE" });
      window.location.reload();
    });
  }

  if (config.readable) {
    refresh().then(follow);
  } else {
    // Reads are closed on this server: say so, and ask for a token rather than fail every request.
    setLive("sign in to read the log", "off");
    $("#account").open = true;
    $("#token").focus();
    busy(false);
  }
})();

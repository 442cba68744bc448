// The admin page: asks /stats with the API key (kept in this tab only) and draws the
// figures as tables and SVG charts, each chart with a text alternative.

const SVG = "http://www.w3.org/2000/svg";
const KEY = "audiogen-admin:key";

function svg(name, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child);
  return node;
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)} %`;
}

// In place of a chart when there is nothing to draw: a line that says so.
function nothing(text) {
  const line = document.createElement("p");
  line.className = "empty";
  line.textContent = text;
  return line;
}

function say(text) {
  document.getElementById("status").textContent = text;
}

// Listens per day: one bar a day, the highest labelled.
function dailyChart(days) {
  const width = 640, height = 180, left = 32, bottom = 24;
  const most = Math.max(1, ...days.map((d) => d.plays));
  const step = (width - left) / Math.max(1, days.length);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "daily-caption daily-text" });
  const words = days.map((d) => `${d.day}: ${d.plays}`).join("; ") || "no listens yet";
  chart.append(svg("desc", { id: "daily-text" }, `Listens per day. ${words}.`));
  chart.append(svg("line", { class: "grid", x1: left, x2: width, y1: height - bottom, y2: height - bottom }));
  chart.append(svg("text", { x: 0, y: 12 }, String(most)));
  days.forEach((d, i) => {
    const h = ((height - bottom - 16) * d.plays) / most;
    chart.append(svg("rect", { class: "bar", x: left + i * step + 1, y: height - bottom - h, width: Math.max(1, step - 2), height: h }));
  });
  if (days.length) {
    chart.append(svg("text", { x: left, y: height - 6 }, days[0].day));
    chart.append(svg("text", { x: width, y: height - 6, "text-anchor": "end" }, days[days.length - 1].day));
  }
  return chart;
}

// The completion (drop-off) curve: 100 % at the start, then the share that reached each mark.
function curveChart(completion) {
  const width = 640, height = 200, left = 40, bottom = 24, top = 10;
  // the tenths where the player sent them (the drop-off curve), else the quarters
  const tenths = ["10", "20", "30", "40", "60", "70", "80", "90"].some((mark) => completion[mark]);
  const marks = tenths ? ["10", "20", "30", "40", "50", "60", "70", "80", "90", "100"] : ["25", "50", "75", "100"];
  const points = [["0", 1], ...marks.map((mark) => [mark, completion[mark] ?? 0])];
  const x = (i) => left + (i * (width - left - 20)) / (points.length - 1);
  const y = (share) => top + (1 - Math.min(1, share)) * (height - bottom - top);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "curve-caption curve-text" });
  const words = points.slice(1).map(([mark, share]) => `${mark} %: ${percent(share)}`).join("; ");
  chart.append(svg("desc", { id: "curve-text" }, `Completion. ${words}.`));
  for (const share of [0, 0.5, 1]) {
    chart.append(svg("line", { class: "grid", x1: left, x2: width - 20, y1: y(share), y2: y(share) }));
    chart.append(svg("text", { x: 0, y: y(share) + 4 }, percent(share)));
  }
  chart.append(svg("polyline", { class: "line", points: points.map(([, share], i) => `${x(i)},${y(share)}`).join(" ") }));
  points.forEach(([mark, share], i) => {
    chart.append(svg("circle", { class: "dot", cx: x(i), cy: y(share), r: 4 }));
    chart.append(svg("text", { x: x(i), y: height - 6, "text-anchor": "middle" }, `${mark} %`));
  });
  return chart;
}

function totals(figures) {
  const list = document.getElementById("totals");
  list.replaceChildren();
  const rows = [
    ["Player shown", String(figures.loads)],
    ["Listens", String(figures.plays)],
    ["Plays per load", percent(figures.plays_per_load)],
    ["Average heard", percent(figures.average_heard)],
    ["Heard to the end", percent(figures.completion["100"])],
    ["Heard half", percent(figures.completion["50"])],
    ["Average speed", figures.average_speed ? `${figures.average_speed}×` : "–"],
  ];
  for (const [term, value] of rows) {
    const item = document.createElement("div");
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    item.append(dt, dd);
    list.append(item);
  }
}

function table(episodes) {
  const body = document.querySelector("#episodes tbody");
  body.replaceChildren();
  if (!episodes.length) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 10;
    cell.textContent = "No episode has been heard yet.";
    row.append(cell);
    body.append(row);
  }
  for (const e of episodes) {
    const row = document.createElement("tr");
    const cells = [
      e.title || e.episode,
      String(e.loads),
      String(e.plays),
      percent(e.plays_per_load),
      ...["25", "50", "75", "100"].map((m) => percent(e.completion[m])),
      percent(e.average_heard),
      e.average_speed ? `${e.average_speed}×` : "–",
    ];
    cells.forEach((text, i) => {
      const cell = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) cell.scope = "row";
      else cell.className = "n";
      cell.textContent = text;
      row.append(cell);
    });
    body.append(row);
  }
}

async function campaigns(key) {
  const response = await fetch("campaigns", { headers: { Authorization: `Bearer ${key}` } });
  const section = document.getElementById("sponsors");
  if (!response.ok) return;
  const found = (await response.json()).campaigns || [];
  section.hidden = found.length === 0;
  const body = section.querySelector("tbody");
  body.replaceChildren(...found.map((c) => {
    const f = c.figures;
    const row = document.createElement("tr");
    const cells = [
      `${c.name}${c.running ? "" : " (ended)"}${c.vast ? " · VAST" : ""}`,
      c.placement,
      `${c.starts} to ${c.ends === "9999-12-31" ? "open" : c.ends}`,
      String(f.impressions), String(f.q25), String(f.q50), String(f.q75), String(f.completes),
      String(f.skips), String(f.errors), percent(f.completion),
    ];
    cells.forEach((text, i) => {
      const cell = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) cell.scope = "row";
      else if (i > 2) cell.className = "n";
      cell.textContent = text;
      row.append(cell);
    });
    return row;
  }));
}

async function show(key, days) {
  say("Loading…");
  const response = await fetch(`stats?days=${encodeURIComponent(days)}`, { headers: { Authorization: `Bearer ${key}` } });
  if (response.status === 401) {
    sessionStorage.removeItem(KEY);
    say("That key was not accepted.");
    return;
  }
  if (!response.ok) {
    say(`The figures could not be loaded (HTTP ${response.status}).`);
    return;
  }
  const figures = await response.json();
  totals(figures.totals);
  const shared = document.getElementById("shared");
  const found = figures.shared_feeds || [];
  shared.hidden = found.length === 0;
  shared.querySelector("ul").replaceChildren(...found.map((f) => {
    const item = document.createElement("li");
    item.textContent = `${f.subscriber}: ${f.places} places on ${f.day} (${f.fetches} fetches)`;
    return item;
  }));
  // With no listens there is no curve to draw (no 100 % at the start) and no scale.
  const heard = figures.totals.plays > 0;
  const none = `No listens yet in the last ${figures.days} days.`;
  document.getElementById("daily-chart").replaceChildren(heard ? dailyChart(figures.totals.days) : nothing(none));
  document.getElementById("curve-chart").replaceChildren(
    heard ? curveChart(figures.totals.completion) : nothing("No completion figures until an episode is heard."),
  );
  table(figures.episodes);
  await campaigns(key).catch(() => {});
  document.getElementById("figures").hidden = false;
  say(`Figures of the last ${figures.days} days, since ${figures.since}.`);
}

const form = document.getElementById("login");
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = form.key.value.trim();
  sessionStorage.setItem(KEY, key);
  show(key, form.days.value).catch(() => say("The figures could not be loaded."));
});
const stored = sessionStorage.getItem(KEY);
if (stored) {
  form.key.value = stored;
  show(stored, form.days.value).catch(() => say("The figures could not be loaded."));
}

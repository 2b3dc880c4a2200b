// The layout check: run in the page (Selenium execute_script), returns what a person would see
// wrong on a shared 1280x720 screen. arguments[0] = language, arguments[1] = allowed words.
const lang = arguments[0];
const allowed = new Set((arguments[1] || []).map((w) => w.toLowerCase()));
const problems = [];
const boxes = [];

function visible(el) {
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.display === "none" || s.visibility === "hidden" || parseFloat(s.opacity) === 0) {
      return false;
    }
  }
  return true;
}

function where(el) {
  const card = el.closest(".graph-card, .kpi-card, .table-card, .page-head, header, nav");
  const id = el.closest("[id]");
  const title = card && card.querySelector(".card-title, h1, h2, h3");
  return (title ? title.textContent.trim().slice(0, 50) : "") + (id ? " #" + id.id : "");
}

// The box an element's content can show in: its ancestors with clipped overflow, intersected.
const clips = new Map();
function clipOf(el) {
  if (!el || el.nodeType !== 1) return { left: -1e9, right: 1e9, top: -1e9, bottom: 1e9 };
  if (clips.has(el)) return clips.get(el);
  const parent = clipOf(el.parentElement);
  let box = parent;
  const s = getComputedStyle(el);
  if (s.overflowX !== "visible" || s.overflowY !== "visible") {
    const r = el.getBoundingClientRect();
    box = {
      left: Math.max(parent.left, r.left),
      right: Math.min(parent.right, r.right),
      top: Math.max(parent.top, r.top),
      bottom: Math.min(parent.bottom, r.bottom),
    };
  }
  clips.set(el, box);
  return box;
}

// Text of the page: DOM text nodes (per line box) and Plotly's SVG text.
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const text = node.textContent.trim();
  const el = node.parentElement;
  // Screen-reader-only text (AG Grid's live region, Bootstrap's visually-hidden) is not seen.
  const hidden = "svg, script, style, noscript, option, .visually-hidden, .ag-aria-description-container";
  if (!text || !el || el.closest(hidden)) {
    continue;
  }
  if (!visible(el)) continue;
  const clip = clipOf(el);
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const raw of range.getClientRects()) {
    // Only what shows: text clipped by an overflow box (a dropdown's long value) is not seen.
    const left = Math.max(raw.left, clip.left);
    const right = Math.min(raw.right, clip.right);
    const top = Math.max(raw.top, clip.top);
    const bottom = Math.min(raw.bottom, clip.bottom);
    if (right - left < 1 || bottom - top < 1) continue;
    boxes.push({ x: left, y: top + window.scrollY, w: right - left, h: bottom - top, t: text, el });
  }
}
document.querySelectorAll(".js-plotly-plot svg text").forEach((el) => {
  const text = el.textContent.trim();
  if (!text || !visible(el)) return;
  const r = el.getBoundingClientRect();
  const clip = clipOf(el.closest(".js-plotly-plot"));
  const left = Math.max(r.left, clip.left);
  const right = Math.min(r.right, clip.right);
  const top = Math.max(r.top, clip.top);
  const bottom = Math.min(r.bottom, clip.bottom);
  if (right - left < 1 || bottom - top < 1) return;
  boxes.push({ x: left, y: top + window.scrollY, w: right - left, h: bottom - top, t: text, el, svg: true });
});

// 1. Overlapping text: two boxes sharing more than a sliver (sweep by y).
boxes.sort((a, b) => a.y - b.y);
const seen = new Set();
for (let i = 0; i < boxes.length; i++) {
  const a = boxes[i];
  for (let j = i + 1; j < boxes.length && boxes[j].y < a.y + a.h; j++) {
    const b = boxes[j];
    if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) continue;
    const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
    const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    if (w <= 2 || h <= 2) continue;
    const small = Math.min(a.w * a.h, b.w * b.h);
    if (w * h < 0.15 * small) continue;
    const key = a.t + "|" + b.t;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(`overlap: "${a.t.slice(0, 40)}" and "${b.t.slice(0, 40)}" (${where(a.el)})`);
  }
}

// 2. Text cut by an ellipsis or hidden overflow (cells, headers, titles, KPI labels).
const cut = document.querySelectorAll(
  "td, th, h1, h2, h3, h4, .card-title, .card-subtitle, .kpi-label, .kpi-value, .kpi-context," +
    " .ag-cell, .ag-cell-value, .ag-header-cell-text, .nav-link, label"
);
cut.forEach((el) => {
  if (!visible(el) || !el.textContent.trim()) return;
  const s = getComputedStyle(el);
  const clips = s.textOverflow === "ellipsis" || ["hidden", "clip"].includes(s.overflowX);
  if (clips && el.scrollWidth > el.clientWidth + 1) {
    problems.push(`cut: "${el.textContent.trim().slice(0, 50)}" (${where(el)})`);
  }
});
document.querySelectorAll("input:not([type]), input[type=text]").forEach((el) => {
  if (visible(el) && el.value && el.scrollWidth > el.clientWidth + 1) {
    problems.push(`cut: input "${el.value.slice(0, 40)}" (${where(el)})`);
  }
});
document.querySelectorAll(".table-scroll, .ag-center-cols-viewport").forEach((el) => {
  if (visible(el) && el.scrollWidth > el.clientWidth + 2) {
    problems.push(`wider than its card: ${where(el)} (${el.scrollWidth} > ${el.clientWidth} px)`);
  }
});

// 3. A horizontal scrollbar on the page.
if (document.documentElement.scrollWidth > window.innerWidth + 1) {
  problems.push(
    `horizontal scrollbar: page ${document.documentElement.scrollWidth} px > ${window.innerWidth} px`
  );
}

// 4. English left in Chinese mode (codes, units and data values are allowed).
if (lang === "zh") {
  const words = new Map();
  for (const b of boxes) {
    for (const m of b.t.matchAll(/[A-Za-z][A-Za-z'’]{2,}/g)) {
      const w = m[0];
      if (allowed.has(w.toLowerCase())) continue;
      if (!words.has(w)) words.set(w, b.t.slice(0, 40) + " — " + where(b.el));
    }
  }
  for (const [w, context] of words) problems.push(`english: "${w}" in "${context}"`);
}

// 5. A chart drawn with no data, without an empty-state message.
document.querySelectorAll(".js-plotly-plot").forEach((gd) => {
  if (!visible(gd)) return;
  const points = (gd.data || []).reduce((n, tr) => {
    const xs = tr.x || tr.values || tr.z || tr.y || [];
    return n + (xs.length || 0);
  }, 0);
  if (!points) problems.push(`empty chart without a message: ${where(gd)}`);
});

// 6. Marks that draw nothing: a chart with data but no visible mark (a category range against
// numeric data), bars or legend swatches with no visible fill (a hatch on a transparent ground).
function colourOf(value) {
  // [r, g, b, alpha] of a computed colour ("rgb(...)", "rgba(...)", "none").
  const m = /rgba?\(([^)]+)\)/.exec(value || "");
  if (!m) return null;
  const parts = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}
function paints(value, opacity) {
  // Whether a fill or stroke shows on white: a colour with some alpha that is not white.
  const c = colourOf(value);
  if (!c || c[3] * opacity < 0.05) return false;
  return !(c[0] > 245 && c[1] > 245 && c[2] > 245);
}
function patternPaints(url, opacity) {
  const id = /url\(["']?#([^"')]+)["']?\)/.exec(url || "");
  const pattern = id && document.getElementById(id[1]);
  if (!pattern) return false;
  for (const el of pattern.querySelectorAll("rect, path, circle")) {
    const s = getComputedStyle(el);
    const fill = el.getAttribute("fill") ? s.fill : s.fill;
    if (paints(fill, opacity * parseFloat(s.fillOpacity || 1))) return true;
    if (parseFloat(s.strokeWidth) > 0 && paints(s.stroke, opacity * parseFloat(s.strokeOpacity || 1))) return true;
  }
  return false;
}
function markShows(el) {
  const r = el.getBoundingClientRect();
  if (r.width < 0.5 && r.height < 0.5) return false;
  const s = getComputedStyle(el);
  const opacity = parseFloat(s.opacity || 1) * parseFloat(s.fillOpacity || 1);
  if (/^url\(/.test(s.fill) && patternPaints(s.fill, opacity)) return true;
  if (paints(s.fill, opacity)) return true;
  const stroke = parseFloat(s.strokeWidth || 0) > 0 && paints(s.stroke, parseFloat(s.strokeOpacity || 1));
  return stroke;
}
document.querySelectorAll(".js-plotly-plot").forEach((gd) => {
  if (!visible(gd)) return;
  const marks = gd.querySelectorAll(
    ".barlayer .point > path, .scatterlayer path.point, .scatterlayer .js-line," +
      " .scatterlayer .js-fill, .heatmaplayer image, .boxlayer path, .textpoint text"
  );
  let shown = 0;
  marks.forEach((m) => {
    if (m.tagName === "image" || m.tagName === "text" || markShows(m)) shown += 1;
  });
  const hasData = (gd.data || []).some((tr) => ((tr.x || tr.y || tr.z || []).length || 0) > 0);
  if (hasData && !shown) problems.push(`chart with no visible mark: ${where(gd)}`);
  gd.querySelectorAll(".barlayer .point path").forEach((bar) => {
    const r = bar.getBoundingClientRect();
    if (r.width >= 1 && r.height >= 1 && !markShows(bar)) {
      problems.push(`bar with no visible fill: ${where(gd)}`);
    }
  });
  gd.querySelectorAll(".legend .traces").forEach((item) => {
    const swatches = item.querySelectorAll(".legendpoints path, .legendlines path, .legendfill path, .legendbox path");
    if (!swatches.length) return;
    if (![...swatches].some(markShows)) {
      const name = (item.querySelector("text") || {}).textContent || "?";
      problems.push(`legend swatch with no fill: "${name}" (${where(gd)})`);
    }
  });
});

// 7. The header: at most ~15% of a 720 px screen (108 px), whatever the trial.
const header = document.querySelector(".shell-header");
if (header && visible(header)) {
  const h = header.getBoundingClientRect().height;
  if (h > 108.5) problems.push(`header ${Math.round(h)} px tall (> 108 px, 15% of 720)`);
}

// 8. The main thread: no task blocked it for more than 2 s while the page loaded (a long-task
// observer installed before the page's own scripts; see test_layout_browser.LONG_TASKS).
const longest = Math.max(0, ...((window.__longTasks || []).map((t) => t.duration)));
if (longest > 2000) problems.push(`main thread blocked ${Math.round(longest)} ms by one task`);

return { boxes: boxes.length, problems, longest };

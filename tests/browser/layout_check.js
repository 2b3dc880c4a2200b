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
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width < 1 || r.height < 1) continue;
    boxes.push({ x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height, t: text, el });
  }
}
document.querySelectorAll(".js-plotly-plot svg text").forEach((el) => {
  const text = el.textContent.trim();
  if (!text || !visible(el)) return;
  const r = el.getBoundingClientRect();
  if (r.width < 1 || r.height < 1) return;
  boxes.push({ x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height, t: text, el, svg: true });
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

return { boxes: boxes.length, problems };

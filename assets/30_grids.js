// Grids wait in a slot until they are needed (dashboard/components/grid.py lazy()): when a
// slot comes within a screen of the viewport, or the user reaches for its tools (search,
// toggles, export), the AG Grid bundle is loaded (once; app.TrialDash keeps it out of the
// page's scripts) and the slot's hidden button is clicked: a clientside callback then puts the
// grid in the slot. A page whose grids stay below the fold draws its charts without them.
// window.grids.openAll() mounts every grid (the layout check), window.grids.ready() says
// whether every grid in view has its rows (the benchmarks' "settled").
(function () {
  // CSV exports of tables held in the browser: a text cell a spreadsheet would run as a formula
  // (=, +, -, @, tab, carriage return first) gets a leading apostrophe, as the server's exports.
  window.dashAgGridFunctions = window.dashAgGridFunctions || {};
  window.dashAgGridFunctions.spreadsheetSafe = function (params) {
    const v = params.value;
    return typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? "'" + v : v;
  };
  let loading = null;
  function loadBundle() {
    if (window.dash_ag_grid) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        const s = document.createElement("script");
        s.src = window.__agGridSrc;
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return loading;
  }
  function open(slot) {
    if (!slot || slot.dataset.opened) return;
    slot.dataset.opened = "1";
    loadBundle().then(function () {
      const button = slot.parentElement.querySelector(".grid-open");
      if (button) button.click();
    });
  }
  const watcher =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          function (entries) {
            entries.forEach(function (e) {
              if (e.isIntersecting) {
                watcher.unobserve(e.target);
                open(e.target);
              }
            });
          },
          { rootMargin: "100% 0px" }
        )
      : null;
  function scan() {
    document.querySelectorAll(".grid-slot:not([data-watched])").forEach(function (slot) {
      slot.dataset.watched = "1";
      if (watcher) watcher.observe(slot);
      else open(slot);
    });
  }
  function reach(event) {
    const wrap = event.target && event.target.closest && event.target.closest(".listing-wrap");
    if (wrap) open(wrap.querySelector(".grid-slot"));
  }
  document.addEventListener("focusin", reach);
  document.addEventListener("pointerdown", reach);
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  scan();

  // A listing's CSV link, when clicked, carries the page's view (centers, arms, date) and the
  // grid's filter and sort; the server applies the user's rights to it all over again.
  document.addEventListener(
    "click",
    function (event) {
      const a = event.target && event.target.closest && event.target.closest("a.listing-export");
      if (!a) return;
      let filter = {};
      let sort = [];
      try {
        const id = { name: a.dataset.listing, type: "listing-grid" };
        const api = window.dash_ag_grid && window.dash_ag_grid.getApi(id);
        if (api) {
          filter = api.getFilterModel() || {};
          sort = api
            .getColumnState()
            .filter(function (c) { return c.sort; })
            .sort(function (x, y) { return (x.sortIndex || 0) - (y.sortIndex || 0); })
            .map(function (c) { return { colId: c.colId, sort: c.sort }; });
        }
      } catch (e) {
        // not mounted yet: the whole listing of the view
      }
      const params = new URLSearchParams(window.location.search.replace(/^\?/, ""));
      params.set("filter", JSON.stringify(filter));
      params.set("sort", JSON.stringify(sort));
      a.href = a.getAttribute("href").split("?")[0] + "?" + params.toString();
    },
    true
  );

  function inView(el) {
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight && r.width > 0;
  }
  window.grids = {
    openAll: function () {
      document.querySelectorAll(".grid-slot").forEach(open);
    },
    // Every slot in view has its grid with rows (or its "no rows" overlay).
    ready: function () {
      return Array.from(document.querySelectorAll(".grid-slot")).every(function (slot) {
        if (!inView(slot)) return true;
        return !!slot.querySelector(".ag-row, .ag-overlay-no-rows-center");
      });
    },
  };
})();

// Grids wait in a slot until they are needed (dashboard/components/grid.py lazy()): when a
// slot comes within a screen of the viewport, or the user reaches for its tools (search,
// toggles, export), the AG Grid bundle is loaded (once; app.TrialDash keeps it out of the
// page's scripts) and the slot's hidden button is clicked: a clientside callback then puts the
// grid in the slot. A page whose grids stay below the fold draws its charts without them.
// window.grids.openAll() mounts every grid (the layout check), window.grids.ready() says
// whether every grid in view has its rows (the benchmarks' "settled").
(function () {
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

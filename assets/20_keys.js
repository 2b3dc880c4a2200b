// Presentation mode: one panel per screen, paged with the keyboard.
//
// A page's panels are its overview (title, headline numbers, notes) and then each chart or
// table card, in reading order, each shown alone at full width. Right arrow, Page Down or
// Space shows the rest of a panel taller than the screen, then the next panel, then the next
// page; Left arrow or Page Up goes back the same way. The header shows "panel k / n".
// window.presentation.{count, show, index, pages} lets the layout check visit every panel.
(function () {
  const CARD = ".graph-card, .privacy-note";
  let index = 0;
  let enterAtEnd = false;

  function present() {
    return document.body.classList.contains("present");
  }
  function root() {
    const page = document.getElementById("shell-page");
    return page ? page.firstElementChild : null;
  }
  function cards(r) {
    return Array.from(r.querySelectorAll(CARD)).filter(
      (el) => !el.parentElement.closest(CARD)
    );
  }
  function panels() {
    const r = root();
    if (!r) return [];
    const list = cards(r);
    const overview = Array.from(r.children).filter(
      (el) => !el.matches(CARD) && !el.querySelector(CARD)
    );
    return overview.length ? [overview, ...list.map((c) => [c])] : list.map((c) => [c]);
  }
  function hideAllBut(parent, keep) {
    for (const child of parent.children) {
      if (keep.includes(child)) continue;
      if (keep.some((k) => child.contains(k))) {
        hideAllBut(child, keep);
      } else {
        child.classList.add("present-off");
      }
    }
  }
  function indicator(n) {
    const pos = document.getElementById("shell-panel-pos");
    if (pos) pos.textContent = n ? index + 1 + " / " + n : "";
  }
  function show(i) {
    const r = root();
    if (!r) return 0;
    r.querySelectorAll(".present-off").forEach((el) => el.classList.remove("present-off"));
    r.querySelectorAll(".present-current").forEach((el) =>
      el.classList.remove("present-current")
    );
    if (!present()) {
      indicator(0);
      return 0;
    }
    const list = panels();
    if (!list.length) return 0;
    index = Math.max(0, Math.min(i, list.length - 1));
    const keep = list[index];
    hideAllBut(r, keep);
    keep.forEach((el) => {
      el.classList.add("present-current");
      el.scrollTop = 0;
    });
    indicator(list.length);
    window.scrollTo(0, 0);
    // Charts drawn while hidden take their size now.
    window.dispatchEvent(new Event("resize"));
    return list.length;
  }
  // The part of the current panel below the screen, if any: scroll by one screen.
  function pageWithin(step) {
    const list = panels();
    const keep = list[index] || [];
    const box = keep.length === 1 ? keep[0] : document.scrollingElement;
    const visible = box === document.scrollingElement ? window.innerHeight : box.clientHeight;
    const room = box.scrollHeight - box.scrollTop - visible;
    if (step > 0 && room > 4) {
      box.scrollTop += Math.max(visible - 60, 40);
      return true;
    }
    if (step < 0 && box.scrollTop > 4) {
      box.scrollTop -= Math.max(visible - 60, 40);
      return true;
    }
    return false;
  }
  function go(step) {
    if (pageWithin(step)) return;
    const n = panels().length;
    const next = index + step;
    if (next >= 0 && next < n) {
      show(next);
      return;
    }
    const links = Array.from(document.querySelectorAll(".page-nav a.nav-item"));
    if (!links.length) return;
    const current = links.findIndex((a) => a.classList.contains("active"));
    enterAtEnd = step < 0;
    links[(current + step + links.length) % links.length].click();
  }

  document.addEventListener("keydown", function (event) {
    if (!present()) return;
    const forward = ["ArrowRight", "PageDown", " "].includes(event.key);
    const back = ["ArrowLeft", "PageUp"].includes(event.key);
    if (!forward && !back) return;
    // Typing into a text field keeps its keys; a switch, checkbox or button does not need them
    // (turning presentation mode on with the header switch leaves the focus on that switch).
    const target = event.target || {};
    const tag = target.tagName || "";
    const type = (target.type || "").toLowerCase();
    const typing =
      tag === "TEXTAREA" ||
      tag === "SELECT" ||
      (tag === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(type)) ||
      target.isContentEditable;
    if (typing) return;
    event.preventDefault();
    go(forward ? 1 : -1);
  });

  // A new page (or presentation mode switched on or off): its first panel, or its last when
  // we came back from the next page.
  let pending = null;
  function refresh() {
    if (pending) return;
    pending = window.setTimeout(function () {
      pending = null;
      const n = panels().length;
      show(enterAtEnd ? n - 1 : 0);
      enterAtEnd = false;
    }, 30);
  }
  function watch() {
    const page = document.getElementById("shell-page");
    if (!page) {
      window.setTimeout(watch, 100);
      return;
    }
    new MutationObserver(refresh).observe(page, { childList: true });
    new MutationObserver(refresh).observe(document.body, {
      attributes: true,
      attributeFilter: ["class"],
    });
    refresh();
  }
  watch();

  window.presentation = {
    count: function () {
      return panels().length;
    },
    show: show,
    index: function () {
      return index;
    },
    // How many screens the current panel takes (its height over what one screen shows).
    screens: function () {
      const keep = panels()[index] || [];
      const box = keep.length === 1 ? keep[0] : document.scrollingElement;
      const visible = box === document.scrollingElement ? window.innerHeight : box.clientHeight;
      return Math.max(1, Math.ceil((box.scrollHeight - 4) / Math.max(visible - 60, 40)));
    },
    // The next screen of the current panel (false when it has none).
    down: function () {
      return pageWithin(1);
    },
  };
})();

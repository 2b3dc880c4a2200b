// The "?" beside a number: its definition (the hidden span after the button) shown as a
// popover below it. A second click on the button, a click elsewhere or Escape closes it.
// Plain DOM on purpose: delegated from the document, so buttons drawn, redrawn or re-mounted
// by React at any time all work, any number of times (dashboard/components/common.py).
(function () {
  let open = null; // {button, box}

  function close() {
    if (!open) return;
    open.box.remove();
    open.button.setAttribute("aria-expanded", "false");
    open = null;
  }
  function show(button) {
    const text = document.getElementById(button.id + "-text");
    if (!text) return;
    const box = document.createElement("div");
    box.className = "popover bs-popover-bottom show help-pop";
    box.setAttribute("role", "tooltip");
    const body = document.createElement("div");
    body.className = "popover-body";
    body.textContent = text.textContent;
    box.appendChild(body);
    document.body.appendChild(box);
    const r = button.getBoundingClientRect();
    const width = box.offsetWidth;
    const page = document.documentElement.clientWidth;
    const left = Math.min(Math.max(8, r.left + r.width / 2 - width / 2), page - width - 8);
    box.style.position = "absolute";
    box.style.top = r.bottom + window.scrollY + 6 + "px";
    box.style.left = left + window.scrollX + "px";
    button.setAttribute("aria-expanded", "true");
    open = { button: button, box: box };
  }
  document.addEventListener("click", function (event) {
    const target = event.target;
    const button = target && target.closest ? target.closest(".help-btn") : null;
    if (open && open.box.contains(target)) return; // reading, selecting the text
    const same = open && button === open.button;
    close();
    if (button && !same) show(button);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  // A page drawn again (the router) takes its buttons with it: no popover left behind.
  new MutationObserver(function () {
    if (open && !document.body.contains(open.button)) close();
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

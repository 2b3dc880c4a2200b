// Presentation mode: the left and right arrow keys move between pages (keeping the filters).
document.addEventListener("keydown", function (event) {
  if (!document.body.classList.contains("present")) { return; }
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") { return; }
  // Typing into a text field keeps its arrows; a switch, checkbox or button does not need them
  // (turning presentation mode on with the header switch leaves the focus on that switch).
  const target = event.target || {};
  const tag = target.tagName || "";
  const type = (target.type || "").toLowerCase();
  const typing = tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" &&
    !["checkbox", "radio", "button", "submit"].includes(type)) || target.isContentEditable;
  if (typing) { return; }
  const links = Array.from(document.querySelectorAll(".page-nav a.nav-item"));
  if (!links.length) { return; }
  const current = links.findIndex(function (a) { return a.classList.contains("active"); });
  const step = event.key === "ArrowRight" ? 1 : -1;
  const next = links[(current + step + links.length) % links.length];
  event.preventDefault();
  next.click();
});

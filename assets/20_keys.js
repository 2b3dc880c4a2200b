// Presentation mode: the left and right arrow keys move between pages (keeping the filters).
document.addEventListener("keydown", function (event) {
  if (!document.body.classList.contains("present")) { return; }
  if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") { return; }
  const tag = (event.target && event.target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) { return; }
  const links = Array.from(document.querySelectorAll(".page-nav a.nav-item"));
  if (!links.length) { return; }
  const current = links.findIndex(function (a) { return a.classList.contains("active"); });
  const step = event.key === "ArrowRight" ? 1 : -1;
  const next = links[(current + step + links.length) % links.length];
  event.preventDefault();
  next.click();
});

/* digest serve: reload this page when a new build is ready; show build problems over it.
   Served only by `digest serve`, from the same origin as the page. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = script.src.replace(/livereload\.js(\?.*)?$/, "");
  var shownBuild = Number(script.getAttribute("data-build") || "0");
  var overlay = null;
  var retry = 250;

  function addStylesheet() {
    if (document.getElementById("digest-overlay-css")) { return; }
    var link = document.createElement("link");
    link.id = "digest-overlay-css";
    link.rel = "stylesheet";
    link.href = base + "overlay.css";
    document.head.appendChild(link);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function showProblems(status) {
    addStylesheet();
    if (!overlay) {
      overlay = el("div", "digest-overlay");
      overlay.id = "digest-overlay";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
    }
    overlay.textContent = "";
    var box = el("div", "digest-overlay-box");
    var errors = status.problems.filter(function (p) { return p.severity === "error"; });
    box.appendChild(el("h2", "digest-overlay-title",
      "This save did not build: " + errors.length + " problem" + (errors.length === 1 ? "" : "s")));
    box.appendChild(el("p", "digest-overlay-note",
      "The page shows the last good build. Fix the file and save; this page reloads by itself."));
    errors.forEach(function (p) {
      var item = el("div", "digest-problem");
      item.appendChild(el("p", "digest-problem-location", p.location));
      item.appendChild(el("p", "digest-problem-text", p.text));
      if (p.source_line && p.line) {
        var src = p.source_line.replace(/\t/g, " ");
        if (p.col) { src += "\n" + new Array(p.col).join(" ") + "^"; }
        item.appendChild(el("pre", "digest-problem-source", src));
      }
      box.appendChild(item);
    });
    overlay.appendChild(box);
  }

  function clearOverlay() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function handle(status) {
    if (!status.ok) { showProblems(status); return false; }
    if (status.build && status.build !== shownBuild) { window.location.reload(); return true; }
    clearOverlay();
    return false;
  }

  function poll(since) {
    var shown = "&page=" + encodeURIComponent(window.location.pathname);
    fetch(base + "events?since=" + since + shown, { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (status) {
        retry = 250;
        if (!handle(status)) { poll(status.version); }
      })
      .catch(function () {
        window.setTimeout(function () { poll(-1); }, retry);
        retry = Math.min(retry * 2, 5000);
      });
  }

  addStylesheet();  // ready before it is needed, so the overlay never shows unstyled
  poll(-1);
})();

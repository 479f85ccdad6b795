/* digest serve: show each new build in this page; show build problems over it.
   Served only by `digest serve`, from the same origin as the page.

   A new build of this page is fetched and patched into the open document: its
   title and the body's children (those the save did not change stay as they
   are, with their focus and state), keeping the scroll position. Then this
   script marks the moment (window.__digestPatchedAt) and sends a
   "digest:patched" event to the document; a page script that enhances elements
   re-runs on it and lists its URL in window.digestPatchAware. The page reloads
   in full instead when a patch would not be faithful: the build ran every stage
   (templates, settings or assets changed), the page's language, stylesheets or
   scripts changed, it runs a script not in digestPatchAware (scripts a patch
   brings in never run), its answer is not a 200 HTML page (a deleted brief's
   404), or anything fails. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var base = script.src.replace(/livereload\.js(\?.*)?$/, "");
  var shownBuild = Number(script.getAttribute("data-build") || "0");
  var overlay = null;
  var retry = 250;
  var each = Array.prototype.forEach;

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
      "The page shows the last good build. Fix the file and save; this page updates by itself."));
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

  // -- patching ---------------------------------------------------------------------------
  function isOurs(node) {
    return node.nodeName === "SCRIPT" && /__digest__\/livereload\.js$/.test(node.getAttribute("src") || "");
  }

  // The page's stylesheets and scripts, ours left out: a patch keeps the current ones.
  function resources(doc) {
    var found = [];
    each.call(doc.querySelectorAll("link, style, script"), function (n) {
      if (n.id === "digest-overlay-css" || isOurs(n)) { return; }
      if (n.nodeName === "LINK" && !/\bstylesheet\b/i.test(n.getAttribute("rel") || "")) { return; }
      found.push(n.nodeName + " " + (n.getAttribute("href") || n.getAttribute("src") || n.textContent) +
        " " + (n.getAttribute("media") || ""));
    });
    return found.join("\n");
  }

  function patchable(doc) {
    var aware = window.digestPatchAware || [];
    var unaware = Array.prototype.some.call(document.scripts, function (s) {
      return s !== script && !isOurs(s) && !(s.src && aware.indexOf(s.src) >= 0);
    });
    return !unaware && doc.body && doc.documentElement.lang === document.documentElement.lang &&
      resources(doc) === resources(document);
  }

  function patch(doc) {
    var body = document.body;
    var x = window.scrollX, y = window.scrollY;
    var active = document.activeElement;
    var focusId = active && active !== body ? active.id : "";
    var old = Array.prototype.filter.call(body.childNodes, function (n) { return n !== script && n !== overlay; });
    var fresh = Array.prototype.filter.call(doc.body.childNodes, function (n) { return !isOurs(n); });
    var anchor = script.parentNode === body ? script : null;
    document.title = doc.title;
    each.call(body.attributes, function (a) {
      if (!doc.body.hasAttribute(a.name)) { body.removeAttribute(a.name); }
    });
    each.call(doc.body.attributes, function (a) { body.setAttribute(a.name, a.value); });
    var i;
    for (i = 0; i < fresh.length; i++) {
      if (old[i] && old[i].isEqualNode(fresh[i])) { continue; }  // unchanged: keeps its focus and state
      var node = document.importNode(fresh[i], true);
      if (old[i]) { body.replaceChild(node, old[i]); } else { body.insertBefore(node, anchor); }
    }
    for (; i < old.length; i++) { body.removeChild(old[i]); }
    if (focusId && document.activeElement !== active) {
      var again = document.getElementById(focusId);
      if (again && again.focus) { again.focus({ preventScroll: true }); }
    }
    window.scrollTo(x, y);
  }

  function update(status, tries) {
    fetch(window.location.href, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) {
        if (r.status !== 200 || r.redirected || !/^text\/html/.test(r.headers.get("Content-Type") || "")) {
          throw new Error("not a page to patch: " + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var tags = Array.prototype.filter.call(doc.scripts, isOurs);
        var build = tags.length ? Number(tags[tags.length - 1].getAttribute("data-build") || "0") : 0;
        if (build < status.build) {  // an older build than announced: ask once more, then reload
          if (tries < 1) { update(status, tries + 1); return; }
          throw new Error("the page is older than build " + status.build);
        }
        if (!patchable(doc)) { throw new Error("not safe to patch"); }
        patch(doc);
        shownBuild = build;
        script.setAttribute("data-build", String(build));
        window.__digestPatchedAt = performance.timeOrigin + performance.now();
        clearOverlay();
        document.dispatchEvent(new CustomEvent("digest:patched", { detail: { build: build } }));
        poll(status.version);  // the server counts this as the page having loaded the new build
      })
      .catch(function () { window.location.reload(); });
  }

  function handle(status) {
    if (!status.ok) { showProblems(status); return false; }
    if (status.build && status.build !== shownBuild) {
      if ((status.full || 0) > shownBuild || status.build < shownBuild || !window.DOMParser) {
        window.location.reload();  // every stage ran (assets too), or a restarted server
      } else {
        update(status, 0);
      }
      return true;
    }
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

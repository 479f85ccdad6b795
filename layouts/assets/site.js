// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  function longDate(d) { return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear(); }

  // "Copy citation": the retrieval date becomes the reader's date at copy time.
  function setupCopy() {
    var buttons = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!target || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent;
        var stamp = target.getAttribute("data-retrieved");
        var today = longDate(new Date());
        if (stamp) { text = text.replace(new RegExp(stamp.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.\\s*$"), today + "."); }
        navigator.clipboard.writeText(text).then(function () {
          if (status) { status.textContent = "Citation copied (retrieved " + today + ")."; }
        }, function () {
          if (status) { status.textContent = "Could not copy; select the text and copy it instead."; }
        });
      });
    });
  }

  // "/" focuses the search box, as on most search-heavy sites.
  function setupSlash() {
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
      var box = document.getElementById("q") || document.getElementById("header-q");
      if (box) { e.preventDefault(); box.focus(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setupCopy(); setupSlash(); });
  } else { setupCopy(); setupSlash(); }
})();

// Accessibility fixes for markup that Material and the Markdown extensions generate in the
// browser or without names; checked by axe-core (make bench, tests/browser).
(function () {
  // A code block that scrolls sideways must take keyboard focus, or keyboard users cannot
  // scroll it (axe: scrollable-region-focusable). Material does this only on devices with
  // a mouse (`(hover)`) and removes the tabindex elsewhere, phones included.
  function focusableWhenScrolling(code) {
    if (code.scrollWidth > code.clientWidth) {
      if (code.getAttribute("tabindex") !== "0") code.setAttribute("tabindex", "0");
    }
  }

  function fix(root) {
    // Material wraps each code block's copy button in a <nav>: several unnamed navigation
    // landmarks per page (axe: landmark-unique). A copy button is not navigation.
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
    // Task list checkboxes (pymdownx.tasklist) have no label: name them after their item.
    root.querySelectorAll(".task-list-item input[type=checkbox]:not([aria-label])")
      .forEach(function (box) {
        var item = box.closest(".task-list-item");
        box.setAttribute("aria-label", item.textContent.trim().slice(0, 100));
      });
    // Notebook code and outputs may scroll sideways too. Measuring which ones overflow
    // would force a layout on every change, so all of them get it.
    root.querySelectorAll(".jupyter-wrapper pre:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
    root.querySelectorAll(".md-typeset pre > code").forEach(focusableWhenScrolling);
  }

  // Material adds markup after load and on every instant navigation, and it sets or drops
  // a code block's tabindex whenever the block's size changes. Changes elsewhere (the search
  // results a reader types into being) are left alone: measuring every code block forces a
  // layout, and a page with many blocks would do it on every keystroke.
  var WATCHED = "pre, nav.md-code__nav, .task-list-item";

  function concernsUs(record) {
    if (record.type === "attributes") return record.target.matches("pre > code");
    for (var i = 0; i < record.addedNodes.length; i++) {
      var node = record.addedNodes[i];
      if (node.nodeType !== 1) continue;
      if (node.matches(WATCHED) || node.closest("pre") || node.querySelector(WATCHED)) {
        return true;
      }
    }
    return false;
  }

  var pending = false;
  new MutationObserver(function (records) {
    if (pending || !records.some(concernsUs)) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; fix(document); });
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["tabindex"],
  });
  fix(document);
})();

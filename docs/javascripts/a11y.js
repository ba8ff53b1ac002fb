// Accessibility fixes (owner: gates) for markup that Material and the Markdown extensions
// generate in the browser or without names; checked by axe-core in tests/browser.
(function () {
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
    // Notebook code and outputs may scroll sideways: make them reachable by keyboard, as
    // Material does for its own code blocks (axe: scrollable-region-focusable). Measuring
    // which ones overflow would force a layout on every change, so all of them get it.
    root.querySelectorAll(".jupyter-wrapper pre:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }
  // Material adds markup after load and again on every instant navigation.
  var pending = false;
  new MutationObserver(function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; fix(document); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();

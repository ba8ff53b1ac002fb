// Accessibility fix (owner: gates). Material wraps each code block's copy button in a
// <nav>, so a page with several code blocks has several unnamed navigation landmarks
// (axe: landmark-unique). A copy button is not navigation: drop the landmark role.
(function () {
  function fix(root) {
    root.querySelectorAll("nav.md-code__nav:not([role])").forEach(function (nav) {
      nav.setAttribute("role", "none");
    });
  }
  // Material adds these navs after load and again on every instant navigation.
  new MutationObserver(function () { fix(document); })
    .observe(document.documentElement, { childList: true, subtree: true });
  fix(document);
})();

// Runs before the first paint, as a file (the content security policy forbids inline
// scripts). index.html holds the calculator prerendered in its default configuration; a
// link (#fragment) or a saved configuration is not that one, so the page is marked and
// the stylesheet hides the prerendered figures (keeping their boxes) until the app shows
// the right ones. The theme follows the system's, as the app's does.
(function () {
  var root = document.documentElement;
  var saved = null;
  try {
    saved = localStorage.getItem('roofline.state.v1');
  } catch (e) {
    // Storage refused: the app starts from the link or the defaults.
  }
  if (location.hash.length > 1 || (saved && saved !== 'v=1')) root.classList.add('linked');
  if (window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches) {
    root.setAttribute('data-theme', 'dark');
  }
})();

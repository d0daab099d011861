// Starts the design system's components; every page works without it.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS) { window.DKFDS.init(); }
});

// Supervisor dashboards. Live refresh is plain htmx polling (hx-trigger="every 5s"); the server answers
// 204 when nothing changed, so htmx swaps nothing. Here we only skip polls while the tab is hidden.
document.addEventListener("htmx:beforeRequest", (event) => {
  const trigger = event.detail.elt.getAttribute("hx-trigger") || "";
  if (document.hidden && trigger.startsWith("every")) event.preventDefault();
});

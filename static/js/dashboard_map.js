/* Dashboard hot-grid map: outlines from GeoJSON on a plain background (no tile server), coloured
   and dashed by compliance band. An enhancement only: the table beside it lists the same grids. */
(function () {
  "use strict";

  var BAND_STYLE = {
    meets: { color: "#1a7f37", dashArray: null },
    below: { color: "#9a6700", dashArray: "6 4" },
    far: { color: "#b3261e", dashArray: "2 4" },
    none: { color: "#57606a", dashArray: "1 6" }
  };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-dashboard-map"));
    if (!source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var grids = L.geoJSON(data, {
      style: function (feature) {
        var band = BAND_STYLE[feature.properties.band] || BAND_STYLE.none;
        return { color: band.color, fillColor: band.color, dashArray: band.dashArray, weight: 2, fillOpacity: 0.35 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup('<a href="' + text(p.url) + '">' + text(p.label) + "</a>");
        layer.bindTooltip(text(p.label));
      }
    }).addTo(map);
    if (data.features.length && grids.getBounds().isValid()) {
      map.fitBounds(grids.getBounds(), { padding: [20, 20], maxZoom: 16 });
    } else {
      map.setView([52.48, -1.89], 10);
    }
  }

  document.querySelectorAll("[data-dashboard-map]").forEach(draw);
})();

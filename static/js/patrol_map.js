/* Hot-grid maps: outlines drawn from GeoJSON on a plain background (no tile server), coloured by
   trial arm. An enhancement only: the table on the same page lists the same grids. */
(function () {
  "use strict";

  var ARM_STYLE = {
    treatment: { color: "#b3261e", fillColor: "#b3261e", dashArray: null },
    control: { color: "#1d3f72", fillColor: "#1d3f72", dashArray: "6 4" },
    none: { color: "#57606a", fillColor: "#57606a", dashArray: "2 4" }
  };

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-map-source"));
    if (!source || !window.L) { return; }
    var data = JSON.parse(source.textContent);
    var map = L.map(element, { attributionControl: false, zoomSnap: 0.25 });
    var layers = [];
    if (data.boundary) {
      layers.push(L.geoJSON(data.boundary, {
        interactive: false,
        style: { color: "#8a94a3", weight: 1.5, fillColor: "#eef1f5", fillOpacity: 0.6 }
      }).addTo(map));
    }
    var grids = L.geoJSON(data.grids, {
      style: function (feature) {
        var arm = ARM_STYLE[feature.properties.arm] || ARM_STYLE.none;
        return { color: arm.color, fillColor: arm.fillColor, dashArray: arm.dashArray, weight: 2, fillOpacity: 0.35 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup(
          '<a href="' + text(p.url) + '"><strong>' + text(p.code) + "</strong></a> " + text(p.name) +
          "<br>NPU " + text(p.area) + " · " + text(p.arm_label)
        );
        layer.bindTooltip(text(p.code) + " (" + text(p.arm_label) + ")");
      }
    }).addTo(map);
    var target = data.grids.features.length ? grids : layers[0];
    if (target && target.getBounds().isValid()) {
      map.fitBounds(target.getBounds(), { padding: [20, 20], maxZoom: 16 });
    } else {
      map.setView([52.48, -1.89], 10);
    }
  }

  document.querySelectorAll("[data-map-source]").forEach(draw);
})();

// Cairn's dashboard script (no framework, nothing fetched from elsewhere). Every page reads fine
// without it; it adds, on each server-drawn chart (svg.chart with data-x0 ...):
//  * a read-out: hovering shows the x and each line's nearest value;
//  * zoom: dragging across a chart reloads the page with ?from=&to= for that x range, which the
//    server re-buckets from the stored points (a double click, or "reset zoom", undoes it).
"use strict";
(function () {
  var SVG = "http://www.w3.org/2000/svg";

  function number(value) {
    if (!isFinite(value)) return String(value);
    var magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(3);
    return String(Math.round(value * 1e4) / 1e4);
  }

  function formatX(value, format) {
    if (format === "wall") return new Date(value).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    if (format === "relative") {
      var seconds = value / 1000;
      if (Math.abs(seconds) < 120) return number(seconds) + " s";
      var minutes = Math.round(seconds / 60);
      return Math.abs(minutes) < 120 ? minutes + " min" : Math.floor(minutes / 60) + " h " + Math.abs(minutes % 60) + " min";
    }
    return "step " + number(value);
  }

  // The points of a path's "M x y L x y ..." data, in SVG user units.
  function points(path) {
    var out = [];
    var re = /[ML]\s*(-?[\d.]+)\s+(-?[\d.]+)/g, match;
    var d = path.getAttribute("d") || "";
    while ((match = re.exec(d))) out.push([parseFloat(match[1]), parseFloat(match[2])]);
    return out;
  }

  function element(name, attributes) {
    var node = document.createElementNS(SVG, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    return node;
  }

  function setup(svg) {
    var d = svg.dataset;
    var x0 = +d.x0, x1 = +d.x1, y0 = +d.y0, y1 = +d.y1, left = +d.left, top = +d.top;
    var width = +d.plotWidth, height = +d.plotHeight, log = d.log === "true", format = d.xFormat;
    if (!(width > 0 && height > 0)) return;
    var toX = function (px) { return x0 + (px - left) / width * (x1 - x0); };
    var toY = function (py) { var v = y0 + (1 - (py - top) / height) * (y1 - y0); return log ? Math.pow(10, v) : v; };
    var lines = Array.prototype.map.call(svg.querySelectorAll("path.series"), function (path) {
      return { name: path.getAttribute("data-series") || "", points: points(path) };
    });
    var readout = element("g", { "class": "readout", visibility: "hidden" });
    var guide = element("line", { y1: top, y2: top + height });
    var box = element("rect", { "class": "label", rx: 3 });
    var text = element("text", {});
    readout.appendChild(guide); readout.appendChild(box); readout.appendChild(text);
    var selection = element("rect", { "class": "selection", y: top, height: height, width: 0, visibility: "hidden" });
    svg.appendChild(selection); svg.appendChild(readout);
    var dragStart = null;

    function local(event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) return null;
      var point = svg.createSVGPoint();
      point.x = event.clientX; point.y = event.clientY;
      var p = point.matrixTransform(matrix.inverse());
      return { x: Math.min(Math.max(p.x, left), left + width), y: p.y, inside: p.x >= left && p.x <= left + width };
    }

    function show(p) {
      while (text.firstChild) text.removeChild(text.firstChild);
      var rows = [formatX(toX(p.x), format)];
      lines.forEach(function (line) {
        var best = null;
        line.points.forEach(function (q) { if (best === null || Math.abs(q[0] - p.x) < Math.abs(best[0] - p.x)) best = q; });
        if (best) rows.push((lines.length > 1 ? line.name + ": " : "") + number(toY(best[1])));
      });
      rows.slice(0, 9).forEach(function (row, i) {
        var span = element("tspan", { x: 0, dy: i === 0 ? "1.1em" : "1.25em" });
        span.textContent = row;
        text.appendChild(span);
      });
      guide.setAttribute("x1", p.x); guide.setAttribute("x2", p.x);
      var labelWidth = 8 + 6.5 * Math.max.apply(null, rows.map(function (r) { return r.length; }));
      var labelX = p.x + 8 + labelWidth > left + width ? p.x - 8 - labelWidth : p.x + 8;
      text.setAttribute("transform", "translate(" + (labelX + 4) + "," + (top + 2) + ")");
      Array.prototype.forEach.call(text.childNodes, function (span) { span.setAttribute("x", 0); });
      box.setAttribute("x", labelX); box.setAttribute("y", top + 2);
      box.setAttribute("width", labelWidth); box.setAttribute("height", 6 + 15 * Math.min(rows.length, 9));
      readout.setAttribute("visibility", "visible");
    }

    function navigate(from, to) {
      var url = new URL(window.location.href);
      if (from === null) { url.searchParams.delete("from"); url.searchParams.delete("to"); }
      else { url.searchParams.set("from", String(from)); url.searchParams.set("to", String(to)); }
      window.location.assign(url.toString());
    }

    svg.addEventListener("mousemove", function (event) {
      var p = local(event);
      if (!p) return;
      if (dragStart !== null) {
        selection.setAttribute("x", Math.min(dragStart, p.x));
        selection.setAttribute("width", Math.abs(p.x - dragStart));
      }
      if (p.inside || dragStart !== null) show(p); else readout.setAttribute("visibility", "hidden");
    });
    svg.addEventListener("mouseleave", function () {
      readout.setAttribute("visibility", "hidden");
      dragStart = null;
      selection.setAttribute("visibility", "hidden");
    });
    svg.addEventListener("mousedown", function (event) {
      var p = local(event);
      if (!p || !p.inside || event.button !== 0) return;
      event.preventDefault();
      dragStart = p.x;
      selection.setAttribute("x", p.x); selection.setAttribute("width", 0);
      selection.setAttribute("visibility", "visible");
    });
    svg.addEventListener("mouseup", function (event) {
      var p = local(event);
      var start = dragStart;
      dragStart = null;
      selection.setAttribute("visibility", "hidden");
      if (start === null || !p || Math.abs(p.x - start) < 5) return;
      var a = toX(Math.min(start, p.x)), b = toX(Math.max(start, p.x));
      navigate(Math.floor(a), Math.ceil(b));
    });
    svg.addEventListener("dblclick", function () { navigate(null, null); });
  }

  function start() { Array.prototype.forEach.call(document.querySelectorAll("svg.chart[data-x0]"), setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

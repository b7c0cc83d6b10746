// Draws the agency panel: the figure is JSON built by the server (chart.py), plotly.js draws it.
(function () {
  var data = document.getElementById("panel-figure");
  var target = document.getElementById("panel-chart");
  if (!data || !target || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, {displaylogo: false, responsive: true})
    .then(function () { target.setAttribute("data-drawn", "true"); });
})();

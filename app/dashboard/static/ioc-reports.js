// The citizen reports panel of the operations-centre page: figures, overdue list and an offline SVG map.
(() => {
  "use strict";
  const ioc = window.ioc;
  const SVG = "http://www.w3.org/2000/svg";
  const SIZE = 400;

  function period() {
    const form = document.querySelector("#filters");
    const params = new URLSearchParams();
    if (form.from.value) params.set("since", form.from.value);
    if (form.to.value) params.set("until", form.to.value);
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  function drawMap(layer) {
    const svg = document.querySelector("#reports-map");
    const [minLon, minLat, maxLon, maxLat] = layer.bbox;
    const x = (lon) => ((lon - minLon) / (maxLon - minLon)) * SIZE;
    const y = (lat) => ((maxLat - lat) / (maxLat - minLat)) * SIZE;
    const outline = document.createElementNS(SVG, "polygon");
    outline.setAttribute("points", layer.outline.map(([lon, lat]) => `${x(lon).toFixed(1)},${y(lat).toFixed(1)}`).join(" "));
    outline.setAttribute("fill", "#16263d");
    outline.setAttribute("stroke", "#3fa9f5");
    const dots = layer.points.map((p) => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", x(p.lon).toFixed(1));
      dot.setAttribute("cy", y(p.lat).toFixed(1));
      dot.setAttribute("r", "3");
      dot.setAttribute("fill", p.open ? "#e5484d" : "#30a46c");
      dot.setAttribute("class", "report-point");
      dot.dataset.category = p.category;
      return dot;
    });
    svg.replaceChildren(outline, ...dots);
  }

  async function panel() {
    const [figures, overdue, layer] = await Promise.all([
      ioc.json(`/reports/figures${period()}`),
      ioc.json("/reports/figures/overdue"),
      ioc.json(`/reports/figures/map${period()}`),
    ]);
    ioc.setFigure("reports.total", figures.total);
    ioc.setFigure("reports.on_time_rate", figures.timeliness.on_time_rate);
    ioc.setFigure("reports.median", figures.resolution_working_days.median);
    ioc.setFigure("reports.p90", figures.resolution_working_days.p90);
    ioc.setFigure("reports.satisfied_rate", figures.satisfaction.satisfied_rate);
    ioc.setFigure("reports.reopen_rate", figures.reopen_rate);
    ioc.setFigure("reports.overdue", overdue.length);
    ioc.draw("chart-reports", "bar", figures.by_category.map((c) => c.name),
      [{ label: "Phản ánh", data: figures.by_category.map((c) => c.count), backgroundColor: "#f5a623" }],
      { indexAxis: "y", plugins: { legend: { display: false } } });
    ioc.fillTable("reports-categories", figures.by_category, (c) => [[c.name, "text"], [c.count]]);
    ioc.fillTable("reports-overdue", overdue.slice(0, 20), (r) => [
      [r.reference, "text"], [r.category, "text"], [r.agency_name, "text"], [r.due_date, "text"],
      [r.working_days_overdue]]);
    drawMap(layer);
  }

  async function download(table) {
    const response = await ioc.call(`/reports/figures/exports/${table}.csv${period()}`);
    if (!response.ok) return;
    const link = Object.assign(document.createElement("a"),
      { href: URL.createObjectURL(await response.blob()), download: `${table}.csv` });
    link.click();
    URL.revokeObjectURL(link.href);
  }

  ioc.panels.push(panel);
  for (const button of document.querySelectorAll("[data-report-export]")) {
    button.addEventListener("click", () => download(button.dataset.reportExport));
  }
})();

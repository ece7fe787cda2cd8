// The service-quality panel of the operations-centre page: the Decision 766 index
// with its points, the stalled and soon-late dossiers, ratings and complaints, from
// /api/v1/quality. It uses ioc.js's helpers (window.ioc) and is loaded by it on
// every refresh; every number keeps the API's value in data-value.
"use strict";

(() => {
  const STATUS = {
    submitted: "Đã nộp", received: "Đã tiếp nhận", in_processing: "Đang xử lý",
    supplement_requested: "Chờ bổ sung", pending_approval: "Chờ phê duyệt", approved: "Đã duyệt",
  };

  function months() {
    const form = document.querySelector("#filters");
    const now = new Date();
    const current = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
    const start = (form.from.value || current).slice(0, 7);
    const end = (form.to.value || current).slice(0, 7);
    return { start, end: end < start ? start : end };
  }

  function scope() {
    const commune = document.querySelector("#filters").commune_code.value;
    return commune ? `&scope=commune&scope_id=${encodeURIComponent(commune)}` : "";
  }

  async function load() {
    const { json, setFigure, fillTable } = window.ioc;
    const { start, end } = months();
    const period = `?from=${start}&to=${end}${scope()}`;
    const bare = scope() ? `?${scope().slice(1)}` : "";
    const [index, warning, stalled, soon, ratings, complaints] = await Promise.all([
      json(`/quality/index${period}`),
      json(`/quality/early-warning${bare}`),
      json(`/quality/stalled${bare}${bare ? "&" : "?"}limit=20`),
      json(`/quality/soon-late${bare}${bare ? "&" : "?"}limit=20`),
      json(`/quality/ratings/summary${period}`),
      json(`/quality/complaints/summary${period}`),
    ]);
    document.querySelector("#quality-period").textContent = start === end ? start : `${start} – ${end}`;
    setFigure("quality.total_points", index.total_points);
    setFigure("quality.max_total_points", index.max_total_points);
    setFigure("quality.projected_on_time", warning.projected_on_time_rate);
    fillTable("quality-index", index.indicators, (i) => [
      [i.group, "text"], [i.name, "text"], [i.value, i.unit === "percent" ? "percent100" : "decimal"],
      [i.points, "decimal"], [i.max_points, "decimal"]]);
    document.querySelector("#quality-not-held").textContent = index.not_held.map((n) => n.name).join("; ");
    fillTable("quality-stalled", stalled.items, (d) => [
      [d.receipt_code, "text"], [STATUS[d.status] || d.status, "text"], [d.working_hours, "decimal"], [d.stall_level]]);
    fillTable("quality-soon-late", soon.items, (d) => [
      [d.receipt_code, "text"], [STATUS[d.status] || d.status, "text"], [d.due_date, "text"]]);
    fillTable("quality-ratings", [ratings], (r) => [
      [r.ratings], [r.verdicts.satisfied], [r.verdicts.neutral], [r.verdicts.dissatisfied], [r.average_score, "decimal"]]);
    fillTable("quality-complaints", [complaints], (c) => [[c.closed], [c.on_time], [c.open], [c.overdue]]);
  }

  window.iocQuality = { load };
})();

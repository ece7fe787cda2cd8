// The operations-centre screen: logs in as a leader through the API, then draws
// the figures and refreshes them every minute. Every number shown is also kept
// raw in a data-value attribute, and every chart keeps the API's numbers as its
// data, so what is drawn can be checked against the API.
"use strict";

(() => {
  const API = "/api/v1";
  const REFRESH_MS = 60_000;
  const store = window.sessionStorage;
  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const number = new Intl.NumberFormat("vi-VN");
  const decimal = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat("vi-VN", { style: "percent", maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat("vi-VN", { notation: "compact", maximumFractionDigits: 1 });

  const STATUS = {
    submitted: "Đã nộp", received: "Đã tiếp nhận", returned: "Trả lại", in_processing: "Đang xử lý",
    supplement_requested: "Chờ bổ sung", pending_approval: "Chờ phê duyệt", approved: "Đã duyệt",
    rejected: "Từ chối", result_issued: "Đã trả kết quả", withdrawn: "Đã rút", cancelled: "Đã hủy",
  };
  const CHANNEL = { online: "Trực tuyến", desk: "Trực tiếp" };
  const CHECK = {
    "missing.ethnicity": "Thiếu dân tộc", "missing.religion": "Thiếu tôn giáo", "missing.full_name": "Thiếu họ tên",
    "missing.hometown": "Thiếu quê quán", "missing.nationality": "Thiếu quốc tịch", "missing.gender": "Thiếu giới tính",
    "missing.permanent_address": "Thiếu nơi thường trú", "missing.current_address": "Thiếu nơi ở hiện tại",
    "inconsistent.personal_id.gender": "Số định danh lệch giới tính",
    "inconsistent.personal_id.year": "Số định danh lệch năm sinh",
    "inconsistent.personal_id.format": "Số định danh sai định dạng",
    "inconsistent.personal_id.province": "Mã tỉnh trong số định danh sai",
    "inconsistent.personal_id.future": "Năm sinh trong số định danh ở tương lai",
    "inconsistent.birth_province": "Nơi đăng ký khai sinh lệch số định danh",
    "inconsistent.death": "Thông tin tử vong mâu thuẫn",
  };
  const GATEWAY_COLORS = ["#3fa9f5", "#30a46c", "#f5a623", "#a36bf5", "#e5484d"];

  const charts = {};
  let communes = null;      // [{code, name}] from the first unfiltered e-ID answer
  let loginToken = null;
  let timer = null;

  // -- tokens and calls -------------------------------------------------------------
  function saveTokens(body) {
    store.setItem("ioc.access", body.access_token);
    if (body.refresh_token) store.setItem("ioc.refresh", body.refresh_token);
  }

  function clearTokens() {
    store.removeItem("ioc.access");
    store.removeItem("ioc.refresh");
  }

  async function post(path, body, headers = {}) {
    const response = await fetch(API + path, {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Accept-Language": "vi", ...headers },
    });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(json.message || response.statusText), { status: response.status });
    return json;
  }

  async function refreshTokens() {
    const refresh = store.getItem("ioc.refresh");
    if (!refresh) return false;
    try {
      saveTokens(await post("/identity/tokens/refresh", { refresh_token: refresh }));
      return true;
    } catch (error) {
      return false;
    }
  }

  async function call(path, { retried = false } = {}) {
    const response = await fetch(API + path, {
      headers: { Authorization: `Bearer ${store.getItem("ioc.access")}`, "Accept-Language": "vi" },
    });
    if (response.status === 401 && !retried && await refreshTokens()) return call(path, { retried: true });
    if (response.status === 401) {
      showLogin("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.");
      throw new Error("unauthorized");
    }
    return response;
  }

  async function json(path) {
    const response = await call(path);
    const body = await response.json();
    if (!response.ok) throw new Error(body.message || response.statusText);
    return body;
  }

  // -- logging in -------------------------------------------------------------------
  function showLogin(message = "") {
    clearInterval(timer);
    clearTokens();
    $("#board").hidden = true;
    $("#filters").hidden = true;
    $("#logout").hidden = true;
    $("#login").hidden = false;
    $("#login-form").hidden = false;
    $("#totp-form").hidden = true;
    $("#login-error").textContent = message;
  }

  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    $("#login-error").textContent = "";
    try {
      const started = await post("/identity/login", {
        login: form.login.value.trim(), password: form.password.value, client_name: "Màn hình điều hành IOC",
      });
      loginToken = started.login_token;
      if (!started.second_factors.includes("totp")) throw new Error("Tài khoản này cần đăng nhập bằng mã TOTP.");
      form.hidden = true;
      $("#totp-form").hidden = false;
      $("#totp-form").code.focus();
    } catch (error) {
      $("#login-error").textContent = error.message;
    }
  });

  $("#totp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      saveTokens(await post("/identity/login/verify", {
        login_token: loginToken, method: "totp", code: event.target.code.value.trim(),
      }));
      event.target.reset();
      $("#login-form").reset();
      await start();
    } catch (error) {
      $("#login-error").textContent = error.message;
    }
  });

  $("#logout").addEventListener("click", async () => {
    try {
      await fetch(API + "/identity/logout", {
        method: "POST", body: "{}",
        headers: { Authorization: `Bearer ${store.getItem("ioc.access")}`, "Content-Type": "application/json" },
      });
    } finally {
      showLogin();
    }
  });

  // -- figures ----------------------------------------------------------------------
  function query({ period = true, scope = true } = {}) {
    const form = $("#filters");
    const params = new URLSearchParams();
    if (period && form.from.value) params.set("from", form.from.value);
    if (period && form.to.value) params.set("to", form.to.value);
    if (scope && form.commune_code.value) params.set("commune_code", form.commune_code.value);
    const text = params.toString();
    return text ? `?${text}` : "";
  }

  function format(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "share") return percent.format(value);
    if (kind === "decimal") return decimal.format(value);
    if (kind === "money") return `${money.format(value)}\u00a0đ`;
    if (kind === "percent100") return percent.format(value / 100);
    return number.format(value);
  }

  function setFigure(name, value) {
    for (const output of $$(`[data-figure="${name}"]`)) {
      output.dataset.value = value === null || value === undefined ? "" : String(value);
      output.textContent = format(value, output.dataset.kind);
    }
  }

  function fillTable(name, rows, cells) {
    const body = $(`[data-table="${name}"] tbody`);
    body.replaceChildren(...rows.map((row) => {
      const tr = document.createElement("tr");
      for (const [value, kind] of cells(row)) {
        const td = document.createElement("td");
        td.textContent = kind === "text" ? (value ?? "–") : format(value, kind);
        td.dataset.value = value === null || value === undefined ? "" : String(value);
        if (kind !== "text") td.className = "n";
        tr.append(td);
      }
      return tr;
    }));
  }

  function draw(id, type, labels, datasets, options = {}) {
    const chart = charts[id];
    if (chart) {
      chart.data.labels = labels;
      chart.data.datasets = datasets;
      chart.update();
      return;
    }
    charts[id] = new window.Chart($(`#${id}`), {
      type, data: { labels, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false, ...options },
    });
  }

  const shareAxis = { ticks: { callback: (value) => percent.format(value) }, suggestedMax: 1, beginAtZero: true };

  function renderDossiers(figures) {
    setFigure("dossiers.total", figures.total);
    setFigure("dossiers.online_share", figures.online_share);
    setFigure("dossiers.on_time_share", figures.timeliness.on_time_share);
    setFigure("dossiers.processing_average", figures.processing_days.average);
    setFigure("dossiers.processing_p90", figures.processing_days.p90);
    draw("chart-status", "bar", figures.statuses.map((s) => STATUS[s.status] || s.status),
      [{ label: "Hồ sơ", data: figures.statuses.map((s) => s.count), backgroundColor: "#3fa9f5" }],
      { plugins: { legend: { display: false } } });
    fillTable("dossiers-status", figures.statuses, (s) => [[STATUS[s.status] || s.status, "text"], [s.count]]);
    draw("chart-channels", "doughnut", figures.channels.map((c) => CHANNEL[c.channel] || c.channel),
      [{ data: figures.channels.map((c) => c.count), backgroundColor: ["#3fa9f5", "#9fb2cc"] }]);
    fillTable("dossiers-channels", figures.channels,
      (c) => [[CHANNEL[c.channel] || c.channel, "text"], [c.count], [c.share, "share"]]);
    const t = figures.timeliness;
    draw("chart-timeliness", "doughnut", ["Đúng hạn", "Trễ hạn"],
      [{ data: [t.on_time, t.late], backgroundColor: ["#30a46c", "#e5484d"] }]);
    fillTable("dossiers-timeliness", [t], (r) => [[r.resolved], [r.on_time], [r.late], [r.on_time_share, "share"]]);
  }

  function renderOverdue(page) {
    setFigure("overdue.total", page.total);
    fillTable("dossiers-overdue", page.items, (d) => [
      [d.receipt_code, "text"], [d.procedure_name || d.procedure_code, "text"],
      [d.agency_name, "text"], [d.due_date, "text"], [d.working_days_overdue]]);
  }

  function renderEid(figures) {
    setFigure("eid.registered_share", figures.totals.registered_share);
    setFigure("eid.activated_share", figures.totals.activated_share);
    setFigure("eid.level2_share", figures.totals.level2_share);
    if (communes === null && !$("#filters").commune_code.value) {
      communes = figures.communes.filter((c) => c.commune_code).map((c) => ({ code: c.commune_code, name: c.commune_name }));
      const select = $("#filters").commune_code;
      for (const commune of communes) select.append(new Option(commune.name || commune.code, commune.code));
    }
    const rows = figures.communes;
    draw("chart-eid", "bar", rows.map((c) => c.commune_name || c.commune_code), [
      { label: "Đã đăng ký", data: rows.map((c) => c.registered_share), backgroundColor: "#9fb2cc" },
      { label: "Đã kích hoạt", data: rows.map((c) => c.activated_share), backgroundColor: "#3fa9f5" },
      { label: "Mức 2", data: rows.map((c) => c.level2_share), backgroundColor: "#30a46c" },
    ], { scales: { y: shareAxis } });
    fillTable("eid-communes", rows, (c) => [
      [c.commune_name || c.commune_code, "text"], [c.adults], [c.registered], [c.activated], [c.level2],
      [c.activated_share, "share"]]);
  }

  function renderQuality(figures) {
    setFigure("registry.clean_share", figures.totals.clean_share);
    const checks = figures.checks.filter((c) => c.count > 0);
    draw("chart-quality", "bar", checks.map((c) => CHECK[c.check] || c.check),
      [{ label: "Bản ghi", data: checks.map((c) => c.count), backgroundColor: "#f5a623" }],
      { indexAxis: "y", plugins: { legend: { display: false } } });
    fillTable("registry-quality-checks", checks,
      (c) => [[CHECK[c.check] || c.check, "text"], [c.count], [c.share, "share"]]);
  }

  function renderPayments(figures) {
    setFigure("payments.collected", figures.totals.collected);
    setFigure("payments.stuck", figures.stuck_pending);
    const days = [...new Set(figures.daily.map((d) => d.day))].sort();
    const gateways = figures.gateways.map((g) => g.gateway);
    draw("chart-payments", "bar", days, gateways.map((gateway, i) => ({
      label: gateway, backgroundColor: GATEWAY_COLORS[i % GATEWAY_COLORS.length],
      data: days.map((day) => figures.daily.find((d) => d.day === day && d.gateway === gateway)?.collected || 0),
    })), { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } });
    fillTable("payments-gateways", figures.gateways,
      (g) => [[g.gateway, "text"], [g.payments], [g.collected], [g.refunded]]);
  }

  const HELP = {
    residents_helped: "Lượt người dân", accounts_registered: "Tài khoản đăng ký", accounts_activated: "Kích hoạt",
    dossiers_submitted: "Hồ sơ nộp", payments_completed: "Thanh toán",
  };

  function renderAssistance(figures) {
    setFigure("assistance.residents_helped", figures.totals.residents_helped);
    const names = Object.keys(HELP);
    draw("chart-assistance", "bar", names.map((name) => HELP[name]),
      [{ label: "Toàn bộ", data: names.map((name) => figures.totals[name]), backgroundColor: "#a36bf5" }],
      { plugins: { legend: { display: false } } });
    fillTable("assistance-communes", figures.communes, (c) => [
      [c.commune_name || c.commune_code, "text"], ...names.map((name) => [c[name]])]);
  }

  function overdueQuery() {
    const scope = query({ period: false });
    return `${scope}${scope ? "&" : "?"}limit=20`;
  }

  const panels = [];

  async function load() {
    try {
      const [dossiers, overdue, eid, quality, payments, assistance] = await Promise.all([
        json(`/dashboard/dossiers${query()}`),
        json(`/dashboard/dossiers/overdue${overdueQuery()}`),
        json(`/dashboard/eid${query()}`),
        json(`/dashboard/registry-quality${query({ period: false })}`),
        json(`/dashboard/payments${query()}`),
        json(`/dashboard/assistance${query()}`),
      ]);
      renderDossiers(dossiers);
      renderOverdue(overdue);
      renderEid(eid);
      renderQuality(quality);
      renderPayments(payments);
      renderAssistance(assistance);
      if (window.iocQuality) await window.iocQuality.load();   // the service-quality panel (quality.js)
      await Promise.all(panels.map((panel) => panel()));   // panels of other domains (ioc-reports.js)
      const now = new Date();
      $("#updated").textContent = `Cập nhật lúc ${now.toLocaleTimeString("vi-VN")} · tự động mỗi phút`;
      document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
    } catch (error) {
      if (error.message !== "unauthorized") $("#updated").textContent = `Không tải được số liệu: ${error.message}`;
    }
  }

  async function download(table) {
    const response = await call(`/dashboard/exports/${table}.csv${query()}`);
    if (!response.ok) return;
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || `${table}.csv`;
    const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(await response.blob()), download: name });
    link.click();
    URL.revokeObjectURL(link.href);
  }

  async function start() {
    const form = $("#filters");
    if (!form.from.value && !form.to.value) {   // this year so far, unless the leader chose otherwise
      const now = new Date();
      form.from.value = `${now.getFullYear()}-01-01`;
    }
    $("#login").hidden = true;
    $("#board").hidden = false;
    $("#filters").hidden = false;
    $("#logout").hidden = false;
    clearInterval(timer);
    await load();
    timer = setInterval(load, REFRESH_MS);
  }

  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  for (const button of $$("[data-export]")) button.addEventListener("click", () => download(button.dataset.export));

  window.Chart.defaults.color = "#e8eef7";
  window.Chart.defaults.datasets.bar.maxBarThickness = 36;
  window.Chart.defaults.borderColor = "#233a59";
  // for the panels of other domains, the browser test and the curious operator
  window.ioc = { charts, load, query, json, call, draw, fillTable, setFigure, panels };
  if (store.getItem("ioc.access")) start();
  else showLogin();
})();

// The dashboard: reads the API's JSON routes and re-reads them when /events says something changed.
// Plain browser JavaScript with no dependencies, so it is served as-is and works without a network.
"use strict";

const STATUSES = ["Created", "Accepted", "Submitted", "Unaudited", "Auditing", "Disputed", "Settled", "Slashed", "Expired"];
const $ = (id) => document.getElementById(id);
const state = { status: "", openJob: null, flash: new Set() };

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function text(value) {
  return value === null || value === undefined || value === "" ? "–" : String(value);
}

function short(hex) {
  return hex ? `${hex.slice(0, 6)}…${hex.slice(-4)}` : "–";
}

// Token amounts arrive as decimal strings in the smallest unit (18 decimals).
function tokens(amount) {
  if (amount === null || amount === undefined) return "–";
  const units = BigInt(amount);
  const whole = units / 10n ** 18n;
  const cents = (units % 10n ** 18n) / 10n ** 16n;
  return `${whole.toLocaleString("en")}.${cents.toString().padStart(2, "0")}`;
}

function time(unix) {
  return unix ? new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19) : "–";
}

function cell(content, className) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = text(content);
  if (className) td.className = className;
  return td;
}

function badge(value, prefix) {
  const span = document.createElement("span");
  span.className = `status ${prefix}-${value}`;
  span.textContent = text(value);
  return span;
}

function fillRows(tbody, rows, makeCells, key, onClick) {
  tbody.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.key = key(row);
    tr.append(...makeCells(row));
    if (state.flash.has(tr.dataset.key)) tr.classList.add("flash");
    if (onClick) tr.addEventListener("click", () => onClick(row));
    return tr;
  }));
}

function renderStats(stats) {
  $("count-jobs").textContent = text(stats.jobs);
  $("count-tasks").textContent = text(stats.tasksSettled);
  $("count-tps").textContent = stats.tasksPerSecond ? stats.tasksPerSecond.tenMinutes.toFixed(2) : "–";
  $("count-gas").textContent = stats.gasPerTask === null ? "–" : Math.round(stats.gasPerTask).toLocaleString("en");
  $("count-providers").textContent = text(stats.providers);
  $("count-verifiers").textContent = text(stats.verifiers);
  $("count-slashes").textContent = text(stats.slashes);
  $("count-audits").textContent = text(stats.audits);
  $("count-disputes").textContent = text(stats.disputes);
  renderStatusBars(stats.jobsByStatus || {});
  renderThroughput(stats.throughput || []);
}

function renderStatusBars(byStatus) {
  const max = Math.max(1, ...Object.values(byStatus));
  $("status-bars").replaceChildren(...STATUSES.map((status) => {
    const row = document.createElement("div");
    row.className = "bar";
    row.dataset.status = status;
    const label = document.createElement("span");
    label.textContent = status;
    const fill = document.createElement("div");
    fill.className = "fill";
    fill.style.width = `${(100 * (byStatus[status] || 0)) / max}%`;
    const count = document.createElement("span");
    count.className = "bar-count";
    count.textContent = byStatus[status] || 0;
    row.append(label, fill, count);
    return row;
  }));
}

// An inline SVG line chart of tasks settled per minute; the x axis is the last points' minutes.
function renderThroughput(points) {
  const svg = $("chart-throughput");
  const width = 600, height = 160, left = 36, bottom = 18, top = 8;
  const ns = "http://www.w3.org/2000/svg";
  const max = Math.max(1, ...points.map((p) => p.tasks));
  const x = (i) => left + (points.length <= 1 ? 0 : (i * (width - left - 4)) / (points.length - 1));
  const y = (v) => height - bottom - ((height - bottom - top) * v) / max;
  const nodes = [];
  const line = (x1, y1, x2, y2) => {
    const l = document.createElementNS(ns, "line");
    Object.entries({ x1, y1, x2, y2, class: "axis" }).forEach(([k, v]) => l.setAttribute(k, v));
    return l;
  };
  const label = (x0, y0, content, anchor) => {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", x0);
    t.setAttribute("y", y0);
    t.setAttribute("text-anchor", anchor);
    t.textContent = content;
    return t;
  };
  nodes.push(line(left, top, left, height - bottom), line(left, height - bottom, width, height - bottom));
  nodes.push(label(left - 4, top + 8, String(max), "end"), label(left - 4, height - bottom, "0", "end"));
  if (points.length > 0) {
    const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.tasks).toFixed(1)}`).join(" ");
    const area = document.createElementNS(ns, "path");
    area.setAttribute("class", "area");
    area.setAttribute("d", `${path} L${x(points.length - 1).toFixed(1)},${height - bottom} L${left},${height - bottom} Z`);
    const stroke = document.createElementNS(ns, "path");
    stroke.setAttribute("class", "line");
    stroke.setAttribute("d", path);
    nodes.push(area, stroke);
    const minute = (p) => new Date(p.minute * 1000).toISOString().slice(11, 16);
    nodes.push(label(left, height - 4, minute(points[0]), "start"), label(width - 4, height - 4, minute(points[points.length - 1]), "end"));
  }
  svg.replaceChildren(...nodes);
  svg.dataset.points = String(points.length);
}

function renderJobs(page) {
  fillRows($("jobs").tBodies[0], page.items, (job) => [
    cell(job.id, "mono"),
    cell(badge(job.status, "status")),
    cell(badge(job.audit, "audit")),
    cell(job.taskCount),
    cell(tokens(job.unitPrice)),
    cell(short(job.client), "mono"),
    cell(short(job.provider), "mono"),
    cell(job.gasPerTask === null ? null : Math.round(job.gasPerTask)),
    cell(time(job.updatedAt)),
  ], (job) => `job-${job.id}`, (job) => openJob(job.id));
}

function providerCells(p) {
  return [
    cell(short(p.address), "mono"), cell(tokens(p.stake)), cell(tokens(p.locked)), cell(tokens(p.freeCollateral)),
    cell(p.jobsSettled), cell(p.auditsPassed), cell(p.auditsFailed), cell(p.slashes),
  ];
}

function verifierCells(v) {
  return [
    cell(short(v.address), "mono"), cell(tokens(v.stake)), cell(v.activeVerifier ? tokens(v.drawWeight) : "–"),
    cell(v.verdicts), cell(v.votes), cell(v.timeouts + v.penalties), cell(v.slashes),
  ];
}

function renderAccounts(providers, verifiers) {
  fillRows($("providers").tBodies[0], providers, providerCells, (p) => p.address);
  fillRows($("verifiers").tBodies[0], verifiers, verifierCells, (v) => v.address);
}

function verdict(pass) {
  return pass === null || pass === undefined ? null : pass ? "pass" : "fail";
}

// A dispute's rounds: who funded each on which side, its committee's votes and its ruling.
function renderRounds(dispute) {
  $("detail-dispute").hidden = !dispute;
  if (!dispute) {
    $("detail-rounds").replaceChildren();
    return;
  }
  const outcome = dispute.resolved ? `ruled ${dispute.providerWrong ? "provider wrong" : "provider right"}` : "open";
  $("detail-dispute-summary").textContent =
    `challenger ${short(dispute.challenger)} · ${outcome} · court holds ${tokens(dispute.held)}` + (dispute.slashed ? ` · slashed ${tokens(dispute.slashed)}` : "");
  $("detail-rounds").replaceChildren(...dispute.rounds.map((round) => {
    const li = document.createElement("li");
    li.dataset.round = String(round.round);
    const ruling = round.closed ? `${round.ruling} (${round.votesWrong}–${round.votesRight})` : round.drawn ? "voting" : "drawing";
    const head = document.createElement("span");
    head.className = "round-head";
    head.textContent = `round ${round.round} · ${round.members.length}/${round.size} members · bond ${tokens(round.bond)} on ${round.fundedSide} by ${short(round.funder)} · ${ruling}`;
    head.dataset.ruling = round.ruling || "";
    const members = document.createElement("ul");
    members.className = "members";
    members.append(...round.members.map((m) => {
      const item = document.createElement("li");
      item.dataset.member = m.member;
      item.dataset.vote = m.vote || (m.committed ? "sealed" : "none");
      item.textContent = `${short(m.member)} ${m.vote || (m.committed ? "committed" : "silent")}` + (m.penalty ? ` · penalised ${tokens(m.penalty)}` : "");
      return item;
    }));
    li.append(head, members);
    return li;
  }));
}

async function openJob(id) {
  state.openJob = id;
  const job = await getJson(`/jobs/${encodeURIComponent(id)}`);
  $("detail-id").textContent = job.id;
  const fields = [
    ["status", job.status], ["audit", job.audit], ["client", job.client], ["provider", job.provider],
    ["model", job.modelId], ["tasks", job.taskCount], ["unit price", tokens(job.unitPrice)],
    ["collateral", tokens(job.collateral)], ["deadline", time(job.deadline)], ["accepted", time(job.acceptedAt)],
    ["tasks root", job.tasksRoot], ["manifest", job.manifestHash], ["result root", job.resultRoot], ["outputs", job.outputsHash],
    ["draw seed", job.drawSeed], ["audit origin", job.auditOrigin], ["verifier", job.verifier],
    ["audit deadline", time(job.auditDeadline)], ["timeouts", job.auditTimeouts], ["verdict", verdict(job.verdictPass)],
    ["evidence", job.evidenceHash], ["settlement", job.settlement], ["payout", tokens(job.payout)],
    ["refund", tokens(job.refund)], ["slashed", tokens(job.slashed)],
    ["gas used", job.gasUsed], ["gas per task", job.gasPerTask === null ? null : Math.round(job.gasPerTask)],
  ];
  $("detail-fields").replaceChildren(...fields.flatMap(([name, value]) => {
    const dt = document.createElement("dt");
    dt.textContent = name;
    const dd = document.createElement("dd");
    dd.textContent = text(value);
    dd.dataset.field = name;
    return [dt, dd];
  }));
  renderRounds(job.dispute);
  $("detail-timeline").replaceChildren(...job.timeline.map((entry) => {
    const li = document.createElement("li");
    li.dataset.event = entry.event;
    li.textContent = entry.event + (entry.detail ? ` — ${entry.detail}` : "");
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = `block ${entry.blockNumber} · ${time(entry.timestamp)}${entry.gasUsed ? ` · ${entry.gasUsed.toLocaleString("en")} gas` : ""}`;
    li.append(when);
    return li;
  }));
  $("job-detail").hidden = false;
  if (location.hash !== `#/jobs/${id}`) history.replaceState(null, "", `#/jobs/${id}`);
}

function closeJob() {
  state.openJob = null;
  $("job-detail").hidden = true;
  history.replaceState(null, "", location.pathname);
}

async function refresh() {
  const query = state.status ? `?status=${state.status}` : "";
  const [stats, jobs, providers, verifiers] = await Promise.all([
    getJson("/stats"), getJson(`/jobs${query}`), getJson("/providers"), getJson("/verifiers"),
  ]);
  renderStats(stats);
  renderJobs(jobs);
  renderAccounts(providers, verifiers);
  if (state.openJob !== null) await openJob(state.openJob);
  state.flash.clear();
  document.body.dataset.loaded = String(Date.now());
}

// Bursts of events (a batch settle) cause one refresh, not one per event.
let pending = null;
function scheduleRefresh() {
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    refresh().catch(showError);
  }, 250);
}

function showError(error) {
  $("live").textContent = `error: ${error.message}`;
  $("live").dataset.state = "closed";
}

function connect() {
  const source = new EventSource("/events");
  source.addEventListener("open", () => {
    $("live").textContent = "live";
    $("live").dataset.state = "open";
  });
  source.addEventListener("error", () => {
    $("live").textContent = "reconnecting…";
    $("live").dataset.state = "closed";
  });
  source.addEventListener("job", (message) => {
    const change = JSON.parse(message.data);
    state.flash.add(`job-${change.jobId}`);
    const item = document.createElement("li");
    item.textContent = `block ${change.blockNumber}: job ${change.jobId} ${change.event} → ${change.status}`;
    $("feed").prepend(item);
    while ($("feed").children.length > 50) $("feed").lastElementChild.remove();
    scheduleRefresh();
  });
}

function init() {
  const select = $("filter-status");
  STATUSES.forEach((status) => select.append(new Option(status, status)));
  select.addEventListener("change", () => {
    state.status = select.value;
    refresh().catch(showError);
  });
  $("detail-close").addEventListener("click", closeJob);
  const match = /^#\/jobs\/(\d+)$/.exec(location.hash);
  if (match) state.openJob = match[1];
  refresh().catch(showError);
  connect();
}

init();

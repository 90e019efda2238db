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

// Token amounts arrive as decimal strings in the smallest unit (18 decimals). Every significant
// digit is shown (a unit price of 0.0005 must not read 0.00); trailing zeros are not.
const DECIMALS = 18;
function tokens(amount) {
  if (amount === null || amount === undefined) return "–";
  const units = BigInt(amount);
  const size = units < 0n ? -units : units;
  const one = 10n ** BigInt(DECIMALS);
  const fraction = (size % one).toString().padStart(DECIMALS, "0").replace(/0+$/, "");
  return `${units < 0n ? "-" : ""}${(size / one).toLocaleString("en")}${fraction ? `.${fraction}` : ""}`;
}

// Times arrive as UNIX seconds; they are shown as UTC dates.
function time(unix) {
  return unix ? `${new Date(unix * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC` : "–";
}

// Event arguments that are token amounts or times, by ABI name, across the contracts' events.
const AMOUNT_ARGS = new Set(["unitPrice", "fee", "payout", "refund", "slashed", "amount", "bond", "reward", "penalty", "stake", "unbonding", "value", "weight"]);
const TIME_ARGS = new Set(["deadline", "submittedAt", "releaseAt", "commitDeadline", "revealDeadline", "appealDeadline"]);

// A timeline entry's arguments as a reader wants them: amounts in tokens, times as dates.
function describeArgs(args) {
  return Object.entries(args || {}).filter(([name]) => name !== "jobId").map(([name, value]) => {
    if (AMOUNT_ARGS.has(name)) return `${name} ${tokens(value)}`;
    if (TIME_ARGS.has(name)) return `${name} ${time(Number(value))}`;
    return `${name} ${typeof value === "object" ? JSON.stringify(value) : value}`;
  }).join(", ");
}

function cell(content, className, field) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = text(content);
  if (className) td.className = className;
  if (field) td.dataset.field = field;
  return td;
}

function amountCell(amount, field) {
  return cell(tokens(amount), amount && amount.startsWith("-") ? "num negative" : "num", field);
}

function badge(value, prefix) {
  const span = document.createElement("span");
  span.className = `status ${prefix}-${value}`;
  span.textContent = text(value);
  return span;
}

// A table row standing for what is not data: loading, empty, or the error that kept it from loading.
function placeholder(tbody, state, message) {
  const tr = document.createElement("tr");
  tr.className = "placeholder";
  tr.dataset.state = state;
  const td = document.createElement("td");
  td.colSpan = tbody.parentElement.tHead.rows[0].cells.length;
  td.textContent = message;
  tr.append(td);
  tbody.replaceChildren(tr);
}

function fillRows(tbody, rows, makeCells, key, onClick, empty) {
  if (rows.length === 0) {
    placeholder(tbody, "empty", empty);
    return;
  }
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
  $("count-pass-appeals").textContent = text(stats.passAppeals);
  $("count-passes-overturned").textContent = text(stats.passesOverturned);
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
    cell(job.settlement ? badge(job.settlement, "settlement") : null, null, "settlement"),
    cell(job.appeals, "num", "appeals"),
    cell(job.taskCount, "num"),
    cell(tokens(job.unitPrice), "num", "unit-price"),
    cell(short(job.client), "mono"),
    cell(short(job.provider), "mono"),
    cell(job.gasPerTask === null ? null : Math.round(job.gasPerTask), "num"),
    cell(time(job.updatedAt)),
  ], (job) => `job-${job.id}`, (job) => openJob(job.id), state.status ? `no ${state.status} jobs` : "no jobs yet");
}

function providerCells(p) {
  return [
    cell(short(p.address), "mono"), amountCell(p.stake), amountCell(p.locked), amountCell(p.freeCollateral),
    cell(p.jobsSettled, "num", "settled"), cell(p.auditsPassed, "num", "audits-passed"), cell(p.auditsFailed, "num", "audits-failed"),
    cell(p.slashes, "num", "slashes"), amountCell(p.earnings, "earnings"),
  ];
}

function verifierCells(v) {
  return [
    cell(short(v.address), "mono"), amountCell(v.stake), cell(v.activeVerifier ? tokens(v.drawWeight) : "–", "num"),
    cell(v.verdicts, "num", "audits"), cell(v.passes, "num", "passes"), cell(v.fails, "num", "fails"), cell(v.votes, "num", "votes"),
    cell(v.passesOverturned, "num", "caught"), cell(v.timeouts + v.penalties, "num", "penalties"), cell(v.slashes, "num", "slashes"),
    amountCell(v.earnings, "earnings"),
  ];
}

function renderAccounts(providers, verifiers) {
  fillRows($("providers").tBodies[0], providers, providerCells, (p) => p.address, null, "no providers staked");
  fillRows($("verifiers").tBodies[0], verifiers, verifierCells, (v) => v.address, null, "no verifiers staked");
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
  const opened = dispute.openedBy === "pass-appeal"
    ? `${short(dispute.challenger)} appealed ${short(dispute.passingVerifier)}'s pass`
    : `${short(dispute.challenger)} failed the job`;
  $("detail-dispute").dataset.openedBy = dispute.openedBy;
  $("detail-dispute-summary").textContent = `${opened} · ${outcome} · court holds ${tokens(dispute.held)}`
    + (dispute.slashed ? ` · provider slashed ${tokens(dispute.slashed)}` : "")
    + (dispute.falsePassPenalty ? ` · passing verifier lost ${tokens(dispute.falsePassPenalty)}` : "");
  $("detail-rounds").replaceChildren(...dispute.rounds.map((round) => {
    const li = document.createElement("li");
    li.dataset.round = String(round.round);
    const ruling = round.closed
      ? `${round.ruling} (${round.votesWrong}–${round.votesRight}), appealable until ${time(round.appealDeadline)}`
      : round.drawn ? `voting: commit by ${time(round.commitDeadline)}, reveal by ${time(round.revealDeadline)}` : "drawing";
    const head = document.createElement("span");
    head.className = "round-head";
    const kind = round.round === 0 ? (dispute.openedBy === "pass-appeal" ? "pass appeal" : "fail verdict") : "appeal";
    head.textContent = `round ${round.round} (${kind}) · ${round.members.length}/${round.size} members · bond ${tokens(round.bond)} on ${round.fundedSide} by ${short(round.funder)} · ${ruling}`;
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

// Another job's detail is never shown under this one's number: until its data arrives the panel
// says it is loading.
function showJobLoading(id) {
  const panel = $("job-detail");
  panel.dataset.job = String(id);
  panel.dataset.state = "loading";
  $("detail-id").textContent = id;
  const note = document.createElement("p");
  note.className = "muted";
  note.textContent = "loading…";
  $("detail-fields").replaceChildren(note);
  $("detail-dispute").hidden = true;
  $("detail-rounds").replaceChildren();
  $("detail-timeline").replaceChildren();
  panel.hidden = false;
}

async function openJob(id) {
  state.openJob = String(id);
  if ($("job-detail").dataset.job !== String(id)) showJobLoading(id);
  const job = await getJson(`/jobs/${encodeURIComponent(id)}`);
  if (state.openJob !== String(id)) return; // another job was opened meanwhile
  $("detail-id").textContent = job.id;
  const fields = [
    ["status", job.status], ["audit", job.audit], ["settlement", job.settlement], ["appeals", job.appeals],
    ["client", job.client], ["provider", job.provider],
    ["model", job.modelId], ["tasks", job.taskCount], ["unit price", tokens(job.unitPrice)], ["price", tokens(job.price)],
    ["collateral", tokens(job.collateral)], ["deadline", time(job.deadline)], ["accepted", time(job.acceptedAt)],
    ["submitted", time(job.submittedAt)],
    ["tasks root", job.tasksRoot], ["manifest", job.manifestHash], ["result root", job.resultRoot], ["outputs", job.outputsHash],
    ["draw seed", job.drawSeed], ["audit origin", job.auditOrigin], ["audit fee", tokens(job.auditFee)], ["verifier", job.verifier],
    ["audit deadline", time(job.auditDeadline)], ["timeouts", job.auditTimeouts], ["verdict", verdict(job.verdictPass)],
    ["pass appealable until", time(job.passDeadline)], ["audit reward", tokens(job.auditReward)],
    ["evidence", job.evidenceHash], ["payout", tokens(job.payout)],
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
    const detail = describeArgs(entry.args);
    li.textContent = entry.event + (detail ? ` — ${detail}` : "");
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = `block ${entry.blockNumber} · ${time(entry.timestamp)}${entry.gasUsed ? ` · ${entry.gasUsed.toLocaleString("en")} gas` : ""}`;
    li.append(when);
    return li;
  }));
  $("job-detail").hidden = false;
  $("job-detail").dataset.state = "ready";
  if (location.hash !== `#/jobs/${id}`) history.replaceState(null, "", `#/jobs/${id}`);
}

function closeJob() {
  state.openJob = null;
  $("job-detail").hidden = true;
  delete $("job-detail").dataset.job;
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
  document.body.dataset.state = "ready";
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

// Before the first load the tables say why they are empty; after it they keep the last data read.
function showError(error) {
  $("live").textContent = `error: ${error.message}`;
  $("live").dataset.state = "closed";
  if (document.body.dataset.state === "loading") {
    ["jobs", "providers", "verifiers"].forEach((id) => placeholder($(id).tBodies[0], "error", `could not load: ${error.message}`));
  }
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

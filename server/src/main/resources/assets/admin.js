// The admin page: status, keys, live streams, recent requests, agents, realtime sessions and the debug log.
// Every list is read a page at a time ("Load more" follows next_before).
import { api, el, requireSignIn } from "/assets/session.js";

const $ = (id) => document.getElementById(id);

requireSignIn({ check: "/api/admin/status", purpose: "The admin page needs an admin gateway key.", ready });

function ready() {
  $("refresh-status").onclick = loadStatus;
  $("create-key").onsubmit = (event) => { event.preventDefault(); createKey(); };
  $("limits").onsubmit = (event) => { event.preventDefault(); saveLimits(); };
  $("limits-close").onclick = () => { $("limits").hidden = true; };
  $("new-key-done").onclick = () => { $("new-key").textContent = ""; $("new-key-box").hidden = true; };
  $("refresh-streams").onclick = loadStreams;
  $("realtime-kind").onchange = () => realtime.reload();
  $("debug-filter").onsubmit = (event) => { event.preventDefault(); debug.reload(); };
  loadStatus();
  loadStreams();
  keys.reload();
  requests.reload();
  agents.reload();
  realtime.reload();
  evals.reload();
  debug.reload();
}

/** A table filled a page at a time from a list route. */
function pagedTable({ body, more, path, row }) {
  let next = null;
  const load = async (fresh) => {
    const base = typeof path === "function" ? path() : path;
    const url = base + (base.includes("?") ? "&" : "?") + (fresh || next === null ? "" : "before=" + encodeURIComponent(next));
    try {
      const page = await api(url);
      if (fresh) $(body).replaceChildren();
      for (const item of page.data) $(body).append(row(item));
      next = page.next_before;
      $(more).hidden = !page.has_more;
    } catch (error) {
      $(body).replaceChildren(el("tr", {}, el("td", { colspan: 9, class: "error-text" }, error.message)));
    }
  };
  $(more).onclick = () => load(false);
  return { reload: () => load(true) };
}

async function loadStatus() {
  try {
    const status = await api("/api/admin/status");
    $("status-model").textContent = status.model;
    $("status-api").textContent = status.api_type;
    // As in the original admin page: green for Realtime, grey for REST.
    $("status-api").className = "pill" + (status.api_type === "Realtime WebSocket" ? " ok" : "");
    $("status-upstream").textContent = status.upstream.reachable ? (status.upstream.key_accepted ? "reachable" : "key refused") : "unreachable";
    $("status-upstream").className = "pill " + (status.upstream.reachable && status.upstream.key_accepted ? "ok" : "bad");
    $("status-detail").textContent = "Version " + status.version + " · fallback model " + status.fallback_model
      + " · fallbacks since start " + status.fallbacks.since_start + ", last 24 h " + status.fallbacks.last_24h
      + " · upstream " + status.upstream.base_url;
  } catch (error) {
    $("status-detail").textContent = error.message;
  }
}

const keys = pagedTable({ body: "keys", more: "keys-more", path: "/api/admin/keys?limit=20", row: (key) => el("tr", { dataset: { id: key.id } },
  el("td", {}, key.name + (key.admin ? " (admin)" : "")), el("td", {}, key.owner), el("td", {}, el("code", {}, key.id)),
  el("td", {}, when(key.created_at)), el("td", { class: "key-state" }, key.revoked_at ? "revoked" : "active"),
  el("td", {}, el("button", { type: "button", onclick: () => showLimits(key) }, "Limits"),
    key.revoked_at ? "" : el("button", { type: "button", class: "danger", onclick: () => revokeKey(key) }, "Revoke"))) });

const LIMIT_FIELDS = [["limit-rpm", "requests_per_minute"], ["limit-streams", "concurrent_streams"],
  ["limit-realtime", "concurrent_realtime_sessions"], ["limit-day", "tokens_per_day"], ["limit-month", "tokens_per_month"]];
let limitsKey = null;

async function showLimits(key) {
  limitsKey = key;
  const limits = await api("/api/admin/keys/" + encodeURIComponent(key.id) + "/limits");
  $("limits").hidden = false;
  $("limits-heading").textContent = "Limits of " + key.name;
  $("limits-usage").textContent = "Used: " + limits.usage.tokens_today + " tokens today, " + limits.usage.tokens_this_month
    + " this month (UTC).";
  for (const [id, field] of LIMIT_FIELDS) $(id).value = limits[field] ?? "";
  $("limit-models").value = (limits.models || []).join(", ");
  $("limit-endpoints").value = (limits.endpoints || []).join(", ");
  $("limits-status").textContent = "";
  $("limit-rpm").focus();
}

async function saveLimits() {
  const body = {};
  for (const [id, field] of LIMIT_FIELDS) {
    const value = $(id).value.trim();
    if (value !== "" && !/^\d+$/.test(value)) {
      $("limits-status").textContent = "Limits are whole numbers; leave a field empty for no limit.";
      $(id).focus();
      return;
    }
    body[field] = value === "" ? null : Number(value);
  }
  const list = (id) => $(id).value.trim() === "" ? null : $(id).value.split(",").map((v) => v.trim()).filter(Boolean);
  body.models = list("limit-models");
  body.endpoints = list("limit-endpoints");
  try {
    await api("/api/admin/keys/" + encodeURIComponent(limitsKey.id) + "/limits", { method: "PUT", body });
    $("limits-status").textContent = "Saved: they apply at once on this instance, within seconds on the others.";
  } catch (error) {
    $("limits-status").textContent = error.message;
  }
}

async function createKey() {
  const body = { name: $("key-name").value.trim(), admin: $("key-admin").checked };
  if ($("key-owner").value.trim()) body.owner = $("key-owner").value.trim();
  try {
    const key = await api("/api/admin/keys", { method: "POST", body });
    $("new-key-box").hidden = false;
    $("new-key").textContent = "New key for " + key.name + " (shown once, store it now): " + key.key;
    $("create-key").reset();
    keys.reload();
  } catch (error) {
    $("new-key-box").hidden = false;
    $("new-key").textContent = error.message;
  }
}

async function revokeKey(key) {
  if (!confirm("Revoke the key " + key.name + "? Clients using it are refused at once.")) return;
  await api("/api/admin/keys/" + encodeURIComponent(key.id), { method: "DELETE" });
  keys.reload();
}

async function loadStreams() {
  try {
    const streams = await api("/api/admin/streams");
    $("streams").replaceChildren(...streams.data.map((stream) => el("tr", { dataset: { id: stream.id } },
      el("td", {}, el("code", {}, stream.id)), el("td", {}, stream.key_name || stream.key_id), el("td", {}, stream.endpoint),
      el("td", {}, stream.model), el("td", {}, Math.round(stream.age_ms / 1000) + " s"), el("td", {}, stream.events),
      el("td", {}, el("button", { type: "button", class: "danger", onclick: () => cancelStream(stream.id) }, "Cancel")))));
    if (!streams.data.length) $("streams").append(el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No stream is live.")));
    if (streams.total > streams.data.length) {
      $("streams").append(el("tr", {}, el("td", { colspan: 7, class: "muted" },
        "The newest " + streams.data.length + " of " + streams.total + " live streams are shown.")));
    }
  } catch (error) {
    $("streams").replaceChildren(el("tr", {}, el("td", { colspan: 7, class: "error-text" }, error.message)));
  }
}

async function cancelStream(id) {
  await api("/api/admin/streams/" + encodeURIComponent(id), { method: "DELETE" });
  loadStreams();
}

const requests = pagedTable({ body: "requests", more: "requests-more", path: "/api/admin/requests?limit=25", row: (r) => el("tr", {},
  el("td", {}, when(r.created_at)), el("td", {}, r.key_name || r.key_id || "–"), el("td", {}, r.endpoint), el("td", {}, r.model || ""),
  el("td", {}, r.status), el("td", {}, r.outcome + (r.error ? ": " + r.error : "")), el("td", {}, r.usage ? r.usage.total_tokens : ""),
  el("td", {}, r.duration_ms)) });

const agents = pagedTable({ body: "agents", more: "agents-more", path: "/api/admin/agent-sessions?limit=20", row: (s) => el("tr", {},
  el("td", {}, s.name || s.id), el("td", {}, s.owner), el("td", {}, s.model), el("td", {}, (s.tools || []).join(", ")),
  el("td", {}, when(s.created_at)),
  el("td", {}, el("button", { type: "button", onclick: () => showRuns(s) }, "Runs"))) });

let runs = null;
function showRuns(session) {
  $("runs").hidden = false;
  $("runs-heading").textContent = "Runs of " + (session.name || session.id);
  runs = pagedTable({ body: "runs-body", more: "runs-more", path: "/api/admin/agent-sessions/" + encodeURIComponent(session.id) + "/runs?limit=20",
    row: (r) => el("tr", {}, el("td", {}, el("code", {}, r.id)), el("td", {}, r.status), el("td", {}, r.output_text || ""),
      el("td", {}, (r.tool_calls || []).map((c) => c.name).join(", ")), el("td", {}, r.usage ? r.usage.total_tokens : "")) });
  runs.reload();
}

const realtime = pagedTable({ body: "realtime", more: "realtime-more",
  path: () => "/api/admin/realtime-sessions?limit=20" + ($("realtime-kind").value ? "&kind=" + $("realtime-kind").value : ""),
  row: (s) => el("tr", {}, el("td", {}, el("code", {}, s.id)), el("td", {}, s.kind), el("td", {}, s.owner), el("td", {}, s.status),
    el("td", {}, s.upstream_id || ""), el("td", {}, transcript(s.transcript)), el("td", {}, s.usage ? s.usage.total_tokens : "")) });

function transcript(entries) {
  if (!entries || !entries.length) return "";
  return el("details", {}, el("summary", {}, entries.length + " entries"),
    el("pre", {}, entries.map((e) => e.role + ": " + e.text).join("\n")));
}

const evals = pagedTable({ body: "evals", more: "evals-more", path: "/api/admin/eval-runs?limit=20", row: (run) => el("tr", { dataset: { id: run.id } },
  el("td", {}, when(run.started_at)), el("td", {}, run.source), el("td", {}, run.model || ""),
  el("td", {}, passBar(run), " " + run.passed + "/" + run.total),
  el("td", {}, (run.duration_ms / 1000).toFixed(1) + " s"),
  el("td", {}, el("button", { type: "button", onclick: () => showEval(run) }, "Scenarios"))) });

// The width is set through the style object: the content policy refuses style attributes.
function passBar(run) {
  const fill = el("span", { class: "bar-fill" + (run.failed ? " bad" : "") });
  fill.style.width = Math.round(100 * run.passed / Math.max(1, run.total)) + "%";
  return el("span", { class: "bar", role: "img", "aria-label": run.passed + " of " + run.total + " passed" }, fill);
}

async function showEval(run) {
  const detail = await api("/api/admin/eval-runs/" + encodeURIComponent(run.id));
  $("eval-detail").hidden = false;
  $("eval-detail-heading").textContent = "Run of " + when(run.started_at) + ": " + run.passed + " of " + run.total + " passed";
  $("eval-scenarios").replaceChildren(...detail.scenarios.map((s) => el("tr", {},
    el("td", {}, s.name), el("td", { class: s.passed ? "" : "error-text" }, s.passed ? "pass" : "fail"),
    el("td", {}, (s.failures || []).join("\n")), el("td", {}, s.duration_ms), el("td", {}, s.tokens))));
}

const debug = pagedTable({ body: "debug", more: "debug-more",
  path: () => "/api/admin/debug-events?limit=25" + ($("debug-kind").value ? "&kind=" + $("debug-kind").value : "")
    + ($("debug-request").value.trim() ? "&request_id=" + encodeURIComponent($("debug-request").value.trim()) : ""),
  row: (e) => el("tr", {}, el("td", {}, when(e.created_at)), el("td", {}, e.kind), el("td", {}, el("code", {}, e.request_id)),
    el("td", {}, e.endpoint || ""), el("td", {}, e.status ?? ""),
    el("td", {}, el("details", {}, el("summary", {}, "show"), el("pre", {}, JSON.stringify({ usage: e.usage, error: e.error,
      payload: e.payload, model: e.model }, null, 2))))) });

function when(value) {
  if (value === null || value === undefined) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return date.toLocaleString();
}

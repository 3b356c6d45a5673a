// The agent chat playground: pick or create an agent session, stream its answer token by token with tool calls
// inline, and watch every Server-Sent Event of the stream as it arrives.
import { api, apiError, currentKey, el, requireSignIn } from "/assets/session.js";
import { readEvents } from "/assets/sse.js";

const $ = (id) => document.getElementById(id);
let capabilities = null;
let oldestSession = null;
let run = null; // { id, controller }
let stopAsked = false; // Stop pressed before the run's id arrived

requireSignIn({ check: "/api/agent/capabilities", purpose: "The agent chat needs a gateway key.", ready });

async function ready() {
  capabilities = await api("/api/agent/capabilities");
  if (!capabilities.streaming_enabled) {
    $("streaming-off").hidden = false;
    $("streaming-off").textContent = "Agent streaming is turned off on this gateway, so answers cannot be streamed "
      + "here. An operator turns it on with OPENAI_STREAMING_ENABLED=true and a restart. Sessions can still be "
      + "created and browsed.";
    $("send").disabled = true;
  }
  $("new-model").placeholder = capabilities.default_model;
  for (const tool of capabilities.tools) {
    $("new-tools").append(el("label", { class: "inline", title: tool.description },
      el("input", { type: "checkbox", value: tool.name, name: "tool" }), tool.name));
  }
  $("create-session").onsubmit = (event) => { event.preventDefault(); createSession(); };
  $("more-sessions").onclick = () => loadSessions(false);
  $("ask").onsubmit = (event) => { event.preventDefault(); send(); };
  $("input").onkeydown = (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); send(); }
  };
  $("stop").onclick = stop;
  await loadSessions(true);
}

async function loadSessions(fresh) {
  const query = "?limit=20" + (!fresh && oldestSession ? "&before=" + encodeURIComponent(oldestSession) : "");
  const page = await api("/api/agent/sessions" + query);
  if (fresh) $("session").replaceChildren();
  for (const session of page.data) {
    $("session").append(el("option", { value: session.id }, (session.name || session.id) + " · " + session.model));
    oldestSession = session.id;
  }
  $("more-sessions").hidden = !page.has_more;
  if (!$("session").options.length) {
    $("new-session").open = true;
    $("run-status").textContent = "Create a session to start.";
  }
}

async function createSession() {
  const tools = [...document.querySelectorAll("input[name=tool]:checked")].map((box) => box.value);
  const body = { name: $("new-name").value.trim(), tools };
  if ($("new-model").value.trim()) body.model = $("new-model").value.trim();
  if ($("new-instructions").value.trim()) body.instructions = $("new-instructions").value.trim();
  try {
    const session = await api("/api/agent/sessions", { method: "POST", body });
    $("session").prepend(el("option", { value: session.id }, session.name + " · " + session.model));
    $("session").value = session.id;
    $("new-session").open = false;
    $("run-status").textContent = "Session " + session.id + " created.";
  } catch (error) {
    $("run-status").textContent = error.message;
  }
}

async function send() {
  const text = $("input").value.trim();
  const file = $("image").files[0];
  if (!text && !file) return;
  if (!$("session").value) { $("run-status").textContent = "Pick or create a session first."; return; }
  const image = file ? await readAsDataUrl(file) : null;
  const input = image ? [{ type: "text", text: text || "What is in this picture?" }, { type: "image_url", image_url: image }] : text;
  addMessage("user", text, image);
  $("input").value = "";
  $("image").value = "";
  await stream(input);
}

async function stream(input) {
  resetEvents();
  const started = performance.now();
  let firstToken = null;
  let answer = null; // made at the first text, so that tool calls before it read in order
  const controller = new AbortController();
  $("send").disabled = true;
  $("stop").disabled = false;
  $("run-status").textContent = "Streaming…";
  try {
    const response = await fetch("/api/agent/stream", { method: "POST", signal: controller.signal,
      headers: { Authorization: "Bearer " + currentKey(), "Content-Type": "application/json" },
      body: JSON.stringify({ session_id: $("session").value, input }) });
    if (!response.ok) throw await apiError(response);
    run = { id: response.headers.get("X-Switchboard-Agent-Run-Id"), controller };
    if (stopAsked) stop();
    for await (const event of readEvents(response)) {
      logEvent(event, performance.now() - started);
      switch (event.event) {
        case "text-delta":
          if (firstToken === null) {
            firstToken = performance.now() - started;
            $("ttft").textContent = Math.round(firstToken) + " ms";
          }
          if (!answer) answer = addMessage("assistant", "");
          answer.textContent += event.data.delta;
          break;
        case "tool-call":
          addMessage("tool", "Tool call: " + event.data.name.replaceAll("__", ".") + "(" + event.data.arguments + ")");
          break;
        case "tool-result":
          addMessage("tool", "Tool result: " + (event.data.error ? "error: " + event.data.error : event.data.output));
          break;
        case "run-completed":
          $("tokens").textContent = event.data.usage ? event.data.usage.total_tokens : "–";
          $("run-status").textContent = "Done in " + Math.round(performance.now() - started) + " ms.";
          break;
        case "run-cancelled":
          $("run-status").textContent = "Stopped.";
          break;
        case "error":
          $("run-status").textContent = "The run failed: " + event.data.message;
          break;
        default:
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") $("run-status").textContent = error.message;
  } finally {
    run = null;
    stopAsked = false;
    $("send").disabled = !capabilities.streaming_enabled;
    $("stop").disabled = true;
  }
}

async function stop() {
  $("stop").disabled = true;
  if (!run) {
    stopAsked = true;
    return;
  }
  try {
    await api("/api/agent/runs/" + encodeURIComponent(run.id) + "/cancel", { method: "POST", body: {} });
  } catch (error) {
    // Not on this instance, or already over: stop reading instead.
    if (run) run.controller.abort();
    $("run-status").textContent = "Stopped reading (" + error.message + ").";
  }
}

function addMessage(role, text, image) {
  const node = el("div", { class: "msg " + role, dataset: { role } }, text);
  if (image) node.append(el("img", { src: image, alt: "the image sent" }));
  $("messages").append(node);
  node.scrollIntoView({ block: "nearest" });
  return node;
}

let eventCount = 0;
function resetEvents() {
  eventCount = 0;
  $("events").replaceChildren();
  $("ttft").textContent = "–";
  $("tokens").textContent = "–";
  $("event-count").textContent = "0";
}

function logEvent(event, millis) {
  eventCount += 1;
  $("event-count").textContent = String(eventCount);
  $("events").append(el("details", { dataset: { type: event.event } },
    el("summary", {}, event.event + "  +" + Math.round(millis) + " ms"),
    el("pre", {}, typeof event.data === "string" ? event.data : JSON.stringify(event.data, null, 2))));
  $("events").scrollTop = $("events").scrollHeight;
}

function readAsDataUrl(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

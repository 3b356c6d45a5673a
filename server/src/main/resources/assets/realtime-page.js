// The Realtime console: the browser client of realtime-client.js on a page, with the transcript of both sides
// and every event on the data channel.
import { currentKey, el, requireSignIn } from "/assets/session.js";
import { createRealtime, resizeToDataUrl } from "/assets/realtime-client.js";

const $ = (id) => document.getElementById(id);
let client = null;
let reply = null;

requireSignIn({ check: "/api/realtime/session", purpose: "The Realtime console needs a gateway key.", ready });

function ready() {
  $("connect").onclick = connect;
  $("hangup").onclick = () => client && client.disconnect();
  $("mic-start").onclick = startMic;
  $("mic-stop").onclick = () => client && client.stopMic();
  $("say").onsubmit = (event) => { event.preventDefault(); say(); };
  $("screenshot").onclick = screenshot;
  $("image-file").onchange = sendFile;
  window.addEventListener("pagehide", () => client && client.disconnect());
}

async function connect() {
  $("error").textContent = "";
  $("connect").disabled = true;
  client = createRealtime({ headers: () => ({ Authorization: "Bearer " + currentKey() }), model: $("model").value.trim() || undefined });
  client.on("state", ({ state, detail }) => showState(state, detail));
  client.on("call", (call) => {
    $("call-id").textContent = call.callId + " (session " + call.sessionId + ")";
    document.body.dataset.sessionId = call.sessionId;
    document.body.dataset.callId = call.callId;
  });
  client.on("track", (stream) => { const audio = new Audio(); audio.autoplay = true; audio.srcObject = stream; });
  client.on("level", (level) => { $("level").value = level; });
  client.on("mic", ({ on }) => { $("mic-start").disabled = on; $("mic-stop").disabled = !on; });
  client.on("event", (event) => { logEvent("in", event); transcribe(event); });
  client.on("sent", (event) => logEvent("out", event));
  client.on("error", (event) => showError(event.message));
  // Queued until the channel opens: the session is set up before anything else is said.
  client.send({ type: "session.update", session: { type: "realtime", output_modalities: ["text"],
    audio: { input: { turn_detection: $("vad").checked ? { type: "server_vad" } : null } } } });
  try {
    await client.connect();
  } catch (error) {
    showError("Could not connect: " + error.message);
  }
}

function showState(state, detail) {
  $("state").textContent = state + (detail ? ": " + detail : "");
  $("state").className = "status" + (state === "failed" ? " error" : "");
  const live = state === "connected";
  for (const id of ["message", "send", "screenshot", "image-file", "hangup"]) $(id).disabled = !live;
  $("mic-start").disabled = !live || client.micOn;
  $("mic-stop").disabled = !live || !client.micOn;
  $("connect").disabled = state === "connecting" || state === "retrying" || live;
}

async function startMic() {
  $("error").textContent = "";
  try {
    await client.startMic();
  } catch (error) {
    showError(error.message);
  }
}

function say() {
  const text = $("message").value.trim();
  if (!text) return;
  addMessage("user", text);
  client.send({ type: "conversation.item.create", item: { type: "message", role: "user", content: [{ type: "input_text", text }] } });
  client.send({ type: "response.create" });
  $("message").value = "";
}

async function screenshot() {
  $("error").textContent = "";
  try {
    const image = await client.captureScreenshot({ maxWidth: 1280 });
    addMessage("user", "[screenshot]", image);
    client.sendImage(image, "What do you see in this screenshot?");
  } catch (error) {
    showError("No screenshot: " + (error.name === "NotAllowedError" ? "screen sharing was not allowed." : error.message));
  }
}

function sendFile() {
  const file = $("image-file").files[0];
  if (!file) return;
  const image = new Image();
  image.onload = () => {
    const dataUrl = resizeToDataUrl(image, image.naturalWidth, image.naturalHeight, 1280);
    URL.revokeObjectURL(image.src);
    addMessage("user", "[image " + file.name + "]", dataUrl);
    client.sendImage(dataUrl, "What do you see in this image?");
    $("image-file").value = "";
  };
  image.onerror = () => showError("That file is not an image this browser can read.");
  image.src = URL.createObjectURL(file);
}

function transcribe(event) {
  switch (event.type) {
    case "response.created":
      reply = null;
      break;
    case "response.output_text.delta":
    case "response.output_audio_transcript.delta":
      if (!reply) reply = addMessage("assistant", "");
      reply.textContent += event.delta;
      break;
    case "conversation.item.input_audio_transcription.completed":
      addMessage("user", "🎤 " + event.transcript);
      break;
    case "error":
      showError("OpenAI: " + event.error.message);
      break;
    default:
  }
}

function addMessage(role, text, image) {
  const node = el("div", { class: "msg " + role, dataset: { role } }, text);
  if (image) node.append(el("img", { src: image, alt: "the picture sent" }));
  $("transcript").append(node);
  node.scrollIntoView({ block: "nearest" });
  return node;
}

const started = performance.now();
function logEvent(direction, event) {
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const entry = el("details", { dataset: { type: event.type, direction } },
    el("summary", {}, (direction === "in" ? "← " : "→ ") + event.type + "  +" + seconds + " s"),
    el("pre", {}, JSON.stringify(event, shorten, 2)));
  $("events").append(entry);
  $("events").scrollTop = $("events").scrollHeight;
}

// Audio and images are long base64 strings: the log shows their size.
function shorten(key, value) {
  return typeof value === "string" && value.length > 300 ? "[" + value.length + " characters]" : value;
}

function showError(message) {
  $("error").textContent = message;
}

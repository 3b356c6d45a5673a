// Switchboard's browser Realtime client: a plain ES module any app can import from the gateway
// (import { createRealtime } from "/assets/realtime-client.js"). It makes a WebRTC call to OpenAI's Realtime API
// through the gateway (the gateway brokers the SDP offer and hands out the ICE servers), and gives the
// `useRealtime` shape: on/off/send over the `oai-events` data channel, startMic/stopMic, a level meter,
// screenshots sent as input_image, a retry when the connection fails, and full cleanup.

/** Why the microphone could not be opened, with a message a person can act on. */
export class MicrophoneError extends Error {
  constructor(reason, message, cause) {
    super(message);
    this.reason = reason; // "denied" | "not_found" | "failed"
    this.cause = cause;
  }
}

export function microphoneError(error) {
  if (error && (error.name === "NotAllowedError" || error.name === "SecurityError")) {
    return new MicrophoneError("denied", "Microphone permission denied: allow this site to use the microphone in the "
      + "browser's site settings, then try again.", error);
  }
  if (error && (error.name === "NotFoundError" || error.name === "OverconstrainedError")) {
    return new MicrophoneError("not_found", "No microphone found: connect one, then try again.", error);
  }
  return new MicrophoneError("failed", "The microphone could not be opened (" + (error && error.message || error)
    + "). Close other apps using it and try again.", error);
}

/**
 * @param {object} options
 * @param {() => Record<string,string>} options.headers  headers for the gateway (the Authorization header)
 * @param {string} [options.sessionUrl]  the gateway's session route
 * @param {string} [options.model]       a Realtime model the gateway offers (its default otherwise)
 * @param {number} [options.retries]     reconnection attempts after a failed connection (default 2)
 */
export function createRealtime({ headers, sessionUrl = "/api/realtime/session", model, retries = 2 } = {}) {
  const handlers = new Map();
  const queue = [];
  let pc = null;
  let channel = null;
  let sender = null;
  let mic = null;
  let meter = null;
  let state = "idle";
  let attempts = 0;
  let responseActive = false;
  let leaving = false;
  const info = { callId: null, sessionId: null, iceServers: [] };

  function on(type, handler) {
    if (!handlers.has(type)) handlers.set(type, new Set());
    handlers.get(type).add(handler);
  }

  function off(type, handler) {
    const set = handlers.get(type);
    if (!set) return;
    set.delete(handler);
    if (set.size === 0) handlers.delete(type);
  }

  // One failing handler must not stop the others, nor the client.
  function emit(type, data) {
    for (const key of [type, "*"]) {
      for (const handler of handlers.get(key) || []) {
        try {
          handler(data);
        } catch (error) {
          console.error("Realtime handler for " + type + " failed:", error);
        }
      }
    }
  }

  function setState(next, detail) {
    state = next;
    emit("state", { state: next, detail });
  }

  /** Sends a client event; queued while the channel is not open, sent in order once it opens. */
  function send(event) {
    if (channel && channel.readyState === "open") {
      try {
        channel.send(JSON.stringify(event));
        emit("sent", event);
        return;
      } catch (error) {
        console.warn("Realtime send failed; queued for retry:", error);
      }
    }
    queue.push(event);
  }

  function flush() {
    while (queue.length && channel && channel.readyState === "open") {
      const event = queue.shift();
      channel.send(JSON.stringify(event));
      emit("sent", event);
    }
  }

  async function connect() {
    leaving = false;
    attempts = 0;
    return open();
  }

  async function open() {
    setState("connecting");
    try {
      const config = await request("GET");
      info.iceServers = (await config.json()).ice_servers || [];
      pc = new RTCPeerConnection({ iceServers: info.iceServers });
      // An audio line from the start, so that the microphone can be switched on and off without renegotiating.
      const transceiver = pc.addTransceiver("audio", { direction: "sendrecv" });
      sender = transceiver.sender;
      if (mic) await sender.replaceTrack(mic.getAudioTracks()[0]);
      pc.ontrack = (event) => emit("track", event.streams[0] || new MediaStream([event.track]));
      pc.onconnectionstatechange = () => {
        if (!pc) return;
        if (pc.connectionState === "failed") retry("the WebRTC connection failed");
        else if (pc.connectionState === "closed") ended("the call ended");
      };
      channel = pc.createDataChannel("oai-events");
      channel.onopen = () => {
        setState("connected");
        flush();
      };
      channel.onclose = () => ended("the call ended");
      channel.onerror = (event) => emit("error", { message: "data channel error", event });
      channel.onmessage = (message) => {
        let event;
        try {
          event = JSON.parse(message.data);
        } catch (error) {
          console.error("Not a JSON event on the data channel:", error);
          return;
        }
        if (event.type === "response.created") responseActive = true;
        if (event.type === "response.done") responseActive = false;
        emit(event.type, event);
        emit("event", event);
      };
      await pc.setLocalDescription(await pc.createOffer());
      const answer = await request("POST", pc.localDescription.sdp);
      info.callId = answer.headers.get("X-Switchboard-Call-Id");
      info.sessionId = answer.headers.get("X-Switchboard-Session-Id");
      await pc.setRemoteDescription({ type: "answer", sdp: await answer.text() });
      emit("call", { ...info });
    } catch (error) {
      closePeer();
      setState("failed", error.message);
      throw error;
    }
  }

  async function request(method, sdp) {
    const query = model ? "?model=" + encodeURIComponent(model) : "";
    const init = { method, headers: { ...headers() } };
    if (sdp) {
      init.headers["Content-Type"] = "application/sdp";
      init.body = sdp;
    }
    const response = await fetch(sessionUrl + query, init);
    if (!response.ok) {
      let message = "The gateway answered HTTP " + response.status;
      try { message = (await response.json()).error.message; } catch (e) { /* keep the status line */ }
      throw new Error(message);
    }
    return response;
  }

  async function retry(why) {
    closePeer();
    if (leaving) return;
    if (attempts >= retries) {
      setState("failed", why + "; gave up after " + attempts + " retries");
      return;
    }
    attempts += 1;
    setState("retrying", why + "; retry " + attempts + " of " + retries);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempts));
    if (!leaving) open().catch(() => { /* reported through the state */ });
  }

  function ended(why) {
    if (!pc) return;
    closePeer();
    setState("closed", why);
  }

  function closePeer() {
    const peer = pc;
    pc = null;
    channel = null;
    sender = null;
    responseActive = false;
    if (peer) peer.close();
  }

  /** Opens the microphone and sends it as the call's audio. Throws MicrophoneError. */
  async function startMic() {
    if (mic) return;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new MicrophoneError("failed", "This browser cannot open a microphone here (a secure origin, https or "
        + "localhost, is needed).");
    }
    try {
      mic = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      throw microphoneError(error);
    }
    if (sender) await sender.replaceTrack(mic.getAudioTracks()[0]);
    startMeter();
    emit("mic", { on: true });
  }

  /** Stops the microphone, and cancels the response in progress (the user stopped talking to it). */
  function stopMic() {
    if (!mic) return;
    if (sender) sender.replaceTrack(null);
    mic.getTracks().forEach((track) => track.stop());
    mic = null;
    stopMeter();
    if (responseActive) send({ type: "response.cancel" });
    emit("mic", { on: false });
  }

  function startMeter() {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(mic).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const sample of samples) sum += sample * sample;
      emit("level", Math.min(1, Math.sqrt(sum / samples.length) * 4));
    }, 100);
    meter = { context, timer };
  }

  function stopMeter() {
    if (!meter) return;
    clearInterval(meter.timer);
    meter.context.close();
    meter = null;
    emit("level", 0);
  }

  /** Captures the screen (or a window or tab the user picks) as a PNG data URL at most maxWidth wide. */
  async function captureScreenshot({ maxWidth = 1280 } = {}) {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
    try {
      const video = document.createElement("video");
      video.muted = true;
      video.srcObject = stream;
      await video.play();
      if (!video.videoWidth) await new Promise((resolve) => video.addEventListener("loadedmetadata", resolve, { once: true }));
      return resizeToDataUrl(video, video.videoWidth, video.videoHeight, maxWidth);
    } finally {
      stream.getTracks().forEach((track) => track.stop());
    }
  }

  /** Sends an image (a data URL) as a user message, with optional text, and asks for a response. */
  function sendImage(dataUrl, text) {
    const content = [];
    if (text) content.push({ type: "input_text", text });
    content.push({ type: "input_image", image_url: dataUrl });
    send({ type: "conversation.item.create", item: { type: "message", role: "user", content } });
    send({ type: "response.create" });
  }

  /** Ends the call and releases everything: peer, channel, microphone, meter, queued events, handlers stay. */
  function disconnect() {
    leaving = true;
    stopMic();
    queue.length = 0;
    if (pc) ended("you hung up");
  }

  return {
    on, off, send, connect, disconnect, startMic, stopMic, captureScreenshot, sendImage,
    get state() { return state; },
    get micOn() { return mic !== null; },
    get call() { return { ...info }; },
  };
}

/** Draws a picture (video, image or canvas) scaled to at most maxWidth (and maxWidth tall), as a PNG data URL. */
export function resizeToDataUrl(source, width, height, maxWidth = 1280) {
  const ratio = Math.min(1, maxWidth / width, maxWidth / height);
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * ratio));
  canvas.height = Math.max(1, Math.round(height * ratio));
  canvas.getContext("2d").drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/png");
}

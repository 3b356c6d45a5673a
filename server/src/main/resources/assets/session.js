// Signing in to the gateway's pages: the gateway key lives in this browser tab's sessionStorage (never in a URL,
// never in localStorage), and every API call sends it as a Bearer token.
const STORAGE = "switchboard.key";

export function currentKey() {
  return sessionStorage.getItem(STORAGE);
}

export function signOut() {
  sessionStorage.removeItem(STORAGE);
  location.reload();
}

/** An API error with the gateway's OpenAI-shaped message and the HTTP status. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the gateway with the key; JSON in and out. Throws ApiError with the gateway's own message. */
export async function api(path, { method = "GET", body, headers = {}, signal, raw = false } = {}) {
  const init = { method, headers: { Authorization: "Bearer " + currentKey(), ...headers }, signal };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    if (!init.headers["Content-Type"]) init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await apiError(response);
  if (raw) return response;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : response.text();
}

export async function apiError(response) {
  try {
    const body = await response.json();
    const error = body.error || {};
    return new ApiError(response.status, error.message || "HTTP " + response.status, error.code);
  } catch (e) {
    return new ApiError(response.status, "The gateway answered HTTP " + response.status + ".");
  }
}

/**
 * Shows the sign-in form until a key works, then calls ready(). `check` is an API path the key must be allowed
 * to read (an admin page checks an admin route).
 */
export function requireSignIn({ check, purpose, ready }) {
  const form = document.getElementById("signin");
  const app = document.getElementById("app");
  const who = document.getElementById("who");
  const start = async () => {
    try {
      await api(check);
    } catch (e) {
      sessionStorage.removeItem(STORAGE);
      // The gateway's message says what to do (an admin key is needed, Realtime is off, …).
      showForm(e.status === 401 ? "That key was not accepted: " + e.message : e.message);
      return;
    }
    form.hidden = true;
    app.hidden = false;
    who.hidden = false;
    document.getElementById("signout").onclick = signOut;
    ready();
  };
  const showForm = (message) => {
    form.hidden = false;
    app.hidden = true;
    who.hidden = true;
    document.getElementById("signin-purpose").textContent = purpose;
    document.getElementById("signin-error").textContent = message || "";
    document.getElementById("signin-key").focus();
  };
  form.onsubmit = (event) => {
    event.preventDefault();
    const key = document.getElementById("signin-key").value.trim();
    if (!key) { showForm("Enter a gateway key (./switchboard keys create)."); return; }
    sessionStorage.setItem(STORAGE, key);
    document.getElementById("signin-key").value = "";
    start();
  };
  if (currentKey()) start(); else showForm("");
}

/** Text for an element, never HTML: everything the gateway returns is shown as text. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

import { authHeaders } from "./api.js";

// The event stream (GET /api/v1/events/stream, Server-Sent Events), read
// with fetch rather than EventSource so that it can carry the token and so
// that we know at every moment whether it is connected. Calls
// onTree({tree_size, root}) for each "tree" event, and onState(state) with
// "connecting", "live" or "down" as the connection changes. A stream that
// says nothing (not even its 15-second keepalive) for silenceMs is taken as
// down and opened again. Reconnects back off from 1 s to 30 s.
export function openEventStream({ url = "/api/v1/events/stream", token, onTree, onState, silenceMs = 40000 }) {
  let stopped = false;
  let ctl = null;
  let delay = 1000;
  let silence = null;

  const armSilence = () => {
    clearTimeout(silence);
    silence = setTimeout(() => ctl && ctl.abort(), silenceMs);
  };

  async function once() {
    ctl = new AbortController();
    onState("connecting");
    armSilence();
    const res = await fetch(url, { headers: { Accept: "text/event-stream", ...authHeaders(token()) }, signal: ctl.signal, cache: "no-store" });
    if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`);
    onState("live");
    delay = 1000;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let event = "message";
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      armSilence();
      buf += value;
      let i;
      while ((i = buf.search(/\r?\n/)) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + (buf[i] === "\r" ? 2 : 1));
        if (line === "") {
          if (data.length && event === "tree") {
            try {
              onTree(JSON.parse(data.join("\n")));
            } catch {
              /* a malformed event is skipped */
            }
          }
          event = "message";
          data = [];
        } else if (line.startsWith(":")) {
          /* keepalive */
        } else {
          const c = line.indexOf(":");
          const field = c < 0 ? line : line.slice(0, c);
          const val = c < 0 ? "" : line.slice(c + 1).replace(/^ /, "");
          if (field === "event") event = val;
          else if (field === "data") data.push(val);
        }
      }
    }
  }

  (async () => {
    while (!stopped) {
      try {
        await once();
      } catch {
        /* fall through to the reconnect */
      }
      clearTimeout(silence);
      if (stopped) break;
      onState("down");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30000);
    }
  })();

  return {
    stop() {
      stopped = true;
      clearTimeout(silence);
      if (ctl) ctl.abort();
    },
    reconnect() {
      delay = 1000;
      if (ctl) ctl.abort();
    },
  };
}

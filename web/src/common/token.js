// The token a device keeps. The dashboard and the entry page keep theirs
// under different keys: a monitor's token on a phone is not an analyst's.
// A token may arrive in the address's fragment (#token=..., as printed by
// `passage token create --qr`); it is kept and the fragment removed at once,
// so it is neither left in the history nor shown over a shoulder.

export function loadToken(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

export function saveToken(key, token) {
  const t = (token || "").trim();
  if (t) localStorage.setItem(key, t);
  else localStorage.removeItem(key);
  return t;
}

// Takes a token from #token=... (other fragment parameters are kept).
// Returns the token or "" when the address carries none.
export function takeTokenFromFragment(key) {
  const h = location.hash.replace(/^#/, "");
  if (!h) return "";
  const p = new URLSearchParams(h);
  const t = p.get("token");
  if (!t) return "";
  saveToken(key, t);
  p.delete("token");
  const rest = p.toString();
  history.replaceState(history.state, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  return t;
}

import { ApiError, apiUrl, authHeaders, fetchWithTimeout } from "./api.js";

// Downloads an API answer as a file. A plain link cannot carry the
// Authorization header, so the answer is fetched and handed to the browser
// as a blob: what is saved is exactly what the server sent.
export async function downloadApi(path, params, token, filename) {
  const res = await fetchWithTimeout(apiUrl(path, params), { headers: authHeaders(token) }, 60000);
  if (!res.ok) {
    let msg = `${res.status}`;
    try {
      const b = await res.json();
      if (b?.error?.message) msg = b.error.message;
    } catch {
      /* keep the status */
    }
    throw new ApiError(res.status, msg);
  }
  const blob = await res.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

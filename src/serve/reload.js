(function () {
  var base = document.currentScript ? document.currentScript.getAttribute("data-base") : "";
  var es = new EventSource(base + "/__stillpoint/events");
  function swapStyles() {
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (old) {
      var url = new URL(old.href);
      url.searchParams.set("stillpoint", Date.now());
      var fresh = old.cloneNode();
      fresh.href = url.href;
      fresh.onload = function () { old.remove(); };
      old.after(fresh);
    });
  }
  // This page swapped in a version published before its rebuild was over (fast render).
  var early = false;
  // Swaps and the overlay happen one after the other, in the order the events came.
  var queue = Promise.resolve();
  function later(step) { queue = queue.then(step, step); }
  function swapPage() {
    // Fetch the rebuilt page and put its body in place: no navigation, so the reader keeps
    // the scroll position and nothing flashes. A changed <head> (title, styles) reloads.
    later(function () {
      return fetch(location.href, { cache: "no-store" }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        if (doc.head.innerHTML !== document.head.innerHTML) { location.reload(); return; }
        var y = window.scrollY;
        document.body.replaceWith(doc.body);
        window.scrollTo(0, y);
      }).catch(function () { location.reload(); });
    });
  }
  es.addEventListener("reload", function (e) {
    early = false;
    var kinds = String(e.data).split(",");
    if (kinds.indexOf("page") >= 0) { swapPage(); }
    if (kinds.indexOf("css") >= 0) { swapStyles(); }
  });
  es.addEventListener("updated", function (e) {
    // The saved file's own pages, served before the rest of a long rebuild: the page showing
    // one of them swaps now; every page swaps again when the rebuild is over.
    var here;
    try { here = decodeURI(location.pathname); } catch (err) { return; }
    if (String(e.data).split("\n").indexOf(here) >= 0) { early = true; swapPage(); }
  });
  function showError(text) {
    var o = document.getElementById("stillpoint-overlay");
    if (!o) {
      o = document.createElement("div");
      o.id = "stillpoint-overlay";
      o.setAttribute("role", "alert");
      o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#14100e;color:#fff;padding:2rem;font:15px/1.5 ui-monospace,Menlo,Consolas,monospace";
      var h = document.createElement("p");
      h.style.cssText = "font:bold 18px/1.4 system-ui,sans-serif;margin:0 0 1rem";
      h.textContent = "The last save has an error. Fix it and save again; this page updates by itself.";
      var pre = document.createElement("pre");
      pre.id = "stillpoint-overlay-text";
      pre.style.cssText = "white-space:pre-wrap;margin:0";
      o.appendChild(h);
      o.appendChild(pre);
      document.body.appendChild(o);
    }
    document.getElementById("stillpoint-overlay-text").textContent = text;
  }
  es.addEventListener("failed", function (e) {
    // The rest of the rebuild failed: the server took the early version back, so this page
    // shows the last good one again, under the error.
    if (early) {
      early = false;
      swapPage();
    }
    later(function () { showError(e.data); });
  });
})();

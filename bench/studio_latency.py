#!/usr/bin/env python3
"""Save-to-served-page latency of `stillpoint serve` on a site (the studio site by default).

Copies the site to a scratch folder, starts `stillpoint serve` on 127.0.0.1, then N times
appends a unique marker paragraph to one content file and polls that page over HTTP (loopback
only) until the marker appears. Latency = end of the write -> first response with the marker.
Prints p50 / p95 / min / max in ms. The server is stopped at the end.

Usage: bench/studio_latency.py BIN [--site DIR] [--page content/faq.md --url-path /faq/] [--edits 20]
"""
import argparse, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("bin")
ap.add_argument("--site", default=os.path.join(os.path.dirname(__file__), ".."))
ap.add_argument("--page", default="content/faq.md")
ap.add_argument("--url-path", default="/faq/")
ap.add_argument("--edits", type=int, default=20)
ap.add_argument("--settle", type=float, default=0.5)
a = ap.parse_args()

work = tempfile.mkdtemp(prefix="sp-latency-")
site = os.path.join(work, "site")
ignore = shutil.ignore_patterns("target", "public", ".git", "tests", "src")
shutil.copytree(a.site, site, ignore=ignore)
proc = subprocess.Popen([a.bin, "serve", "--root", site, "--port", "0"], stderr=subprocess.PIPE, text=True)
base = None
deadline = time.time() + 60
while time.time() < deadline and base is None:
    line = proc.stderr.readline()
    m = re.search(r"Serving the site at (http://\S+?)/? ", line)
    if m:
        base = m.group(1)
if base is None:
    proc.kill(); sys.exit("serve did not start")
url = base + a.url_path
samples = []
try:
    for i in range(a.edits):
        marker = f"LATENCY-MARKER-{i}-{time.time_ns()}"
        with open(os.path.join(site, a.page), "a", encoding="utf-8") as f:
            f.write(f"\n\n{marker}\n")
        t0 = time.perf_counter()
        while True:
            try:
                body = urllib.request.urlopen(url, timeout=5).read().decode("utf-8", "replace")
            except Exception:
                body = ""
            if marker in body:
                samples.append((time.perf_counter() - t0) * 1000)
                break
            if time.perf_counter() - t0 > 30:
                sys.exit(f"edit {i}: marker not seen after 30 s")
            time.sleep(0.002)
        time.sleep(a.settle)
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(work, ignore_errors=True)
samples.sort()
p = lambda q: samples[min(len(samples) - 1, int(round(q * (len(samples) - 1))))]
print(f"edits={len(samples)} p50={p(0.5):.1f} ms p95={p(0.95):.1f} ms min={samples[0]:.1f} ms max={samples[-1]:.1f} ms")

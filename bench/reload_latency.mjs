// Save-to-browser-update latency of `stillpoint serve`: a real browser (Debian's chromium,
// headless, driven by puppeteer-core from audit/node_modules) shows a page of the studio site;
// N times a marker paragraph is appended to the page's markdown file, and the time until the
// open page (updated by the live-reload script, with no action of ours) shows the marker is
// recorded (until the open page's text shows it). Prints p50 / p95 / min / max in ms.
//
// Usage: node bench/reload_latency.mjs BIN [--edits 20] [--page content/faq.md] [--path /faq/]
// (run `npm ci --prefix audit --ignore-scripts` first).
import { spawn } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "audit", "package.json"));
const puppeteer = require("puppeteer-core");

const args = process.argv.slice(2);
const bin = args[0];
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const edits = Number(opt("--edits", "20"));
const page = opt("--page", "content/faq.md");
const path = opt("--path", "/faq/");

const work = mkdtempSync(join(tmpdir(), "sp-reload-"));
const site = join(work, "site");
// Everything a build reads (the studio's pages cite from data/references.yaml).
for (const p of ["config.yaml", "content", "themes", "data", "static", "templates"]) {
  if (existsSync(join(here, "..", p))) cpSync(join(here, "..", p), join(site, p), { recursive: true });
}

const server = spawn(bin, ["serve", "--root", site, "--port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
const base = await new Promise((resolve, reject) => {
  let buf = "";
  server.stderr.on("data", (d) => {
    buf += d;
    const m = buf.match(/Serving the site at (http:\/\/\S+?)\/? /);
    if (m) resolve(m[1]);
  });
  setTimeout(() => reject(new Error("serve did not start")), 60000);
});

const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const samples = [];
try {
  const tab = await browser.newPage();
  await tab.goto(base + path, { waitUntil: "load" });
  for (let i = 0; i < edits; i++) {
    const marker = `RELOAD-MARKER-${i}-${Date.now()}`;
    await new Promise((r) => setTimeout(r, 400));
    // The page itself watches for the text (every ms, by its own clock), so the figure is
    // what a person would see, without the driver's round trips.
    await tab.evaluate((m) => {
      window.__seenAt = null;
      const iv = setInterval(() => {
        if (document.body !== null && document.body.innerText.includes(m)) {
          window.__seenAt = Date.now();
          clearInterval(iv);
        }
      }, 1);
    }, marker);
    const t0 = Date.now();
    appendFileSync(join(site, page), `\n\n${marker}\n`);
    await tab.waitForFunction(() => window.__seenAt !== null, { polling: 20, timeout: 30000 });
    samples.push((await tab.evaluate(() => window.__seenAt)) - t0);
  }
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.min(samples.length - 1, Math.round(p * (samples.length - 1)))];
console.log(`edits=${samples.length} p50=${q(0.5).toFixed(1)} ms p95=${q(0.95).toFixed(1)} ms min=${samples[0].toFixed(1)} ms max=${samples[samples.length - 1].toFixed(1)} ms`);

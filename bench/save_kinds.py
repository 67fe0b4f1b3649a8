#!/usr/bin/env python3
"""Serve latency by kind of save: how long `stillpoint serve` takes to show each kind of edit.

Python 3.11 standard library only.

    bench/save_kinds.py --bin target/release/stillpoint            10,000 pages, 20 saves a kind
    bench/save_kinds.py --bin target/debug/stillpoint --smoke      100 pages, 2 saves a kind (CI)

The site is gen_site.py's (``--pages``, seed 42, the ``ours`` flavor). It is reused from
run_anchors.py's cache (WORKDIR/site-N-seedS[-navX]) when that matches, else generated into
WORKDIR/save-kinds-site-N-seedS[-navX]. It is copied to a fresh scratch folder under
WORKDIR/out, the server is started there (``serve --root SITE --interface 127.0.0.1 --port P``;
the address it prints is the one polled), and once it answers, every kind of save is made
``--saves`` times, ``--settle`` seconds apart. Each save is written in place, as an editor
does (open, truncate, write, close); the time from the end of the write until the served
page over HTTP (loopback) shows the change is one sample. What is polled proves the change
is visible:

    text     a page's body gets a new paragraph          the page shows it
    title    a page's title                               the page's <h1> is the new title
    date     a page's date                                the page shows the new date
    weight   a page's weight: last in its section, back   the section's listing has the new order
    draft    `draft: true` added to a page, then removed  its URL 404s; then 200s with its title
    new      a new page in a section                      its URL 200s with its text
    delete   that new page deleted                        its URL 404s
    rename   a page's file renamed, then renamed back     the new URL 200s with its title and
                                                          the old one 404s
    section  a section's `_index.md` title                the section page's <h1> shows it

Alternating kinds (weight, draft, rename) count each direction as one save. Every save also
notes the server's own summary lines (``... changed: rebuilt N pages (M files) in T ms``):
a rebuild of at least half the pages of the first build is ``all``, fewer is ``partial``.
(``all`` is a full build or an incremental one that every page depends on: a section's title
shown in a nav on every page re-renders every page either way; the server's line does not say
which, and its time is the server's own.) For a section's title, the last column is the time
until a page of another section shows it in its nav: `serve` shows the saved section's own page
first and the rest of the rebuild after it (its fast render), so the two differ.

Results: a markdown table on stdout (and in ``--markdown FILE``), every sample in ``--json
FILE``. The server is stopped by its process id at the end, also on errors and Ctrl-C; the
scratch folder is then deleted (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

KINDS = ["text", "title", "date", "weight", "draft", "new", "delete", "rename", "section"]


def log(msg: str) -> None:
    print(f"[save_kinds {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# the site
# --------------------------------------------------------------------------------------------


def find_gen_site(given: str | None) -> Path:
    """gen_site.py: --gen-site, else $BENCH_DIR, ../shared/bench beside the repo, /work/shared/bench."""
    repo = Path(__file__).resolve().parent.parent
    candidates = [Path(given)] if given else []
    if os.environ.get("BENCH_DIR"):
        candidates.append(Path(os.environ["BENCH_DIR"]) / "gen_site.py")
    candidates += [repo.parent / "shared" / "bench" / "gen_site.py",
                   Path("/work/shared/bench/gen_site.py")]
    for c in candidates:
        if c.is_file():
            return c
    sys.exit("save_kinds.py: gen_site.py not found; pass --gen-site or set BENCH_DIR")


def ensure_site(args, gen_site: Path) -> Path:
    """The `ours` flavor of a gen_site.py site with --pages/--seed/--nav (see the module doc)."""
    nav = "" if args.nav == "full" else f"-nav{args.nav}"
    workdir = Path(args.workdir)
    want = {"pages": args.pages, "seed": args.seed, "nav": args.nav,
            "generator_mtime": gen_site.stat().st_mtime_ns}
    anchors = workdir / f"site-{args.pages}-seed{args.seed}{nav}"
    for root in (anchors, workdir / f"save-kinds-site-{args.pages}-seed{args.seed}{nav}"):
        stamp = root / ".gen_site.json"
        if stamp.is_file() and json.loads(stamp.read_text()) == want and (root / "ours").is_dir():
            return root / "ours"
    root = workdir / f"save-kinds-site-{args.pages}-seed{args.seed}{nav}"
    log(f"generating a {args.pages}-page site in {root}")
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(gen_site), str(root), "--pages", str(args.pages),
                    "--seed", str(args.seed), "--flavor", "all", "--nav", args.nav,
                    "--force"], check=True, stdout=subprocess.DEVNULL)
    (root / ".gen_site.json").write_text(json.dumps(want))
    return root / "ours"


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------


class Server:
    """`stillpoint serve` on 127.0.0.1, its stderr collected line by line with arrival times."""

    def __init__(self, binary: str, site: Path, port: int, log_path: Path):
        self.cmd = [binary, "serve", "--root", str(site), "--interface", "127.0.0.1",
                    "--port", str(port)]
        self.lines: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        self.log = open(log_path, "w", encoding="utf-8")
        # stillpoint prints everything on stderr; stdout joins it in the same pipe.
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                self.lines.append((time.perf_counter(), line))
            self.log.write(line + "\n")
            self.log.flush()

    def lines_since(self, t: float) -> list[str]:
        with self.lock:
            return [line for at, line in self.lines if at >= t]

    def wait_ready(self, timeout: float) -> tuple[int, int]:
        """Waits for "Serving the site at URL" and an HTTP answer; returns (port, pages built)."""
        deadline = time.monotonic() + timeout
        port = pages = None
        while port is None:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}: "
                                   + " | ".join(line for _, line in self.lines[-5:]))
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start within {timeout} s")
            with self.lock:
                for _, line in self.lines:
                    m = re.search(r"Serving the site at http://[^:/]+:(\d+)", line)
                    if m:
                        port = int(m.group(1))
                    m = re.search(r"Built (\d+) pages?", line)
                    if m:
                        pages = int(m.group(1))
            time.sleep(0.02)
        while True:
            try:
                if http_get(port, "/")[0] == 200:
                    return port, pages or 0
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {timeout} s")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM by process id, SIGKILL after 10 s."""
        p = self.proc
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=10)
        self.reader.join(timeout=5)
        self.log.close()


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cache-Control": "no-cache", "Connection": "close"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# the saves
# --------------------------------------------------------------------------------------------


def write_in_place(path: Path, text: str) -> None:
    """As an editor saves: the same file opened, truncated, written and closed."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def set_front(text: str, key: str, value: str | None) -> str:
    """`text` with the front matter line `key:` set to `value` (added if missing, removed if None)."""
    _, front, body = text.split("---\n", 2)
    lines = [line for line in front.splitlines() if not line.startswith(f"{key}:")]
    if value is not None:
        lines.append(f"{key}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def listing_order(body: bytes) -> list[str]:
    """The last path parts of the links in a section page's `<ul class="pages">`, in order."""
    m = re.search(rb'<ul class="pages">(.*?)</ul>', body, re.S)
    if not m:
        return []
    return [h.decode().rstrip("/").rsplit("/", 1)[-1] for h in re.findall(rb'href="([^"]*)"', m.group(1))]


class Saves:
    """Makes the saves of every kind on the scratch site; each returns (what to poll, check)."""

    def __init__(self, site: Path, sections: int, tag: str):
        self.site = site
        self.content = site / "content"
        self.tag = tag
        self.sections = sections
        self.weight_moved = False
        self.drafted = False
        self.renamed = False
        self.new_pages: list[str] = []

    def sec(self, k: int) -> int:
        """A different section for each kind, so that saves of one kind do not meet another's."""
        return 1 + (k * 7) % self.sections

    def page(self, kind: str) -> tuple[Path, str]:
        """The page that saves of `kind` edit: a page of the site, or for the kinds that take
        a page away (draft, rename), one that `prepare` added, since pages of gen_site.py's
        sites link to each other and stillpoint refuses a link to a page that is gone."""
        s = self.sec(KINDS.index(kind))
        if kind in ("draft", "rename"):
            return self.content / f"sec-{s}" / f"bench-{kind}.md", f"/sec-{s}/bench-{kind}/"
        p = 1 + (KINDS.index(kind) * 11 + 3) % 50
        return self.content / f"sec-{s}" / f"page-{p}.md", f"/sec-{s}/page-{p}/"

    def prepare(self, saves: int) -> None:
        """Adds the pages that nothing links to, before the server starts: one to draft, one to
        rename, and `saves` to delete when `new` has made none."""
        def add(path: Path, title: str) -> None:
            path.write_text(f'---\ntitle: "{title}"\ndate: 2024-01-01\nweight: 500\n---\n\n'
                            f"A page for the benchmark ({title}).\n")
        add(self.page("draft")[0], "Bench draft")
        add(self.page("rename")[0], "Bench rename")
        s = self.sec(KINDS.index("delete"))
        for i in range(saves):
            add(self.content / f"sec-{s}" / f"bench-delete-{i}.md", f"Bench delete {i}")

    def make(self, kind: str, i: int):
        """Makes save `i` of `kind`; returns (url, predicate on (status, body))."""
        mark = f"{self.tag}x{kind}x{i}"
        if kind == "text":
            path, url = self.page(kind)
            write_in_place(path, path.read_text() + f"\n\nEdited {mark} here.\n")
            return url, lambda st, b: st == 200 and f"Edited {mark} here.".encode() in b
        if kind == "title":
            path, url = self.page(kind)
            title = f"Title {mark}"
            write_in_place(path, set_front(path.read_text(), "title", f'"{title}"'))
            return url, lambda st, b: st == 200 and f"<h1>{title}</h1>".encode() in b
        if kind == "date":
            path, url = self.page(kind)
            date = f"{2030 + i // 336:04d}-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}"
            write_in_place(path, set_front(path.read_text(), "date", date))
            return url, lambda st, b: st == 200 and f'datetime="{date}"'.encode() in b
        if kind == "weight":
            return self.weight()
        if kind == "draft":
            return self.draft()
        if kind == "new":
            s = self.sec(KINDS.index("new"))
            page = f"sec-{s}/bench-new-{i}"
            self.new_pages.append(page)
            write_in_place(self.content / f"{page}.md",
                           f'---\ntitle: "New {mark}"\ndate: 2024-01-01\nweight: 500\n---\n\n'
                           f"A new page, {mark}.\n")
            return f"/{page}/", lambda st, b: st == 200 and f"A new page, {mark}.".encode() in b
        if kind == "delete":
            # The pages `new` made, else those `prepare` made.
            if self.new_pages:
                page = self.new_pages.pop()
            else:
                page = f"sec-{self.sec(KINDS.index(kind))}/bench-delete-{i}"
            (self.content / f"{page}.md").unlink()
            return f"/{page}/", lambda st, b: st == 404
        if kind == "rename":
            return self.rename()
        if kind == "section":
            s = self.sec(KINDS.index(kind))
            path = self.content / f"sec-{s}" / "_index.md"
            title = f"Section {mark}"
            write_in_place(path, set_front(path.read_text(), "title", f'"{title}"'))
            # A page of another section shows the title in its nav (with --nav full).
            other = 1 + s % self.sections
            self.elsewhere = (f"/sec-{other}/page-1/",
                              lambda st, b: st == 200 and f">{title}</a>".encode() in b)
            return f"/sec-{s}/", lambda st, b: st == 200 and f"<h1>{title}</h1>".encode() in b
        raise ValueError(kind)

    def weight(self):
        path, _ = self.page("weight")
        s = self.sec(KINDS.index("weight"))
        name = path.stem
        p = int(name.split("-")[1])
        self.weight_moved = not self.weight_moved
        write_in_place(path, set_front(path.read_text(), "weight",
                                       "100000" if self.weight_moved else str(p)))
        moved = self.weight_moved
        after = f"page-{p + 1}"

        def shown(st: int, b: bytes) -> bool:
            order = listing_order(b)
            if st != 200 or name not in order:
                return False
            if moved:
                return order[-1] == name
            return after in order and order.index(name) + 1 == order.index(after)
        return f"/sec-{s}/", shown

    def draft(self):
        path, url = self.page("draft")
        self.drafted = not self.drafted
        text = path.read_text()
        write_in_place(path, set_front(text, "draft", "true" if self.drafted else None))
        if self.drafted:
            return url, lambda st, b: st == 404
        title = re.search(r'^title: "(.*)"$', text, re.M).group(1)
        return url, lambda st, b: st == 200 and f"<h1>{title}</h1>".encode() in b

    def rename(self):
        path, url = self.page("rename")
        moved = path.with_name(path.stem + "-renamed.md")
        moved_url = url.rstrip("/") + "-renamed/"
        self.renamed = not self.renamed
        src, dst = (path, moved) if self.renamed else (moved, path)
        new_url, old_url = (moved_url, url) if self.renamed else (url, moved_url)
        title = re.search(r'^title: "(.*)"$', src.read_text(), re.M).group(1)
        os.rename(src, dst)
        return new_url, ("gone", old_url), lambda st, b: st == 200 and f"<h1>{title}</h1>".encode() in b

    def restore(self) -> None:
        """Undoes the alternating saves left half-way (an odd --saves), untimed."""
        if self.renamed:
            self.rename()
        if self.drafted:
            self.draft()
        if self.weight_moved:
            self.weight()


def measure(server: Server, port: int, saves: Saves, kind: str, i: int, timeout: float,
            poll: float, nav_full: bool) -> dict:
    """One save of `kind`: the latency until it is shown, and the server's lines meanwhile."""
    made = saves.make(kind, i)
    t0 = time.perf_counter()
    url, check = made[0], made[-1]
    gone = made[1][1] if len(made) == 3 else None
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = http_get(port, url)
            if check(status, body) and (gone is None or http_get(port, gone)[0] == 404):
                break
        except OSError:
            pass
        if server.proc.poll() is not None:
            raise RuntimeError(f"{kind} save {i}: the server exited with {server.proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind} save {i}: {url} did not show the change within {timeout} s")
        time.sleep(poll)
    latency = time.perf_counter() - t0
    sample = {"kind": kind, "save": i, "url": url, "latency_ms": latency * 1000}
    # A section's title: also until a page of another section shows it in its nav (`serve`
    # shows the saved section's own page before the rest of the rebuild, its fast render).
    if kind == "section" and nav_full:
        other, shown = saves.elsewhere
        while True:
            try:
                if shown(*http_get(port, other)):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} save {i}: {other} did not show it within {timeout} s")
            time.sleep(poll)
        sample["everywhere_ms"] = (time.perf_counter() - t0) * 1000
    # The rebuild's summary line may come after the page is served (after all of it with a
    # fast render): wait for it, a few seconds at most.
    while not rebuilds({"server_lines": server.lines_since(t0 - 0.001)}):
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    time.sleep(0.05)
    sample["server_lines"] = server.lines_since(t0 - 0.001)
    return sample


REBUILT = re.compile(r"rebuilt (\d+) pages? \((\d+) files?\) in (\d+) ms")


def rebuilds(sample: dict) -> list[tuple[int, int]]:
    """(pages, ms) of each rebuild the server reported during one save."""
    return [(int(m.group(1)), int(m.group(3)))
            for m in map(REBUILT.search, sample["server_lines"]) if m]


def rebuild_kind(sample: dict, full_pages: int) -> str:
    """`partial`, `all` (at least half the pages of the first build were rendered again: a
    full build, which for a draft or a deleted page has a page less, or an incremental one that
    every page depends on), both joined by `+`, or `?` when the server said nothing that
    matched."""
    kinds = {"all" if 2 * pages > full_pages else "partial" for pages, _ in rebuilds(sample)}
    return "+".join(sorted(kinds)) if kinds else "?"


def nearest_rank(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p95 of 20 samples is the 19th smallest)."""
    s = sorted(values)
    k = max(1, -(-len(s) * q // 1))
    return s[int(k) - 1]


def table(samples: list[dict], full_pages: int, args) -> str:
    lines = [f"Serve latency by kind of save: {args.pages} pages (gen_site.py seed {args.seed}, "
             f"nav {args.nav}), {args.saves} saves a kind, {args.settle} s apart; from the end "
             f"of the write until the page shows the change (HTTP on 127.0.0.1).",
             "",
             "| kind of save | saves | p50 ms | p95 ms | max ms | pages rendered again | server p50 ms "
             "| every page p95 ms |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    for kind in args.kinds:
        mine = [s for s in samples if s["kind"] == kind]
        if not mine:
            continue
        lat = [s["latency_ms"] for s in mine]
        counts: dict[str, int] = {}
        for s in mine:
            r = rebuild_kind(s, full_pages)
            counts[r] = counts.get(r, 0) + 1
        how = ", ".join(f"{k} ×{v}" if len(counts) > 1 else k for k, v in sorted(counts.items()))
        # The server's own time: the sum of its rebuilds for one save.
        server = [sum(ms for _, ms in rebuilds(s)) for s in mine if rebuilds(s)]
        server_p50 = f"{nearest_rank(server, 0.5):.0f}" if server else "?"
        every = [s["everywhere_ms"] for s in mine if "everywhere_ms" in s]
        every_p95 = f"{nearest_rank(every, 0.95):.0f}" if every else "—"
        lines.append(f"| {kind} | {len(mine)} | {nearest_rank(lat, 0.5):.0f} | "
                     f"{nearest_rank(lat, 0.95):.0f} | {max(lat):.0f} | {how} | {server_p50} "
                     f"| {every_p95} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="the stillpoint binary")
    ap.add_argument("--pages", type=int, default=10000, help="site size (default 10000)")
    ap.add_argument("--seed", type=int, default=42, help="gen_site.py seed (default 42)")
    ap.add_argument("--nav", choices=["full", "none"], default="full",
                    help="gen_site.py --nav (default full: every section on every page)")
    ap.add_argument("--saves", type=int, default=20, help="saves of each kind (default 20)")
    ap.add_argument("--settle", type=float, default=0.5, help="s between saves (default 0.5)")
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help=f"comma-separated kinds (default all: {','.join(KINDS)})")
    ap.add_argument("--smoke", action="store_true",
                    help="100 pages, 2 saves a kind: checks the machinery (CI)")
    ap.add_argument("--workdir", default=os.environ.get("WORKDIR", "/tmp/stillpoint-bench"),
                    help="sites and scratch folders (default $WORKDIR or /tmp/stillpoint-bench)")
    ap.add_argument("--gen-site", help="gen_site.py (default: found beside the repository)")
    ap.add_argument("--port", type=int, default=18410, help="port to ask for (default 18410)")
    ap.add_argument("--ready-timeout", type=float, default=600, help="s to wait for the server")
    ap.add_argument("--timeout", type=float, default=120, help="s to wait for one save")
    ap.add_argument("--poll-interval", type=float, default=0.005, help="s between polls")
    ap.add_argument("--markdown", help="also write the table here")
    ap.add_argument("--json", help="write every sample here")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args(argv)
    if args.smoke:
        args.pages, args.saves = 100, 2
    args.kinds = [k for k in args.kinds.split(",") if k]
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown:
        ap.error(f"unknown kinds: {', '.join(unknown)} (known: {', '.join(KINDS)})")
    return args


def run(args) -> int:
    site_src = ensure_site(args, find_gen_site(args.gen_site))
    scratch_root = Path(args.workdir) / "out"
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="save-kinds-", dir=scratch_root))
    site = scratch / "site"
    shutil.copytree(site_src, site, symlinks=True)
    sections = len([d for d in (site / "content").iterdir() if d.is_dir()])
    saves = Saves(site, sections, f"sk{os.getpid()}")
    saves.prepare(args.saves)
    log(f"serving a copy of {site_src} from {site}")
    server = Server(args.bin, site, args.port, scratch / "server.log")
    samples: list[dict] = []
    try:
        port, full_pages = server.wait_ready(args.ready_timeout)
        log(f"ready on port {port} ({full_pages} pages)")
        for kind in args.kinds:
            time.sleep(args.settle)
            for i in range(args.saves):
                s = measure(server, port, saves, kind, i, args.timeout, args.poll_interval,
                            args.nav == "full")
                s["rebuild"] = rebuild_kind(s, full_pages)
                samples.append(s)
                log(f"{kind} {i + 1}/{args.saves}: {s['latency_ms']:.0f} ms ({s['rebuild']})")
                time.sleep(args.settle)
            saves.restore()
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    out = table(samples, full_pages, args)
    print(out, end="")
    if args.markdown:
        Path(args.markdown).write_text(out)
    if args.json:
        Path(args.json).write_text(json.dumps({"settings": {k: v for k, v in vars(args).items()},
                                               "full_pages": full_pages,
                                               "samples": samples}, indent=1))
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Ctrl-C and SIGTERM go through the `finally` that stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args)
    except RuntimeError as e:
        log(f"error: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

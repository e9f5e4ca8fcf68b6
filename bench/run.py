#!/usr/bin/env python3
"""`make bench`: microhttplib side by side with its peers, in one run.

    .venv/bin/python bench/run.py            # the full run (< 10 minutes)
    BENCH_QUICK=1 .venv/bin/python bench/run.py   # a ~1 minute smoke run

Writes bench/results.md (tables, machine, versions, targets, profile) and the
charts bench/*.png it links, plus bench/raw/results.json (not committed).

Sections (see each module for the method):
  1. CPython parse cost from memory (cpython_bench.parse_cost)
  2. CPython keep-alive loop on loopback, client CPU per request, against a
     canned-response server in its own process (cpython_bench.keepalive)
  3. CPython large body streamed with readinto (cpython_bench.large_body), and small
     reads: readinto into 1 KiB and read() against http.client (cpython_bench.small_reads)
  4. MicroPython device fit, per interpreter (32-bit i386, x64, 32-bit
     1.22.2): heap and speed against urequests, adafruit_requests and
     chumicro-requests (bench/micropython_heap.py; `make bench-mp` runs it alone)
  5. Serial modems per family (bench/modem_throughput.py, the modem
     engineer's, when present)
  6. Where the time goes: cProfile of the microhttplib keep-alive loop

Every comparison is a median of interleaved rounds (each library once per
round, in turn), and every ratio is against a peer measured in the same run:
the machine is shared and noisy.
"""

import json
import os
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import common  # noqa: E402
from common import QUICK, CannedServer, machine_info, package_version  # noqa: E402

RESULTS_MD = os.path.join(HERE, "results.md")
RAW_DIR = os.path.join(HERE, "raw")

# Targets of the issue.
TARGET_KEEPALIVE_RATIO = 2.0  # http.client CPU / microhttplib CPU per request
TARGET_PARSER_VS_HTTPTOOLS = 2.0  # microhttplib parse time / httptools parse time

if QUICK:
    PARSE = dict(rounds=3, per_round=1000)
    KEEPALIVE = dict(rounds=3, per_round=500)
    LARGE = dict(size=16 << 20, rounds=1, mem_size=4 << 20)
    SMALL_READS = dict(size=10 << 20, rounds=3, read_sizes=(1 << 10, 64 << 10, 10 << 20))
else:
    PARSE = dict(rounds=11, per_round=3000)
    KEEPALIVE = dict(rounds=11, per_round=4000)
    LARGE = dict(size=100 << 20, rounds=3, mem_size=16 << 20)
    SMALL_READS = dict(size=10 << 20, rounds=15, read_sizes=(1 << 10, 64 << 10, 1 << 20, 10 << 20))


def log(*args):
    print(*args, flush=True)


def _section(name, fn, results, errors):
    log("== %s" % name)
    t0 = time.monotonic()
    try:
        results[name] = fn()
    except Exception:
        errors[name] = traceback.format_exc()
        log(errors[name])
    log("   (%.0f s)" % (time.monotonic() - t0))


# ------------------------------------------------------------- sections


def run_cpython(results, errors):
    import cpython_bench as cb

    def parse():
        r = cb.parse_cost(**PARSE)
        for row in r["rows"]:
            log("   %-42s %8.2f us %8d B" % (row["name"], row["us"], row["peak_bytes"]))
        return r

    _section("parse", parse, results, errors)
    with CannedServer() as server:
        def keepalive():
            r = cb.keepalive(server.host, server.port, **KEEPALIVE)
            for row in r["rows"]:
                log("   %-20s cpu %7.1f us/request  wall %7.1f us" % (
                    row["name"], row["cpu_us"], row["wall_us"]))
            return r

        def large():
            r = cb.large_body(server.host, server.port, **LARGE)
            for row in r["rows"]:
                log("   %-20s %8.0f MB/s  peak %d B" % (row["name"], row["mb_s"],
                                                       row["peak_bytes"]))
            return r

        def profile():
            path = os.path.join(RAW_DIR, "profile_keepalive.txt")
            text = cb.profile_keepalive(server.host, server.port,
                                        1000 if QUICK else 5000, path)
            return {"text": text}

        def small_reads():
            r = cb.small_reads(server.host, server.port, **SMALL_READS)
            for row in r["rows"]:
                log("   %-34s microhttplib %8.3f ms  http.client %8.3f ms  ratio %.2f" % (
                    row["case"], row["microhttplib_ms"], row["http_client_ms"], row["ratio"]))
            return r

        _section("keepalive", keepalive, results, errors)
        _section("large", large, results, errors)
        _section("small_reads", small_reads, results, errors)
        _section("profile", profile, results, errors)
    _section("parse_profile", lambda: {"text": parse_profile()}, results, errors)
    _section("parse_breakdown", cb.parse_breakdown, results, errors)


def parse_profile():
    """cProfile of ResponseParser.parse_head on the realistic response."""
    import cProfile
    import io
    import pstats
    from microhttplib.parser import ResponseParser
    data = common.SMALL_RESPONSE
    p = ResponseParser()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20000):
        p.reset()
        p.parse_head(data, 0, len(data))
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
    return out.getvalue()


def run_micropython(results, errors):
    def device_fit():
        import micropython_heap
        return micropython_heap.measure(search=not QUICK, rounds=1 if QUICK else 3, log=log)

    _section("micropython", device_fit, results, errors)


def run_modems(results, errors):
    def modems():
        script = os.path.join(HERE, "modem_throughput.py")
        if not os.path.exists(script):
            return {"pending": True}
        args = [sys.executable, script, "--json"]
        if QUICK:
            args += ["--family", "sim800"]  # one family in the smoke run
        r = subprocess.run(args, capture_output=True, text=True, timeout=900)
        if r.returncode:
            raise RuntimeError("modem_throughput.py failed:\n" + r.stdout[-2000:]
                               + r.stderr[-3000:])
        rows = json.loads(r.stdout[r.stdout.index("["):])
        for row in rows:
            log("   %-8s %6d baud  %6d B/s  %5.1f%% of line  %3d AT round trips  TTFB %.0f ms"
                % (row["family"], row["baud"], row["bytes_per_s"], 100 * row["line_fraction"],
                   row["round_trips"], row["ttfb_ms"]))
        return {"rows": rows, "args": args[2:]}

    _section("modems", modems, results, errors)


# --------------------------------------------------------------- report


FLOOR = "raw socket (floor)"


def _row(name, rows):
    for row in rows:
        if row["name"] == name:
            return row
    return None


def targets(results):
    out = []
    ka = results.get("keepalive")
    if ka:
        mhl = _row("microhttplib", ka["rows"])
        hc = _row("http.client", ka["rows"])
        ratio = hc["cpu_us"] / mhl["cpu_us"]
        # The same ratio per round (both measured back to back in each round).
        per_round = sorted(h / m for h, m in zip(hc["rounds"], mhl["rounds"]))
        out.append({
            "name": "keep-alive client CPU: http.client / microhttplib >= %.1f"
                    % TARGET_KEEPALIVE_RATIO,
            "value": "%.2f (per round %.2f-%.2f)" % (ratio, per_round[0], per_round[-1]),
            "holds": ratio >= TARGET_KEEPALIVE_RATIO})
        floor = _row(FLOOR, ka["rows"])
        if floor:
            above = (hc["cpu_us"] - floor["cpu_us"]) / (mhl["cpu_us"] - floor["cpu_us"])
            out.append({"name": "(the same, above the raw-socket floor: the libraries' own work)",
                        "value": "%.2f (floor %.1f us)" % (above, floor["cpu_us"]),
                        "holds": above >= TARGET_KEEPALIVE_RATIO})
    parse = results.get("parse")
    if parse:
        mhl = _row("microhttplib ResponseParser", parse["rows"])
        ht = _row("httptools (C)", parse["rows"])
        if ht:
            ratio = mhl["us"] / ht["us"]
            out.append({
                "name": "parser within %.0fx of httptools (ResponseParser / httptools)"
                        % TARGET_PARSER_VS_HTTPTOOLS,
                "value": "%.1fx (%.2f us vs %.2f us)" % (ratio, mhl["us"], ht["us"]),
                "holds": ratio <= TARGET_PARSER_VS_HTTPTOOLS})
    mp = results.get("micropython")
    if mp:
        import micropython_heap
        for name, value, holds, must in micropython_heap.targets(mp):
            out.append({"name": name, "value": value,
                        "holds": holds or ("must-reach bound only" if must else False)})
    return out


def write_charts(results):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        return []
    made = []

    def barh(fname, title, labels, values, unit, highlight="microhttplib", log_scale=False):
        fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(labels) + 1.3), dpi=110)
        colors = ["#d9534f" if label.startswith(highlight) else
                  "#c8d0d8" if label == FLOOR else "#7f8c9a" for label in labels]
        ax.barh(range(len(labels)), values, color=colors)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis()
        if log_scale:
            ax.set_xscale("log")
        ax.set_xlabel(unit)
        ax.set_title(title, fontsize=10)
        for i, v in enumerate(values):
            ax.text(v, i, " %s" % (("%.1f" % v) if v < 100 else "%.0f" % v),
                    va="center", fontsize=8)
        ax.set_xlim(right=max(values) * (3 if log_scale else 1.18))
        fig.tight_layout()
        fig.savefig(os.path.join(HERE, fname))
        plt.close(fig)
        made.append(fname)

    parse = results.get("parse")
    if parse:
        rows = parse["rows"]
        barh("parse.png", "Parse one response from memory (10 headers, 64-byte body)\n"
             "lower is better, log scale", [r["name"] for r in rows], [r["us"] for r in rows],
             "microseconds per response (median)", log_scale=True)
    ka = results.get("keepalive")
    if ka:
        rows = ka["rows"]
        barh("keepalive.png", "Keep-alive GET on loopback: client CPU per request\n"
             "lower is better", [r["name"] for r in rows], [r["cpu_us"] for r in rows],
             "client CPU microseconds per request (median)")
    large = results.get("large")
    if large:
        rows = large["rows"]
        barh("large_body.png", "%d MiB streamed with readinto\nhigher is better"
             % (large["size"] >> 20), [r["name"] for r in rows], [r["mb_s"] for r in rows],
             "MB/s (median, wall clock)")
    mp = results.get("micropython")
    table = mp and next((t for t in mp["tables"] if t["interpreter"]["bits"] == 32), None)
    if table:
        cols = [c for c in table["columns"] if isinstance(c["figures"].get("retained"), int)]
        if cols:
            fig, axes = plt.subplots(1, 2, figsize=(10, 0.45 * len(cols) + 1.6), dpi=110)
            labels = [c["label"] for c in cols]
            series = [("heap retained after one complete GET, bytes",
                       [c["figures"]["retained"] for c in cols]),
                      ("MB/s, 1 MiB readinto(1 KiB)",
                       [c["figures"].get("mb_s") or 0 for c in cols])]
            for ax, (title, values) in zip(axes, series):
                colors = ["#d9534f" if l.startswith("microhttplib") else "#7f8c9a"
                          for l in labels]
                ax.barh(range(len(labels)), values, color=colors)
                ax.set_yticks(range(len(labels)))
                ax.set_yticklabels(labels if ax is axes[0] else [""] * len(labels))
                ax.invert_yaxis()
                ax.set_title(title, fontsize=9)
                for i, v in enumerate(values):
                    ax.text(v, i, " {:,.0f}".format(v), va="center", fontsize=7)
                ax.set_xlim(right=max(max(values), 1) * 1.35)
                ax.ticklabel_format(axis="x", style="plain")
                ax.xaxis.set_major_locator(MaxNLocator(3))
                ax.tick_params(axis="x", labelsize=7)
            fig.suptitle("MicroPython, 32-bit unix port (heap: lower is better; MB/s: higher)",
                         fontsize=10)
            fig.tight_layout()
            fig.savefig(os.path.join(HERE, "micropython.png"))
            plt.close(fig)
            made.append("micropython.png")
    return made


def _holds(holds):
    """yes / **no**, or a qualified answer (a must-reach bound met, the goal not)."""
    return holds if isinstance(holds, str) else "yes" if holds else "**no**"


def _fmt_bytes(n):
    return "-" if n is None else "{:,}".format(n)


def write_markdown(results, errors, info, versions, charts, elapsed):
    L = []
    add = L.append
    add("# Benchmarks: microhttplib and its peers")
    add("")
    add("Generated by `make bench` (`bench/run.py`%s) on %s in %.0f s. Do not edit by hand."
        % (", BENCH_QUICK=1: smoke run, small counts" if QUICK else "", info["date"], elapsed))
    add("")
    add("Method: every figure is the median of interleaved rounds (each library once per "
        "round, in turn); every ratio is against a peer measured in the same run. The machine "
        "is shared and noisy, so compare ratios, not absolute numbers across runs.")
    add("")
    add("## Machine")
    add("")
    add("| | |")
    add("|---|---|")
    add("| CPU | %s |" % info["cpu"])
    add("| cores | %s |" % info["cores"])
    add("| Python | %s |" % info["python"])
    if "micropython" in info:
        add("| MicroPython | %s |" % info["micropython"])
    add("| platform | %s |" % info["platform"])
    add("| load average at start | %s |" % info["load"])
    add("")
    add("Package versions: " + ", ".join("%s %s" % kv for kv in sorted(versions.items())))
    add("")

    tg = targets(results)
    if tg:
        add("## Targets")
        add("")
        add("| target | measured | holds |")
        add("|---|---|---|")
        for t in tg:
            add("| %s | %s | %s |" % (t["name"], t["value"], _holds(t["holds"])))
        add("")

    parse = results.get("parse")
    if parse:
        add("## 1. CPython: parse one response from memory")
        add("")
        add("A realistic response (status line, 10 headers, 64-byte body; %d bytes) parsed "
            "to status, header list and body, %d rounds x %d responses. *bytes* is the "
            "peak traced allocation while parsing one response (tracemalloc)."
            % (parse["response_bytes"], PARSE["rounds"], PARSE["per_round"]))
        add("")
        add("- microhttplib ResponseParser: `parse_head` + `HTTPMessage` + body slice.")
        add("- microhttplib HTTPResponse: `begin()` + `read()` over an in-memory socket "
            "with `recv_into`, reusing the connection's buffer and parser as a keep-alive "
            "connection does; *(new buffer)*: a standalone HTTPResponse that allocates its "
            "16 KiB receive buffer.")
        add("- http.client: `HTTPResponse` over a FakeSocket whose `makefile()` is a BytesIO.")
        add("- h11: `receive_data` + `next_event` until EndOfMessage (request sent outside "
            "the timing); httptools: `HttpResponseParser.feed_data` with header/body callbacks.")
        add("")
        hc = _row("http.client", parse["rows"])
        add("Each response is timed on its own (two perf_counter() calls, ~0.1 us, included "
            "for every library).")
        add("")
        add("| library | us / response | speed vs http.client | bytes | rounds min-max |")
        add("|---|---:|---:|---:|---|")
        for row in parse["rows"]:
            add("| %s | %.2f | %.2fx | %s | %.2f-%.2f |" % (
                row["name"], row["us"], hc["us"] / row["us"], _fmt_bytes(row["peak_bytes"]),
                row["spread"][0], row["spread"][1]))
        add("")
        if "parse.png" in charts:
            add("![parse cost](parse.png)")
            add("")

    ka = results.get("keepalive")
    if ka:
        add("## 2. CPython: keep-alive loop on loopback")
        add("")
        add("`GET /small` (the response above) over one kept-alive connection to "
            "`bench/canned_server.py`, which runs in its own process and replies a fixed "
            "response to each request. *CPU* is `time.process_time()` of the client process "
            "only (user + system, so the socket calls count), %d rounds x %d requests."
            % (KEEPALIVE["rounds"], KEEPALIVE["per_round"]))
        add("")
        hc = _row("http.client", ka["rows"])
        floor = _row(FLOOR, ka["rows"])
        add("| library | client CPU us / request | http.client / this | above the floor us "
            "| above the floor: http.client / this | wall us / request | CPU rounds min-max |")
        add("|---|---:|---:|---:|---:|---:|---|")
        for row in ka["rows"]:
            above = row["cpu_us"] - floor["cpu_us"] if floor else None
            hc_above = hc["cpu_us"] - floor["cpu_us"] if floor else None
            add("| %s | %.1f | %s | %s | %s | %.1f | %.1f-%.1f |" % (
                row["name"], row["cpu_us"],
                "-" if row is floor else "%.2f" % (hc["cpu_us"] / row["cpu_us"]),
                "%.1f" % above if floor and row is not floor else "-",
                "%.2f" % (hc_above / above) if floor and above > 0 else "-",
                row["wall_us"], row["cpu_spread"][0], row["cpu_spread"][1]))
        add("")
        if floor:
            add("*%s* is no library: the same request written and the known response length "
                "read back with plain socket calls. Its CPU is what every client pays to the "
                "kernel's loopback TCP (user + system time of the send and receive calls); "
                "*above the floor* is each library's own work. The floor moves with the "
                "host (it is several times higher when the host is slow at system calls), "
                "which moves the total ratio while the above-the-floor ratio stays. "
                "microhttplib makes one more system call per request than http.client: a "
                "zero-timeout select() on a reused socket, so that a request is never sent "
                "on a connection the server closed while it was idle." % FLOOR)
            add("")
        if "keepalive.png" in charts:
            add("![keep-alive CPU](keepalive.png)")
            add("")

    large = results.get("large")
    if large:
        add("## 3. CPython: large body")
        add("")
        add("%d MiB (`GET /bytes/N`, Content-Length) streamed with `readinto()` into one "
            "%d KiB bytearray (urllib3: `preload_content=False` and its `readinto`), %d "
            "round(s). *peak* is the largest traced allocation (tracemalloc) while "
            "streaming %d MiB in a separate pass."
            % (large["size"] >> 20, large["buffer"] >> 10, LARGE["rounds"],
               large["mem_size"] >> 20))
        add("")
        add("| library | MB/s | client CPU ms / MB | peak traced bytes |")
        add("|---|---:|---:|---:|")
        for row in large["rows"]:
            add("| %s | %.0f | %.3f | %s |" % (row["name"], row["mb_s"], row["cpu_ms_per_mb"],
                                               _fmt_bytes(row["peak_bytes"])))
        add("")
        if "large_body.png" in charts:
            add("![large body](large_body.png)")
            add("")

    small = results.get("small_reads")
    if small:
        add("### Small reads: readinto() into 1 KiB, and read()")
        add("")
        add("`GET /bytes/N` (Content-Length) from the canned server; microhttplib and "
            "http.client alternate within each of %d rounds; medians in ms per body. "
            "*ratio* is microhttplib / http.client: below 1, microhttplib is faster."
            % small["rounds"])
        add("")
        add("| case | microhttplib ms | http.client ms | ratio |")
        add("|---|---:|---:|---:|")
        for row in small["rows"]:
            add("| %s | %.3f | %.3f | %.2f |" % (row["case"], row["microhttplib_ms"],
                                                row["http_client_ms"], row["ratio"]))
        add("")

    mp = results.get("micropython")
    add("## 4. MicroPython device fit: against urequests, adafruit_requests, chumicro-requests")
    add("")
    if mp:
        import micropython_heap
        add("From `bench/micropython_heap.py` (`make bench-mp` runs this section alone; its "
            "docstring has the method). One table per interpreter: the 32-bit unix port "
            "(a board's word size: its figures are close to an ESP32's or RP2040's), the "
            "64-bit one from PyPI, and the 32-bit 1.22.2 release (the oldest the README "
            "claims). microhttplib as `.mpy` (`make mpy`) and from a ROMFS image; "
            "* = a peer that runs on the unix port through small shims "
            "(`bench/mp_peers.py`). Each figure is a fresh `micropython` process against "
            "`bench/canned_server.py`; MB/s is the median of %d round(s). urequests speaks "
            "HTTP/1.0 without chunked and, like chumicro, opens a new connection per request "
            "(its kept-alive row is a fresh connection each time); adafruit_requests streams "
            "through `iter_content(1024)`, a new bytes object per read (its `mem_total()` "
            "growth)." % mp["rounds"])
        if mp.get("versions"):
            add("Peer versions: " + ", ".join("%s %s" % kv
                                              for kv in sorted(mp["versions"].items())))
        add("")
        for note in mp["notes"]:
            add("- note: %s" % note)
        add("")
        add(micropython_heap.markdown(mp))
        if not mp["search"]:
            add("Min heap scans are skipped in the quick run.")
            add("")
        if "micropython.png" in charts:
            add("![MicroPython](micropython.png)")
            add("")
    elif "micropython" in errors:
        add("Failed in this run:\n\n```\n%s\n```\n" % errors["micropython"][-3000:])

    modems = results.get("modems")
    add("## 5. Serial modems (per family, through the emulator)")
    add("")
    if modems and modems.get("pending"):
        add("**Pending**: body bytes/s as a fraction of the line rate at 115200 and 9600 baud, "
            "AT round trips per request and time to first byte come from "
            "`bench/modem_throughput.py` (the modem engineer's), which is not in the tree yet. "
            "`bench/run.py` runs it and includes its report here as soon as it exists.")
    elif modems:
        add("From `bench/modem_throughput.py %s` (the modem engineer's): per family, a GET "
            "through the paced pseudo-terminal emulator on a kept-alive link (bring-up and "
            "the TCP open not counted), the median of %s interleaved rounds. Line rate = "
            "baud / 10 bytes/s (8N1). Stop-and-wait pull reads cost each read its reply "
            "header, its OK and the line time of the next read command: 3 to 4%% of the "
            "line rate at 1024 to 1500-byte reads."
            % (" ".join(modems["args"]), modems["rows"][0].get("rounds", 1) if modems["rows"] else 1))
        add("")
        add("| family | baud | body bytes | body bytes/s | of line rate | AT round trips "
            "/ request | time to first byte ms |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        for row in modems["rows"]:
            add("| %s | %d | %d | %d | %.1f%% | %d | %.0f |" % (
                row["family"], row["baud"], row["body_bytes"], row["bytes_per_s"],
                100 * row["line_fraction"], row["round_trips"], row["ttfb_ms"]))
    elif "modems" in errors:
        add("Failed in this run:\n\n```\n%s\n```" % errors["modems"][-3000:])
    add("")

    prof = results.get("profile")
    add("## 6. Where the time goes (CPython)")
    add("")
    if prof:
        add("cProfile of the microhttplib keep-alive loop (%d requests; cProfile inflates "
            "Python-level calls, so read the order, not the absolute times):"
            % (1000 if QUICK else 5000))
        add("")
        add("```")
        add(_trim_profile(prof["text"]))
        add("```")
        add("")
    pp = results.get("parse_profile")
    if pp:
        add("cProfile of `ResponseParser.parse_head` on the realistic response (20000 "
            "heads):")
        add("")
        add("```")
        add(_trim_profile(pp["text"]))
        add("```")
        add("")
    pb = results.get("parse_breakdown")
    if pb:
        ht = _row("httptools (C)", parse["rows"]) if parse else None
        add("The block head parser (`core/headblock.py`) step by step, each step timed alone "
            "with timeit on the same response (best of 5):")
        add("")
        add("| step | us |")
        add("|---|---:|")
        for label, us in pb["steps"]:
            add("| %s | %.2f |" % (label, us))
        add("| **sum of the steps** | **%.2f** |" % sum(us for _, us in pb["steps"]))
        add("| `reset()` + `parse_head()` as a whole (calls, attribute access included) | %.2f |"
            % pb["whole_us"])
        if ht:
            add("| httptools (C), the whole response with callbacks (section 1) | %.2f |"
                % ht["us"])
        add("")
        add("Building the (name, value) list alone costs about as much as httptools' whole "
            "parse: one `split` and one `strip` per header plus a tuple are the pure-Python "
            "floor of a parser that returns http.client's header list. Every other step is "
            "already a handful of C calls over the whole head.")
        add("")
    if errors:
        add("## Errors in this run")
        add("")
        for name, text in errors.items():
            add("- %s: `%s`" % (name, text.strip().splitlines()[-1][:200]))
        add("")
    with open(RESULTS_MD, "w") as f:
        f.write("\n".join(L))


README = os.path.join(ROOT, "README.md")


def write_readme_figures(mp, date):
    """README's MicroPython table: the 32-bit table of this run (a full run only)."""
    import micropython_heap
    tables = [t for t in mp["tables"] if t["interpreter"]["bits"] == 32][:1]
    if QUICK or not mp["search"] or not tables:
        return False
    micropython_heap.write_block(README, "device-fit", (
        "From `make bench` on %s ([bench/results.md](bench/results.md), section 4, also has "
        "the 64-bit and 1.22.2 tables):\n\n%s" % (date, micropython_heap.markdown(
            dict(mp, tables=tables)))))
    return True


def write_readme_summary(results):
    """README's CPython benchmark table, from this run (a full run with every section)."""
    import micropython_heap
    parse, ka, large = (results.get(k) for k in ("parse", "keepalive", "large"))
    if QUICK or not (parse and ka and large):
        return False

    def us(section, name, key="us"):
        row = _row(name, section["rows"])
        return "%.1f µs" % row[key] if row else "-"

    def mb_s(name):
        row = _row(name, large["rows"])
        return "{:,.0f} MB/s".format(row["mb_s"]) if row else "-"
    ratio = _row("http.client", ka["rows"])["cpu_us"] / _row("microhttplib", ka["rows"])["cpu_us"]
    micropython_heap.write_block(README, "bench-summary", "\n".join([
        "| | microhttplib | http.client | others |",
        "|---|---:|---:|---|",
        "| parse one response (10 headers) | %s | %s | h11 %s, httptools (C) %s |" % (
            us(parse, "microhttplib ResponseParser"), us(parse, "http.client"),
            us(parse, "h11"), us(parse, "httptools (C)")),
        "| keep-alive client CPU / request | %s | %s (%.2fx) | urllib3 %s |" % (
            us(ka, "microhttplib", "cpu_us"), us(ka, "http.client", "cpu_us"), ratio,
            us(ka, "urllib3", "cpu_us")),
        "| %d MiB with readinto | %s | %s | urllib3 %s |" % (
            large["size"] >> 20, mb_s("microhttplib"), mb_s("http.client"),
            mb_s("urllib3 (stream)"))]))
    return True


def write_readme_modems(results):
    """README's modem table, from this run's section 5 (every family measured)."""
    import micropython_heap
    modems = results.get("modems")
    if QUICK or not modems or modems.get("pending"):
        return False
    fast = {r["family"]: r for r in modems["rows"] if r["baud"] == 115200}
    slow = {r["family"]: r for r in modems["rows"] if r["baud"] == 9600}
    lines = ["| family | 115200 baud: of line rate | AT round trips | first byte "
             "| 9600 baud: of line rate |", "|---|---:|---:|---:|---:|"]
    for family, r in fast.items():
        lines.append("| %s | %.1f%% | %d | %.0f ms | %s |" % (
            family, 100 * r["line_fraction"], r["round_trips"], r["ttfb_ms"],
            "%.1f%%" % (100 * slow[family]["line_fraction"]) if family in slow else "-"))
    micropython_heap.write_block(README, "modem-summary", "\n".join(lines))
    return True


def _trim_profile(text):
    lines = [l.rstrip() for l in text.splitlines()]
    start = next((i for i, l in enumerate(lines) if "ncalls" in l), 0)
    head = [l for l in lines[:start] if "function calls" in l]
    return "\n".join([l.strip() for l in head] + lines[start:]).replace(ROOT + "/", "").rstrip()


def rerender():
    """--rerender: results.md and the charts again from bench/raw/results.json."""
    with open(os.path.join(RAW_DIR, "results.json")) as f:
        raw = json.load(f)
    charts = write_charts(raw["results"])
    write_markdown(raw["results"], raw["errors"], raw["info"], raw["versions"], charts,
                   raw.get("elapsed", 0))
    write_readme_summary(raw["results"])
    write_readme_modems(raw["results"])
    if raw["results"].get("micropython"):
        write_readme_figures(raw["results"]["micropython"], raw["info"]["date"])
    log("rewrote %s and %s" % (os.path.relpath(RESULTS_MD, ROOT), ", ".join(charts)))
    return 0


def main():
    if "--rerender" in sys.argv:
        return rerender()
    started = time.monotonic()
    os.makedirs(RAW_DIR, exist_ok=True)
    info = machine_info()
    versions = {name: package_version(name) for name in
                ("microhttplib", "h11", "httptools", "urllib3", "matplotlib")}
    versions = {k: v for k, v in versions.items() if v}
    log("bench: %s, %s cores, %s%s" % (info["cpu"], info["cores"], info["python"],
                                       " (BENCH_QUICK)" if QUICK else ""))
    results, errors = {}, {}
    run_cpython(results, errors)
    run_micropython(results, errors)
    run_modems(results, errors)
    charts = write_charts(results)
    elapsed = time.monotonic() - started
    write_markdown(results, errors, info, versions, charts, elapsed)
    if write_readme_summary(results) and write_readme_modems(results):
        log("wrote README.md's benchmark and modem tables")
    if results.get("micropython") and write_readme_figures(results["micropython"], info["date"]):
        log("wrote README.md's MicroPython figures")
    with open(os.path.join(RAW_DIR, "results.json"), "w") as f:
        json.dump({"info": info, "versions": versions, "results": results, "errors": errors,
                   "elapsed": elapsed}, f, indent=1, default=str)
    for t in targets(results):
        log("target %-70s %s  %s" % (t["name"], t["value"], _holds(t["holds"])))
    log("wrote %s and %s in %.0f s" % (os.path.relpath(RESULTS_MD, ROOT),
                                        ", ".join(charts) or "no charts", elapsed))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Summarise pgbench per-transaction logs of the availability benchmark.

  analyze.py run DIR SCENARIO MODE   one TSV line for summary.tsv
  analyze.py summary RESULTS         summary.tsv again from the run dirs
  analyze.py plot RESULTS PLOTDIR    latency-over-time PNGs (gnuplot)

Latency is what a client sees at a fixed rate: pgbench logs it from the
transaction's scheduled start, so it includes the schedule lag (time spent
waiting for an earlier, stalled transaction of the same client).  The
longest freeze is the longest interval in which no transaction completed.
"""
import glob
import os
import subprocess
import sys


def load(run_dir):
    rows = []  # (completion time s, latency ms)
    for path in glob.glob(os.path.join(run_dir, "tx.*")):
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) < 6 or p[2] == "skipped":
                    continue
                lat_us = int(p[2])   # from the scheduled start: lag included
                done = int(p[4]) + int(p[5]) / 1e6
                rows.append((done, lat_us / 1000.0))
    rows.sort()
    return rows


def pct(sorted_vals, q):
    if not sorted_vals:
        return float("nan")
    i = min(len(sorted_vals) - 1, int(q * len(sorted_vals)))
    return sorted_vals[i]


def migration(run_dir):
    info = {}
    path = os.path.join(run_dir, "migration.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, v = line.split()
                info[k] = float(v)
    return info


def lock_window(run_dir):
    """(first start, last end) of the statements in lock_log.tsv (run.sh
    dumps the run's lock log rows there: logged_at in seconds since
    pgbench start, ..., duration_ms), or None."""
    path = os.path.join(run_dir, "lock_log.tsv")
    spans = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.rstrip("\n").split("\t")
                try:
                    end, dur = float(p[0]), float(p[6] or 0)
                except (IndexError, ValueError):
                    continue
                spans.append((end - dur / 1000, end))
    if not spans:
        return None
    return min(s for s, _ in spans), max(e for _, e in spans)


def summarise(run_dir, scenario, mode):
    rows = load(run_dir)
    lats = sorted(r[1] for r in rows)
    freeze = 0.0
    freeze_at = None
    for a, b in zip(rows, rows[1:]):
        if (b[0] - a[0]) * 1000 > freeze:
            freeze = (b[0] - a[0]) * 1000
            freeze_at = (a[0], b[0])
    mig = migration(run_dir)
    if freeze_at and "t0" in mig:
        # when the longest freeze was, in the seconds of migration.txt
        with open(os.path.join(run_dir, "freeze.txt"), "w") as f:
            f.write("from %.3f\nto %.3f\n" % (freeze_at[0] - mig["t0"],
                                              freeze_at[1] - mig["t0"]))
            window = lock_window(run_dir)
            if window:
                # the longest freeze while safe_ddl's statements ran: from
                # the start of the first logged one to the last event
                lo, hi = window[0] + mig["t0"], window[1] + mig["t0"]
                inside = max([(b[0] - a[0]) * 1000
                              for a, b in zip(rows, rows[1:])
                              if b[0] > lo and a[0] < hi] or [0.0])
                f.write("statements_from %.3f\nstatements_to %.3f\n"
                        "freeze_during_statements_ms %.0f\n"
                        % (window[0], window[1], inside))
    if mig:
        mig_s = "%.2f" % (mig["end"] - mig["start"])
        ready_s = "%.2f" % (mig.get("ready", mig["end"]) - mig["start"])
        outcome = "ok" if mig["rc"] == 0 else "failed"
        out = os.path.join(run_dir, "migration.out")
        if mig["rc"] != 0 and os.path.exists(out):
            with open(out) as f:
                text = f.read()
                if "safe_ddl refused the statement" in text:
                    outcome = "rejected"
                elif "safe_ddl.lock_hold_budget" in text:
                    outcome = "ended by the hold budget"
    else:
        mig_s, outcome, ready_s = "-", "-", "-"
    # the earliest completion, for plots: pgbench start is 0
    with open(os.path.join(run_dir, "latency.dat"), "w") as f:
        t0 = rows[0][0] - rows[0][1] / 1000 if rows else 0
        for done, lat in rows:
            f.write("%.4f %.3f\n" % (done - t0, lat))
    print("\t".join([scenario, mode,
                     "%.1f" % (lats[-1] if lats else float("nan")),
                     "%.1f" % pct(lats, 0.99), "%.1f" % pct(lats, 0.999),
                     "%.0f" % freeze,
                     str(sum(1 for x in lats if x > 100)), str(len(lats)),
                     mig_s, outcome, ready_s]))


def plot(results, plotdir):
    os.makedirs(plotdir, exist_ok=True)
    runs = sorted(d for d in os.listdir(results)
                  if os.path.isdir(os.path.join(results, d)))
    scenarios = sorted({d.split("-", 1)[0] for d in runs} - {"none"})
    base = os.path.join(results, "none-none", "latency.dat")
    for sc in scenarios:
        series = [(d.split("-", 1)[1], os.path.join(results, d, "latency.dat"))
                  for d in runs if d.split("-", 1)[0] == sc]
        if os.path.exists(base):
            series.insert(0, ("baseline (no migration)", base))
        png = os.path.join(plotdir, "scenario_%s.png" % sc)
        cmds = ['set terminal pngcairo size 900,420 font ",9" noenhanced',
                'set output "%s"' % png,
                'set title "scenario (%s): latency of each transaction"' % sc,
                'set xlabel "seconds since pgbench start"',
                'set ylabel "latency (ms), log scale"',
                'set logscale y', 'set yrange [0.5:*]',
                'set key outside right']
        parts = ['"%s" using 1:2 with points pt 7 ps 0.25 title "%s"' % (p, t)
                 for t, p in series]
        cmds.append("plot " + ", ".join(parts))
        subprocess.run(["gnuplot"], input="\n".join(cmds), text=True,
                       check=True)


if __name__ == "__main__":
    if sys.argv[1] == "run":
        summarise(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "summary":
        res = sys.argv[2]
        print("scenario\tmode\tmax_ms\tp99_ms\tp999_ms\tfreeze_ms"
              "\tslow_gt100ms\ttxns\tmig_s\toutcome\tready_s")
        order = {"none": 0, "vanilla": 1, "best": 2, "safe_ddl": 3}
        dirs = [d for d in os.listdir(res) if os.path.isdir(os.path.join(res, d))]
        dirs.sort(key=lambda d: (d.split("-", 1)[0].replace("none", " "),
                                 order.get(d.split("-", 1)[1], 9), d))
        for d in dirs:
            sc, mode = d.split("-", 1)
            summarise(os.path.join(res, d), sc, mode)
    else:
        plot(sys.argv[2], sys.argv[3])

#!/usr/bin/env python3
"""Training across MPI ranks, measured and projected (docs/distributed.md#scaling).

Trains the rating objective on one ratings file two ways on this machine:
one process with every core as threads, and one rank per core under mpirun
with one thread each; prints the per-epoch figures side by side (from
`--format json`), then projects the epoch time of the ring on N nodes from
the measured rows per second and the bytes each node must move per epoch.

  scripts/bench-distributed.py [--ratings FILE] [--recsys build/recsys]

Without --ratings it writes the 25M synthetic file (`recsys synth --seed 7`)
to a temporary directory first.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def run(cmd):
    start = time.monotonic()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.monotonic() - start


def per_epoch(j):
    h = j["history"]
    return sum(x["seconds"] for x in h) / len(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ratings")
    ap.add_argument("--recsys", default="build/recsys")
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument("--epochs", type=int, default=8)
    # The data set projected to: about 1 billion ratings shaped like MovieLens
    # (users 40x ML-25M's, movies 4x: catalogues grow slower than audiences).
    ap.add_argument("--project-ratings", type=float, default=1e9)
    ap.add_argument("--project-users", type=float, default=6.5e6)
    ap.add_argument("--project-movies", type=float, default=2.4e5)
    ap.add_argument("--latency", type=float, default=50e-6, help="seconds per MPI exchange")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        ratings = a.ratings
        if not ratings:
            subprocess.run([a.recsys, "synth", "--seed", "7", "--out", tmp], check=True,
                           stderr=subprocess.DEVNULL)
            ratings = os.path.join(tmp, "ratings.csv")
        common = ["train", ratings, "--objective", "rating", "--epochs", str(a.epochs),
                  "--early-stopping", "0", "-q", "--format", "json",
                  "--model", os.path.join(tmp, "m.model")]
        launch = ["mpirun", "-q", "-np", str(a.cores)]
        if os.geteuid() == 0:
            launch.append("--allow-run-as-root")
        one, one_wall = run([a.recsys] + common + ["--threads", str(a.cores)])
        ring, ring_wall = run(launch + [a.recsys] + common + ["--threads", "1"])

    r = ring["ring"]
    epochs = ring["epochs_run"]
    print(f"{ratings}: {one['train_rows']:,} training rows, {one['users']:,} users, "
          f"{one['items']:,} movies, dim {one['settings']['dim']}, {a.epochs} epochs")
    print(f"{'run':<28}{'val RMSE':>9}{'epoch s':>9}{'train s':>9}{'pass s':>8}{'ends s':>8}"
          f"{'MB passed':>10}{'load s':>8}{'wall s':>8}")
    print(f"{'1 rank x %d threads' % a.cores:<28}{one['val_rmse']:>9.4f}{per_epoch(one):>9.3f}"
          f"{'':>9}{'':>8}{'':>8}{'':>10}{one['load_seconds']:>8.2f}{one_wall:>8.2f}")
    print(f"{'%d ranks x 1 thread' % a.cores:<28}{ring['val_rmse']:>9.4f}{per_epoch(ring):>9.3f}"
          f"{r['training_seconds'] / epochs:>9.3f}{r['passing_seconds'] / epochs:>8.3f}"
          f"{r['epoch_end_seconds'] / epochs:>8.3f}{r['bytes_passed'] / 1e6 / epochs:>10.1f}"
          f"{ring['load_seconds']:>8.2f}{ring_wall:>8.2f}")

    # The model: a node (this machine) trains rows at the one-process rate;
    # each epoch every node passes every movie group once (weights, bias and
    # two Adam moments: 3 (dim + 1) floats a movie) and receives the others'
    # weights and biases at the epoch's end; each of the N sub-epochs and the
    # end cost one exchange's latency. No overlap of compute and transfer.
    dim = one["settings"]["dim"]
    rows_per_s = one["train_rows"] / per_epoch(one)
    rows = a.project_ratings * 0.9
    passed = a.project_movies * (dim + 1) * 3 * 4
    shared = a.project_movies * (dim + 1) * 4
    print()
    print(f"projected epoch of {a.project_ratings:.0e} ratings ({a.project_users:.1e} users, "
          f"{a.project_movies:.1e} movies, dim {dim}) at {rows_per_s / 1e6:.1f}M rows/s per node, "
          f"{a.latency * 1e6:.0f} us per exchange; {(passed + shared) / 1e6:.0f} MB moved per node")
    print(f"{'nodes':>6}{'compute s':>11}{'10 Gbit/s':>11}{'eff':>6}{'100 Gbit/s':>12}{'eff':>6}")
    for nodes in (1, 8, 32, 128, 512, 2048):
        compute = rows / (rows_per_s * nodes)
        line = f"{nodes:>6}{compute:>11.3f}"
        for gbit in (10, 100):
            move = 0 if nodes == 1 else (passed + shared * (nodes - 1) / nodes) / (gbit * 1e9 / 8)
            total = compute + move + (nodes + 1) * a.latency * (nodes > 1)
            line += f"{total:>11.3f}{compute / total:>6.0%}" if gbit == 10 else f"{total:>12.3f}{compute / total:>6.0%}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

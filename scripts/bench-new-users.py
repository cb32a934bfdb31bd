#!/usr/bin/env python3
"""What `recsys topn --rated` gives people the model has never seen, measured.

Holds out a random share of the users of a ratings file, trains on the rest,
then for each held-out user with enough liked films (rated >= --relevant):
writes --profile of their liked films (drawn at random) to a file as a new
user would, runs `recsys topn --rated FILE --calibrate L` for each L, and
scores the list against the user's other liked films (precision, recall and
nDCG at 10, as `recsys metrics` defines them). Also prints each list's share
of films that share a genre with the profile. Plain Python, no numpy.

  scripts/bench-new-users.py [--recsys BIN] [--data DIR] [--users 120] [--profile 5]
                             [--calibrate 0,0.5,0.8,0.9] [--seed 5]

DIR holds ratings.csv and movies.csv (default ../shared/data/ml-latest-small).
"""
import argparse
import csv
import math
import os
import random
import subprocess
import sys
import tempfile


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recsys", default=os.path.join(here, "..", "build", "recsys"))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "ml-latest-small"))
    ap.add_argument("--users", type=int, default=120, help="users held out")
    ap.add_argument("--profile", type=int, default=5, help="liked films a new user gives")
    ap.add_argument("--relevant", type=float, default=4.0)
    ap.add_argument("--calibrate", default="0,0.5,0.8,0.9")
    ap.add_argument("--seed", type=int, default=5)
    a = ap.parse_args()
    ratings_path = os.path.join(a.data, "ratings.csv")
    if not os.path.exists(ratings_path):
        sys.exit(f"no {ratings_path}")
    with open(ratings_path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    genres = {}
    with open(os.path.join(a.data, "movies.csv"), newline="") as f:
        for r in csv.DictReader(f):
            genres[r["movieId"]] = set(r["genres"].split("|")) - {"(no genres listed)"}
    rng = random.Random(a.seed)
    users = sorted({r[0] for r in rows}, key=lambda u: (len(u), u))
    held = set(rng.sample(users, a.users))
    k = 10
    with tempfile.TemporaryDirectory() as tmp:
        train = os.path.join(tmp, "train.csv")
        with open(train, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(r for r in rows if r[0] not in held)
        model = os.path.join(tmp, "m.model")
        subprocess.run([a.recsys, "train", train, "--movies", os.path.join(a.data, "movies.csv"),
                        "--model", model, "-q"], check=True)
        known = set()
        out = subprocess.run([a.recsys, "export", "--what", "items", "--model", model],
                             check=True, capture_output=True, text=True).stdout
        for r in list(csv.reader(out.splitlines()))[1:]:
            known.add(r[0])
        lambdas = [float(x) for x in a.calibrate.split(",")]
        sums = {lam: [0.0, 0.0, 0.0, 0.0] for lam in lambdas}
        counted = 0
        by_user = {}
        for r in rows:
            if r[0] in held and r[1] in known:
                by_user.setdefault(r[0], []).append((r[1], float(r[2])))
        for user in sorted(by_user, key=lambda u: (len(u), u)):
            liked = [m for m, s in by_user[user] if s >= a.relevant]
            if len(liked) < a.profile + 3:
                continue
            profile = rng.sample(liked, a.profile)
            relevant = set(liked) - set(profile)
            if not relevant:  # a film listed twice in the held-out rows
                continue
            rated = os.path.join(tmp, "me.csv")
            with open(rated, "w") as f:
                f.write("movieId,rating\n" + "".join(f"{m},5\n" for m in profile))
            profile_genres = set().union(*(genres.get(m, set()) for m in profile))
            counted += 1
            for lam in lambdas:
                out = subprocess.run([a.recsys, "topn", "--rated", rated, "--calibrate", str(lam),
                                      "--format", "csv", "--model", model],
                                     check=True, capture_output=True, text=True).stdout
                listed = [r[1] for r in list(csv.reader(out.splitlines()))[1:]]
                hits = [1 if m in relevant else 0 for m in listed]
                dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
                ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
                s = sums[lam]
                s[0] += sum(hits) / k
                s[1] += sum(hits) / len(relevant)
                s[2] += dcg / ideal
                s[3] += sum(1 for m in listed if genres.get(m, set()) & profile_genres) / k
    if counted == 0:
        sys.exit(f"no held-out user liked {a.profile + 3} known films or more: nothing to measure")
    print(f"{counted} held-out users, {a.profile} liked films each, top {k}")
    print(f"{'calibrate':>9}  {'precision':>9}  {'recall':>7}  {'ndcg':>7}  {'share_in_profile_genres':>23}")
    for lam in lambdas:
        s = [x / counted for x in sums[lam]]
        print(f"{lam:>9}  {s[0]:>9.4f}  {s[1]:>7.4f}  {s[2]:>7.4f}  {s[3]:>23.3f}")


if __name__ == "__main__":
    main()

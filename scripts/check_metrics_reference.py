#!/usr/bin/env python3
"""Recomputes recsys's top-N figures independently, in numpy, from the
embeddings `recsys export` writes and the ratings CSV files, and compares
them with `recsys metrics --format json`.

Nothing is taken from recsys but the weights: the item and user indexes are
rebuilt from the CSVs (order of first appearance, training file then
validation file), the scores, the top-k lists, the exclusions, the cosine
matrix of each list (the reference notebook's way, a k x k matrix) and every
count come from numpy; so do the most-popular yardstick's lists and figures.

  scripts/check_metrics_reference.py [--recsys BIN] [--data DIR] [--model FILE] [--preset NAME]

Without --model it trains a model on DIR/seed-split/{train,val}.csv with
--preset (default: default) in a temporary directory. Exits 77 (skipped)
without numpy or without the data, 1 when a figure differs.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77


def skip(why):
    print(f"skipped: {why}")
    sys.exit(SKIP)


try:
    import numpy as np
except ImportError:
    skip("numpy is not available to " + sys.executable + " (apt-get install python3-numpy)")


def read_ratings(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [(r["userId"], r["movieId"], float(r["rating"])) for r in rows]


def read_export(text):
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], rows[1:]
    first = header.index("bias")
    ids = [r[0] for r in body]
    table = np.array([[float(x) for x in r[first:]] for r in body], dtype=np.float32)
    return ids, table[:, 0], table[:, 1:]


def run(args):
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return out.stdout


# Logits closer than this may come out in either order from recsys's float32
# matrix product and numpy's float64 one.
NEAR = 1e-4


def top_k(scores, k, excluded):
    """Top-k column indexes per row (score descending, ties to the lower index),
    and the rows whose best k + 1 hold two scores closer than NEAR: for those the
    weights do not decide the order (or who makes the list) to float precision."""
    lists, unsure = [], set()
    for u in range(scores.shape[0]):
        s = scores[u]
        candidates = np.nonzero(~excluded[u])[0]
        order = np.lexsort((candidates, -s[candidates]))  # last key first: score, then index
        best = candidates[order[:k + 1]]
        if np.any(-np.diff(s[best]) < NEAR):
            unsure.add(u)
        lists.append(best[:k])
    return lists, unsure


def read_lists(text, users, items):
    lists = {}
    for row in csv.DictReader(text.splitlines()):
        lists.setdefault(users[row["userId"]], []).append(items[row["movieId"]])
    return lists


def checked_lists(name, mine, unsure, printed, n_users):
    """numpy's lists, except that where a near tie makes recsys's list differ
    its list is taken; any other difference is a failure."""
    differ = [u for u in range(n_users) if printed.get(u, []) != list(mine[u])]
    wrong = [u for u in differ if u not in unsure]
    print(f"{name}: {n_users - len(differ)} of {n_users} users' lists identical to numpy's"
          + (f", {len(differ)} differ by near ties only" if differ and not wrong else ""))
    if wrong:
        sys.exit(f"{name}: lists of users {wrong[:10]} differ from numpy's beyond near ties")
    return [np.array(printed[u], dtype=np.int64) if u in differ else mine[u] for u in range(n_users)]


def diversity(lists, emb):
    values = []
    for items in lists:
        m = len(items)
        if m < 2:
            continue
        v = emb[items].astype(np.float64)
        norms = np.linalg.norm(v, axis=1)
        unit = np.divide(v, norms[:, None], out=np.zeros_like(v), where=norms[:, None] > 0)
        cos = unit @ unit.T
        iu = np.triu_indices(m, 1)
        values.append(float(np.mean(1.0 - cos[iu])))
    return float(np.mean(values))


def ranking(lists, relevant, k):
    p, r, n, h, ap = [], [], [], [], []
    for u, items in enumerate(lists):
        rel = relevant.get(u)
        if not rel:
            continue
        hits = [1.0 if i in rel else 0.0 for i in items]
        dcg = sum(g / np.log2(rank + 2) for rank, g in enumerate(hits))
        best = min(k, len(rel))
        idcg = sum(1.0 / np.log2(rank + 2) for rank in range(best))
        found, prec_sum = 0, 0.0
        for rank, g in enumerate(hits):
            if g:
                found += 1
                prec_sum += found / (rank + 1)
        p.append(sum(hits) / k)
        r.append(sum(hits) / len(rel))
        n.append(dcg / idcg)
        h.append(1.0 if sum(hits) > 0 else 0.0)
        ap.append(prec_sum / best)
    return dict(precision_at_k=np.mean(p), recall_at_k=np.mean(r), ndcg_at_k=np.mean(n),
                hit_rate_at_k=np.mean(h), map_at_k=np.mean(ap))


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recsys", default=os.path.join(root, "build", "recsys"))
    p.add_argument("--data", default=os.path.join(root, "..", "shared", "data", "ml-latest-small"))
    p.add_argument("--model", help="an existing model trained on DIR/seed-split (else one is trained)")
    p.add_argument("--preset", default="default")
    p.add_argument("-k", type=int, default=10)
    a = p.parse_args()

    train_csv = os.path.join(a.data, "seed-split", "train.csv")
    val_csv = os.path.join(a.data, "seed-split", "val.csv")
    if not (os.path.isfile(train_csv) and os.path.isfile(val_csv)):
        skip(f"no MovieLens seed split at {os.path.join(a.data, 'seed-split')}")
    if not os.path.isfile(a.recsys):
        sys.exit(f"no recsys binary at {a.recsys} (pass --recsys)")

    with tempfile.TemporaryDirectory() as tmp:
        model = a.model
        if not model:
            model = os.path.join(tmp, "check.model")
            run([a.recsys, "train", train_csv, "--val", val_csv, "--preset", a.preset, "-q",
                 "--model", model])
        item_ids, item_bias, item_vec = read_export(run([a.recsys, "export", "--what", "items", "--model", model]))
        user_ids, user_bias, user_vec = read_export(run([a.recsys, "export", "--what", "users", "--model", model]))
        figures = json.loads(run([a.recsys, "metrics", "--model", model, "-k", str(a.k), "--format", "json"]))
        figures_incl = json.loads(run([a.recsys, "metrics", "--model", model, "-k", str(a.k),
                                       "--include-rated", "--diversity", "--novelty", "--format", "json"]))
        topn_csv = run([a.recsys, "topn", "--all-users", "-n", str(a.k), "--format", "csv", "--model", model])
        topn_incl_csv = run([a.recsys, "topn", "--all-users", "-n", str(a.k), "--include-rated",
                             "--format", "csv", "--model", model])

    # Indexes in order of first appearance over the training file, then the validation file.
    train, val = read_ratings(train_csv), read_ratings(val_csv)
    users, items = {}, {}
    for u, i, _ in train + val:
        users.setdefault(u, len(users))
        items.setdefault(i, len(items))
    assert list(users) == user_ids, "user order differs from the export"
    assert list(items) == item_ids, "movie order differs from the export"
    n_users, n_items = len(users), len(items)

    count = np.zeros(n_items)
    total = np.zeros(n_items)
    raters = [set() for _ in range(n_items)]
    for u, i, s in train + val:
        count[items[i]] += 1
        total[items[i]] += s
        raters[items[i]].add(u)
    mean = total / count
    distinct_raters = np.array([len(r) for r in raters], dtype=np.float64)
    if not np.array_equal(distinct_raters, count):
        print("note: some (user, movie) pairs are rated twice; recsys counts ratings, not raters")

    scores = (user_vec.astype(np.float64) @ item_vec.astype(np.float64).T
              + user_bias[:, None].astype(np.float64) + item_bias[None, :].astype(np.float64))
    rated = np.zeros((n_users, n_items), dtype=bool)
    train_rated = np.zeros((n_users, n_items), dtype=bool)
    for u, i, _ in train:
        rated[users[u], items[i]] = train_rated[users[u], items[i]] = True
    for u, i, _ in val:
        rated[users[u], items[i]] = True
    k = a.k
    lists, unsure = top_k(scores, k, rated)
    lists_incl, unsure_incl = top_k(scores, k, np.zeros_like(rated))
    val_items = np.zeros_like(rated)
    for u, i, _ in val:
        val_items[users[u], items[i]] = True
    lists_ranked, unsure_ranked = top_k(scores, k, rated & ~val_items)

    lists = checked_lists(f"top-{k}", lists, unsure, read_lists(topn_csv, users, items), n_users)
    lists_incl = checked_lists(f"top-{k} --include-rated", lists_incl, unsure_incl,
                               read_lists(topn_incl_csv, users, items), n_users)

    relevant = {}
    for u, i, s in val:
        if s >= 4.0:
            relevant.setdefault(users[u], set()).add(items[i])

    def list_figures(lists, lists_ranked):
        out = dict(
            diversity=diversity(lists, item_vec),
            novelty=float(np.mean(np.concatenate([-np.log2(count[l] / n_users) for l in lists]))),
            mean_rating_of_recommended=float(np.mean([mean[l].mean() for l in lists])),
            mean_popularity=float(np.mean(np.concatenate([count[l] for l in lists]))),
            coverage=len(np.unique(np.concatenate(lists))) / n_items,
            **ranking(lists_ranked, relevant, k),
        )
        times = np.sort(np.bincount(np.concatenate(lists), minlength=n_items).astype(np.float64))
        idx = np.arange(1, n_items + 1)
        out["gini"] = float(np.sum((2 * idx - n_items - 1) * times) / ((n_items - 1) * times.sum()))
        return out

    mine = list_figures(lists, lists_ranked)
    # The most-popular yardstick: users with a training row of the movie, the
    # same exclusions. Counts are whole numbers, so their ties are exact and
    # go to the lower index: no near-tie slack.
    popular = np.tile(train_rated.sum(axis=0).astype(np.float64), (n_users, 1))
    mine_popular = list_figures(top_k(popular, k, rated)[0], top_k(popular, k, rated & ~val_items)[0])
    mine_incl = dict(diversity=diversity(lists_incl, item_vec),
                     novelty=float(np.mean(np.concatenate([-np.log2(count[l] / n_users) for l in lists_incl]))),
                     mean_rating_of_recommended=float(np.mean([mean[l].mean() for l in lists_incl])))

    # recsys does not print its ranking lists; a user whose list a near tie
    # may change moves a ranking mean by at most 1 / (users in it).
    ranked_users = [u for u in relevant]
    ranking_slack = len(unsure_ranked & set(ranked_users)) / max(1, len(ranked_users))
    ranking_names = {"precision_at_k", "recall_at_k", "ndcg_at_k", "hit_rate_at_k", "map_at_k"}

    failed = 0
    print(f"{'figure':<44} {'recsys':>12} {'numpy':>12}")
    for label, ours, theirs, near in (("", figures, mine, ranking_slack),
                                      (" (--include-rated)", figures_incl, mine_incl, 0.0),
                                      (" (popularity)", figures["baselines"]["popularity"],
                                       mine_popular, 0.0)):
        for name, value in theirs.items():
            got = ours[name]
            slack = near if name in ranking_names else 0.0
            ok = abs(got - value) <= 1e-6 * max(1.0, abs(value)) + slack
            failed += not ok
            print(f"{name + label:<44} {got:>12.6f} {value:>12.6f}{'' if ok else '   DIFFERS'}")
    if failed:
        print(f"{failed} figures differ")
        sys.exit(1)
    print("all figures agree")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Downloads MovieLens "ml-latest-small" (610 users, 9,742 movies, 100,836
# ratings) into data/movielens/ to try recsys on real ratings. The data set is
# not part of this repository (data/movielens/ is in .gitignore): its licence
# does not allow redistribution. Offline, put ml-latest-small.zip into
# data/movielens/ by any other means and run this script again.
set -euo pipefail
cd "$(dirname "$0")/.."

url=https://files.grouplens.org/datasets/movielens/ml-latest-small.zip
dest=data/movielens
zip=$dest/ml-latest-small.zip
ratings=$dest/ml-latest-small/ratings.csv
expected_rows=100836

fail() {
  echo "get-movielens: $*" >&2
  exit 1
}

mkdir -p "$dest"
if [ ! -s "$zip" ]; then
  echo "downloading $url" >&2
  # A partial download never takes the zip's name, so a rerun starts clean.
  trap 'rm -f "$zip.part"' EXIT
  if command -v curl >/dev/null; then
    curl -fsSL --retry 2 --connect-timeout 20 -o "$zip.part" "$url" ||
      fail "cannot download $url with curl (no network?); put ml-latest-small.zip in $dest/ by other means and run this again"
  elif command -v wget >/dev/null; then
    wget -q --tries=3 --timeout=20 -O "$zip.part" "$url" ||
      fail "cannot download $url with wget (no network?); put ml-latest-small.zip in $dest/ by other means and run this again"
  else
    fail "neither curl nor wget is installed; install one (e.g. apt-get install curl) and run this again"
  fi
  mv "$zip.part" "$zip"
fi

if command -v unzip >/dev/null; then
  unzip -qo "$zip" -d "$dest" || fail "$zip is not a valid zip file; delete it and run this again"
elif command -v python3 >/dev/null; then
  python3 -m zipfile -e "$zip" "$dest" || fail "$zip is not a valid zip file; delete it and run this again"
else
  fail "cannot unzip $zip: install unzip (apt-get install unzip) and run this again"
fi

[ -f "$ratings" ] || fail "$zip holds no ml-latest-small/ratings.csv; delete it and run this again"
header=$(head -n 1 "$ratings" | tr -d '\r')
[ "$header" = "userId,movieId,rating,timestamp" ] || fail "$ratings: unexpected header '$header'"
rows=$(($(wc -l <"$ratings") - 1))
[ "$rows" -eq "$expected_rows" ] ||
  fail "$ratings has $rows rating rows, expected $expected_rows; delete $zip and run this again"

cat <<MSG
MovieLens ml-latest-small is in $dest/ml-latest-small/ ($rows ratings), for example:
  ./build/recsys train $ratings --model ml-small.model
(movies.csv beside the ratings supplies the titles.)

Licence: the MovieLens data sets are for research use under GroupLens's terms
(see $dest/ml-latest-small/README.txt): do not redistribute them, and cite
  F. Maxwell Harper and Joseph A. Konstan. 2015. The MovieLens Datasets:
  History and Context. ACM Transactions on Interactive Intelligent Systems
  (TiiS) 5, 4, Article 19. https://doi.org/10.1145/2827872
MSG

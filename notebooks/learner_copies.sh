#!/usr/bin/env bash
# The learner's notebooks are theirs: `make lab` opens copies, notebooks/my-<name>.ipynb (git-ignored),
# made from the generated notebooks the first time and never overwritten afterwards. The copies sit beside
# the originals, so every path the notebooks compute from their folder stays the same. When the lesson
# changes after a copy was made, the new version is put beside it as my-<name>.lesson-<hash>.ipynb and
# the learner is told; nothing they typed is replaced.
#   notebooks/learner_copies.sh   (prints the copy to open first)
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
for name in exercises solutions mnist; do
  src="$dir/$name.ipynb" copy="$dir/my-$name.ipynb" from="$dir/.my-$name.ipynb.lesson"
  sum="$( (sha256sum "$src" 2>/dev/null || shasum -a 256 "$src") | cut -c1-12)" # shasum: macOS.
  if [ ! -e "$copy" ]; then
    cp "$src" "$copy"
    echo "$sum" >"$from"
    echo "learner copies: made notebooks/my-$name.ipynb from $name.ipynb"
  elif [ "$(cat "$from" 2>/dev/null)" != "$sum" ]; then
    newer="$dir/my-$name.lesson-$sum.ipynb"
    [ -e "$newer" ] || cp "$src" "$newer"
    echo "learner copies: the lesson's $name.ipynb changed since notebooks/my-$name.ipynb was made;" \
      "your copy is untouched and the new version is beside it: notebooks/my-$name.lesson-$sum.ipynb"
  fi
done

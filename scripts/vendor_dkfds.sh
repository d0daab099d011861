#!/usr/bin/env bash
# Refresh the vendored copy of Det Fælles Designsystem (npm package `dkfds`)
# under services/web/static/dkfds/: the compiled, minified CSS and JS, the
# fonts and images the CSS points at, the icons, and the licences.
#
#   scripts/vendor_dkfds.sh            # the pinned version
#   scripts/vendor_dkfds.sh 11.2.0     # another one
#   make vendor-dkfds DKFDS_VERSION=11.2.0
#
# Needs npm (only to fetch the package tarball; nothing is installed).
set -euo pipefail

PINNED=11.2.0
VERSION="${1:-$PINNED}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/services/web/static/dkfds"

die() { printf 'vendor_dkfds: %s\n' "$*" >&2; exit 1; }

[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "not a version: $VERSION (want e.g. $PINNED)"
command -v npm >/dev/null || die "npm is needed to fetch the package (apt-get install npm)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "dkfds@$VERSION" >/dev/null) \
  || die "npm pack dkfds@$VERSION failed"
tar -xzf "$TMP/dkfds-$VERSION.tgz" -C "$TMP"
DIST="$TMP/package/dist"
[ -f "$DIST/css/dkfds.min.css" ] || die "dkfds@$VERSION has no dist/css/dkfds.min.css"
[ -f "$DIST/js/dkfds.min.js" ] || die "dkfds@$VERSION has no dist/js/dkfds.min.js"

NEW="$TMP/dkfds"
mkdir -p "$NEW/css" "$NEW/js" "$NEW/img"

# CSS and JS, minified, without the source-map comment (the maps are not kept).
sed -E '/^\/\*# sourceMappingURL=.*\*\/$/d' "$DIST/css/dkfds.min.css" >"$NEW/css/dkfds.min.css"
sed -E '/^\/\/# sourceMappingURL=/d' "$DIST/js/dkfds.min.js" >"$NEW/js/dkfds.min.js"

# Every file the CSS points at (fonts, images), at the same relative path.
grep -oE 'url\([^)]*\)' "$NEW/css/dkfds.min.css" \
  | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//; s/[?#].*$//' \
  | grep -vE '^(data:|https?:|//)' \
  | sort -u >"$TMP/urls"
[ -s "$TMP/urls" ] || die "found no url(...) in the CSS: has its layout changed?"
while IFS= read -r ref; do
  src="$(realpath -m "$DIST/css/$ref")"
  case "$src" in "$DIST"/*) ;; *) die "url($ref) points outside dist/" ;; esac
  [ -f "$src" ] || die "url($ref) in the CSS has no file in the package"
  rel="${src#"$DIST"/}"
  mkdir -p "$NEW/$(dirname "$rel")"
  cp "$src" "$NEW/$rel"
done <"$TMP/urls"

# The fonts' licence (OFL 1.1) beside each font folder that was copied.
for dir in "$NEW"/fonts/IBMPlexSans/*/*/; do
  sub="${dir#"$NEW"/}"
  if [ -f "$DIST/$sub/license.txt" ]; then cp "$DIST/$sub/license.txt" "$dir"; fi
done

# Icons: the sprite (for <svg><use href="#name">) and the single icon files.
cp "$DIST/img/all-svg-icons.svg" "$NEW/img/"
mkdir -p "$NEW/img/svg-icons"
cp "$DIST"/img/svg-icons/*.svg "$NEW/img/svg-icons/"

# Licences: MIT for the code, OFL 1.1 for IBM Plex Sans, Apache 2.0 for the icons.
cp "$TMP/package/LICENSE.md" "$NEW/LICENSE.md"

# Check every url(...) now resolves inside the vendored folder.
while IFS= read -r ref; do
  [ -f "$NEW/css/$ref" ] || die "url($ref) does not resolve in the vendored copy"
done <"$TMP/urls"

# The web serves the folder under a path with this version in it, so a refresh gives every
# file (fonts and icons too) a new URL and browsers' year-long caches never serve old ones.
printf '%s\n' "$VERSION" >"$NEW/VERSION"

cat >"$NEW/README.md" <<EOF
# Det Fælles Designsystem (vendored)

Version: **dkfds $VERSION** (npm package \`dkfds\`, https://designsystem.dk/).

Only what a page needs, copied from the package's \`dist/\`:

| here | from the package | what |
|---|---|---|
| \`css/dkfds.min.css\` | \`dist/css/dkfds.min.css\` | the compiled stylesheet, neutral theme (source-map comment removed) |
| \`js/dkfds.min.js\` | \`dist/js/dkfds.min.js\` | the components' JavaScript, global \`DKFDS\`; call \`DKFDS.init()\` once, at DOMContentLoaded (source-map comment removed) |
| \`fonts/IBMPlexSans/\` | \`dist/fonts/IBMPlexSans/\` | exactly the font files the stylesheet's \`@font-face\` rules name, with the fonts' \`license.txt\` |
| \`img/all-svg-icons.svg\` | \`dist/img/all-svg-icons.svg\` | the icon sprite: inline it in a hidden \`<div class="hide-base-svg">\` and use \`<svg class="icon-svg" focusable="false" aria-hidden="true"><use href="#NAME"></use></svg>\`, or point \`href\` at this file (same origin): \`…/img/all-svg-icons.svg#NAME\` |
| \`img/svg-icons/\` | \`dist/img/svg-icons/\` | the single icons, which the stylesheet uses as background images |
| \`img/*.png\` | \`dist/img/\` | the placeholder logos the stylesheet names |
| \`LICENSE.md\` | \`LICENSE.md\` | MIT (code), SIL Open Font License 1.1 (IBM Plex Sans), Apache 2.0 (icons) |

Not copied: the SCSS sources, the un-minified builds, the source maps, the
Borger.dk and Virk themes, and font formats the stylesheet does not name.

Every \`url(...)\` in the stylesheet is a relative path that resolves to a
file in this folder; \`scripts/vendor_dkfds.sh\` checks it.

## Refresh

\`\`\`sh
make vendor-dkfds                        # the pinned version
make vendor-dkfds DKFDS_VERSION=X.Y.Z    # another one (then update the pin in the Makefile and the script)
\`\`\`

This runs \`scripts/vendor_dkfds.sh\`, which fetches the tarball with
\`npm pack dkfds@VERSION\` into a temporary folder, replaces this folder with
the files above and writes this README. Do not edit the files here by hand.
EOF

rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$NEW" "$DEST"
printf 'vendored dkfds %s into %s (%s)\n' "$VERSION" "${DEST#"$ROOT"/}" "$(du -sh "$DEST" | cut -f1)"

#!/usr/bin/env bash
# Generates every app icon from source.svg (needs ImageMagick with SVG support: librsvg).
set -euo pipefail
cd "$(dirname "$0")"
render() { convert -background none -density 384 source.svg -resize "$1x$1" -depth 8 "PNG32:$2"; }
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png
convert 32x32.png 128x128.png icon.png icon.ico

#!/usr/bin/env bash
# Build Night Planner for distribution.
#   packaging/build.sh wheel     -> dist/planner-*.whl (and the sdist)
#   packaging/build.sh frozen    -> dist/planner/ (PyInstaller one-folder app)
#   packaging/build.sh install-desktop [PREFIX]
#                                -> .desktop entry, icon and metainfo under PREFIX (default ~/.local)
# Uses the project's .venv (created on first use).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

ensure_venv() {
  if [ ! -x "$PY" ]; then
    python3 -m venv .venv
    "$PY" -m pip install --quiet --upgrade pip
  fi
}

case "${1:-wheel}" in
  wheel)
    ensure_venv
    "$PY" -m pip install --quiet build
    "$PY" -m build --outdir dist .
    ls -l dist
    ;;
  frozen)
    ensure_venv
    "$PY" -m pip install --quiet -e . pyinstaller
    "$ROOT/.venv/bin/pyinstaller" --noconfirm --distpath dist --workpath build/pyinstaller packaging/planner.spec
    echo "Built dist/planner/planner"
    ;;
  install-desktop)
    PREFIX="${2:-$HOME/.local}"
    install -Dm644 packaging/planner.desktop "$PREFIX/share/applications/planner.desktop"
    install -Dm644 packaging/planner.svg "$PREFIX/share/icons/hicolor/scalable/apps/planner.svg"
    install -Dm644 packaging/io.github.planner.Planner.metainfo.xml \
      "$PREFIX/share/metainfo/io.github.planner.Planner.metainfo.xml"
    command -v update-desktop-database >/dev/null && update-desktop-database "$PREFIX/share/applications" || true
    echo "Installed the desktop entry under $PREFIX (the planner-gui command must be on PATH)"
    ;;
  *)
    echo "usage: $0 [wheel|frozen|install-desktop [PREFIX]]" >&2
    exit 2
    ;;
esac

#!/bin/sh
# Set up everything likewise needs, on a bare Debian/Ubuntu machine too; quick when all is there already.
#
#   sh tools/bootstrap.sh          the system packages, .venv, and likewise installed in it
#   sh tools/bootstrap.sh test     the same, with the test tools (likewise[test])
#   sh tools/bootstrap.sh --print  only print the command that installs the missing system packages, the test
#                                  suite's included (nothing if none)
#
# The system packages are those of desktop/system-libraries.txt (the app checks the same list when it starts). They
# are installed as root, or with sudo when it needs no password; otherwise the command to run is printed and the
# set-up goes on.
set -eu
cd "$(dirname "$0")/.."

missing_packages() {  # the listed packages ($1: app, or test for those too) dpkg lacks (by name or Ubuntu's t64 name)
  for package in $(awk -v want="$1" '$1 !~ /^#/ && NF && (want == "test" || $3 != "test") {print $1}' \
                   desktop/system-libraries.txt); do
    dpkg-query -W -f='${Status}\n' "$package" "${package}t64" 2>/dev/null | grep -q ' installed$' ||
      printf '%s ' "$package"
  done
}

sudo_prefix() {  # "" as root, "sudo " when sudo needs no password, else fails
  if [ "$(id -u)" = 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo "
  else
    return 1
  fi
}

install_command() {  # the command that installs packages $1
  sudo=$(sudo_prefix) || sudo="sudo "
  echo "${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends $1" | sed 's/ *$//'
}

system_packages() {  # install the missing system packages ($2: app or test), or say how ($1: install or print)
  if ! command -v dpkg-query >/dev/null 2>&1; then
    [ "$1" = print ] || echo "bootstrap: not Debian/Ubuntu: install the libraries of desktop/system-libraries.txt" \
      "with your package manager" >&2
    return 0
  fi
  packages=$(missing_packages "$2")
  [ -n "$packages" ] || return 0
  if [ "$1" = print ]; then
    install_command "$packages"
  elif sudo=$(sudo_prefix); then
    echo "bootstrap: installing $packages" >&2
    ${sudo}apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >/dev/null
  else
    echo "bootstrap: missing system packages; as root, run: $(install_command "$packages")" >&2
  fi
}

python_packages() {  # .venv with likewise installed (extras $1: app or test); again only when pyproject.toml changed
  [ -x .venv/bin/pip ] || python3 -m venv .venv
  stamp=.venv/likewise-bootstrap
  sum=$(cksum < pyproject.toml)
  case "$(cat "$stamp" 2>/dev/null || true)" in
    "$sum test" | "$sum $1") return 0 ;;
  esac
  if [ "$1" = test ]; then target=".[test]"; else target="."; fi
  .venv/bin/pip install -q -e "$target"
  echo "$sum $1" > "$stamp"
}

case "${1:-app}" in
  --print) system_packages print test ;;
  app | test) system_packages install "${1:-app}" && python_packages "${1:-app}" ;;
  *) echo "usage: sh tools/bootstrap.sh [test | --print]" >&2; exit 2 ;;
esac

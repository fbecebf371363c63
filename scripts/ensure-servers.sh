#!/usr/bin/env bash
# ensure-servers.sh — makes sure the binaries of the real servers the tests start
# (mosquitto, clickhouse-server, nats-server 2.11+), and the browser the
# dashboard's test drives (chromium), are on this Debian machine.
#
# Idempotent and fast when everything is present (a few file checks and one
# `nats-server --version`). Called by the vitest globalSetup and by the test
# harness whenever a binary is missing, so `npm test` works on a fresh machine.
#
#   mosquitto, clickhouse-server  this machine's Debian release, via apt-get.
#   chromium                      the same, with fonts-liberation so pages render
#                                 text (a headless browser for playwright-core).
#   nats-server                   Debian unstable's package (bookworm's 2.9 is too
#                                 old), fetched with `apt-get download` through a
#                                 private apt state and unpacked with `dpkg-deb -x`
#                                 into .cache/nats-server/ — nothing is installed
#                                 system-wide and the system's nats-server is never
#                                 used. The mirror is read from the machine's apt
#                                 sources at run time; signatures are checked with
#                                 the machine's debian-archive-keyring.
#
# Prints the resulting paths as KEY=PATH lines on stdout; progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
NATS_DIR="$CACHE/nats-server"
NATS_BIN="$NATS_DIR/usr/sbin/nats-server"
NATS_MIN="2.11.0"
MOSQUITTO_BIN="/usr/sbin/mosquitto"
CLICKHOUSE_BIN="/usr/sbin/clickhouse-server"
CHROMIUM_BIN="/usr/bin/chromium"
KEYRING="/usr/share/keyrings/debian-archive-keyring.gpg"

log() { echo "ensure-servers: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Root runs apt directly; anyone else needs sudo (non-interactive if no tty).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root or sudo to run: $*"
  fi
}

# Succeeds when the version printed by `nats-server --version` is >= NATS_MIN.
nats_ok() {
  [ -x "$NATS_BIN" ] || return 1
  local v
  v="$("$NATS_BIN" --version 2>/dev/null | sed -n 's/^nats-server: v\{0,1\}\([0-9][0-9.]*\).*/\1/p')"
  [ -n "$v" ] || return 1
  [ "$(printf '%s\n%s\n' "$NATS_MIN" "$v" | sort -V | head -n1)" = "$NATS_MIN" ]
}

all_present() { [ -x "$MOSQUITTO_BIN" ] && [ -x "$CLICKHOUSE_BIN" ] && [ -x "$CHROMIUM_BIN" ] && nats_ok; }

print_paths() {
  echo "nats=$NATS_BIN"
  echo "mosquitto=$MOSQUITTO_BIN"
  echo "clickhouse=$CLICKHOUSE_BIN"
  echo "chromium=$CHROMIUM_BIN"
}

if all_present; then print_paths; exit 0; fi

mkdir -p "$CACHE"
# Serialise concurrent runs (globalSetup and a harness in another process).
exec 9>"$CACHE/ensure-servers.lock"
flock 9
if all_present; then print_paths; exit 0; fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script provisions Debian machines only"

# --- mosquitto, clickhouse-server and chromium from this machine's release ---
install_system_packages() {
  local pkgs=() services=()
  [ -x "$MOSQUITTO_BIN" ] || services+=(mosquitto)
  [ -x "$CLICKHOUSE_BIN" ] || services+=(clickhouse-server)
  pkgs+=("${services[@]}")
  [ -x "$CHROMIUM_BIN" ] || pkgs+=(chromium fonts-liberation)
  [ ${#pkgs[@]} -gt 0 ] || return 0
  log "installing ${pkgs[*]} from this machine's Debian release (first run only)"

  # Packages must not start their services: they would hold the default ports
  # and outlive the tests. policy-rc.d (honoured by invoke-rc.d and
  # deb-systemd-invoke) answering 101 forbids it; keep any existing one.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ]; then
    as_root sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy"
    added_policy=1
  fi
  local rc=0
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q --no-install-recommends install)
  # Try with the lists as they are; refresh them once if that fails (none yet,
  # or stale ones pointing at files the mirror no longer has).
  if ! as_root "${apt[@]}" "${pkgs[@]}" >&2; then
    log "apt-get install failed; running apt-get update once and retrying"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -q update >&2 &&
      as_root "${apt[@]}" "${pkgs[@]}" >&2 || rc=$?
  fi
  [ -z "$added_policy" ] || as_root rm -f "$policy"
  [ "$rc" -eq 0 ] || die "apt-get install ${pkgs[*]} failed"
  # Under systemd the packages also enabled their units for the next boot, when
  # they would take the default ports; they are here for the tests only.
  if [ ${#services[@]} -gt 0 ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl disable "${services[@]}" >&2 || log "could not disable ${services[*]} at boot"
  fi
  [ -x "$MOSQUITTO_BIN" ] || die "mosquitto installed but $MOSQUITTO_BIN is missing"
  [ -x "$CLICKHOUSE_BIN" ] || die "clickhouse-server installed but $CLICKHOUSE_BIN is missing"
  [ -x "$CHROMIUM_BIN" ] || die "chromium installed but $CHROMIUM_BIN is missing"
}

# --- nats-server from Debian unstable, unpacked into .cache/ -----------------

# Prints the URI of the machine's main Debian archive entry: the one serving the
# release's own codename (not -security, not -updates), read from deb822
# *.sources files and one-line sources.list files.
debian_archive_uri() {
  local codename
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  [ -n "$codename" ] || die "cannot read VERSION_CODENAME from /etc/os-release"
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      # One "URI<TAB>suites" line per URI of each enabled deb stanza.
      awk '
        function flush() {
          if (types ~ /(^| )deb( |$)/ && enabled != "no")
            for (i = 1; i <= n; i++) print uris[i] "\t" suites
          types = ""; suites = ""; enabled = ""; n = 0
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        {
          key = tolower($1); sub(/:$/, "", key)
          if (key == "types") { $1 = ""; types = $0 " " }
          else if (key == "suites") { $1 = ""; suites = $0 " " }
          else if (key == "enabled") { enabled = tolower($2) }
          else if (key == "uris") { for (i = 2; i <= NF; i++) uris[++n] = $i }
        }
        END { flush() }
      ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      # deb [options] URI suite components...
      awk '
        $1 != "deb" { next }
        { i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ } }
        i + 1 <= NF { print $i "\t " $(i + 1) " " }
      ' "$f"
    done
  } | awk -F '\t' -v c="$codename" '
      $1 !~ /security/ && index($2, " " c " ") { print $1; exit }
    '
}

fetch_nats() {
  log "fetching nats-server >= $NATS_MIN from Debian unstable into ${NATS_DIR#"$ROOT"/} (first run only)"
  [ -r "$KEYRING" ] || die "$KEYRING missing (package debian-archive-keyring)"
  command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found"
  local uri
  uri="$(debian_archive_uri)"
  [ -n "$uri" ] || die "no main Debian archive entry found in the machine's apt sources"

  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/vigil-apt-sid.XXXXXX")"
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" EXIT
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/deb" "$work/root"
  echo "deb [signed-by=$KEYRING] $uri sid main" >"$work/sources.list"
  # apt's download sandbox user must be able to write the target directory.
  # (mktemp -d makes a 0700 directory, which the _apt user cannot enter).
  if id _apt >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$work"
    chown -R _apt "$work/lists" "$work/deb"
  fi

  # A private apt state: only the sid entry, no machine pinning, own lists and
  # cache, so the machine's own apt state is neither read nor changed.
  local apt_opts=(
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::Preferences=/dev/null"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "APT::Default-Release="
  )
  apt-get -q "${apt_opts[@]}" update >&2 || die "apt-get update for Debian unstable failed"
  (cd "$work/deb" && apt-get -q "${apt_opts[@]}" download nats-server/sid >&2) ||
    die "apt-get download nats-server/sid failed"
  local deb
  deb="$(ls "$work"/deb/nats-server_*.deb)"
  dpkg-deb -x "$deb" "$work/root"
  "$work/root/usr/sbin/nats-server" --version >/dev/null ||
    die "unpacked $(basename "$deb") does not run on this machine"
  # Swap in whole, so a half-unpacked tree is never taken for a ready one.
  rm -rf "$NATS_DIR"
  mv "$work/root" "$NATS_DIR"
  nats_ok || die "$(basename "$deb") gave $("$NATS_BIN" --version 2>&1 || true), need >= $NATS_MIN"
  log "$("$NATS_BIN" --version) ready"
}

install_system_packages
nats_ok || fetch_nats
print_paths

#!/bin/sh
# fip-alias-agent: binds the cluster's floating IPs on this node so that whichever node the cloud
# routes a floating IP to can answer for it. Runs on every node (a DaemonSet with hostNetwork and
# NET_ADMIN). Needs only a POSIX sh, iproute2 and coreutils.
#
# Configuration (environment):
#   FIP_LIST_FILE    file with one floating IP per line; "#" starts a comment, blank lines are
#                    ignored (default /etc/fip/ips, mounted from a ConfigMap). Re-read every pass,
#                    so an edited ConfigMap takes effect without a restart.
#   FIP_IPS          more floating IPs, separated by spaces or commas.
#   FIP_INTERFACE    interface to bind on; default: the interface of the default route (IPv4,
#                    then IPv6), looked up again every pass.
#   FIP_INTERVAL     seconds between passes, 1 to 86400 (default 10).
#   FIP_MARK_METRIC  the mark of the agent's own addresses, 1 to 4294967295 (default 53100, see
#                    below).
#   FIP_HEARTBEAT_FILE  when set, the time of the last finished pass is written there, for the
#                    liveness probe (`--alive`).
#
# What gets bound:
#   IPv4  a.b.c.d or a.b.c.d/32            -> a.b.c.d/32
#   IPv6  a /64 network such as 2001:db8:1:2::/64 (host part zero) -> 2001:db8:1:2::1/64
#         an address such as 2001:db8:1:2::5 or 2001:db8:1:2::5/64 -> that address, /64
#   An IPv6 floating IP is a whole /64 routed to one server; binding one address of it with
#   prefix length 64 makes the node answer on that address. Other prefix lengths are refused.
#   Refused as well, because no node can answer for them as a floating IP and binding some would
#   break the node: unspecified (0.0.0.0/8, ::), loopback (127.0.0.0/8, ::1), link-local
#   (169.254.0.0/16; fe80::/10, where fe80::1 is the IPv6 gateway on Hetzner Cloud), multicast
#   (224.0.0.0/4, ff00::/8) and broadcast (255.255.255.255) addresses; for IPv6 the whole of
#   ::/8 (unspecified, loopback, IPv4-mapped). The list must be plain ASCII; a byte-order mark
#   at the start of the file is skipped.
#
# How the agent knows its own addresses: it adds them with a distinctive address metric
# (`ip addr add ... metric 53100`, IFA_RT_PRIORITY). The kernel keeps the metric with the
# address and `ip addr` prints it, so the mark works for IPv4 and IPv6 alike and survives a
# restart of the pod, unlike a state file in the container. Labels (`eth0:fip`) exist only for
# IPv4 and must fit in 15 characters; the address `proto` attribute needs iproute2 6.3, newer
# than Debian bookworm's 6.1. On a /32 the metric changes nothing; on an IPv6 /64 it is the
# metric of the on-link prefix route. An address present without the mark (added by hand, by
# DHCP, by another tool) counts as bound and is never removed; a marked address that is no
# longer listed, or sits on an interface other than the chosen one, is removed.
#
# IPv6 addresses are added with `nodad`: every node binds the same address, so duplicate address
# detection on a shared link would leave them "dadfailed" and unusable.
#
# On SIGTERM the agent exits and leaves its addresses bound: a restart or rolling update of the
# DaemonSet must not drop a floating IP the node is serving, and the next pod adopts the marked
# addresses. To unbind everything, run it once with an empty list before deleting the DaemonSet.
#
# Usage: fip-alias-agent.sh [--once | --alive]
#   --once   one pass; exit 1 if an address failed.
#   --alive  the liveness check: exit 0 when FIP_HEARTBEAT_FILE says a pass finished within
#            2 intervals + 60 s, else 1.
# Exit codes: 0 done or stopped by SIGTERM, 1 a pass failed (--once), 2 bad configuration.

set -u
set -f
# Byte semantics for patterns and lengths, whichever shell runs the script: a non-ASCII byte is
# then never [:print:] nor [:space:], and ${#x} counts bytes.
LC_ALL=C
export LC_ALL

PROGRAM=fip-alias-agent
DEFAULT_LIST_FILE=/etc/fip/ips
CR=$(printf '\r')
TAB=$(printf '\t')
BOM=$(printf '\357\273\277')
NL='
'

log() {
  printf '%s: %s\n' "$PROGRAM" "$*"
}

warn() {
  printf '%s: %s\n' "$PROGRAM" "$*" >&2
}

# Configuration errors end the program with exit code 2.
die() {
  warn "$*"
  exit 2
}

# trim TEXT: REPLY is TEXT without leading and trailing whitespace.
trim() {
  REPLY=$1
  REPLY=${REPLY#"${REPLY%%[![:space:]]*}"}
  REPLY=${REPLY%"${REPLY##*[![:space:]]}"}
}

# valid_ifname NAME: the kernel's rules for an interface name (dev_valid_name): 1 to 15 bytes,
# no "/", ":" or whitespace, not "." or "..".
valid_ifname() {
  case $1 in '' | . | .. | */* | *:* | *[[:space:]]*) return 1 ;; esac
  [ "${#1}" -le 15 ]
}

# resolve_interface: IFACE is the configured interface, or the default route's. Sets ERR and
# returns 1 when there is none.
resolve_interface() {
  IFACE=
  IFACE_SOURCE=FIP_INTERFACE
  if [ -n "${FIP_INTERFACE:-}" ]; then
    trim "$FIP_INTERFACE"
    if ! valid_ifname "$REPLY"; then
      ERR="FIP_INTERFACE \"$REPLY\" is not a valid interface name (1 to 15 characters, no \"/\", \":\" or whitespace)"
      return 1
    fi
    IFACE=$REPLY
  else
    IFACE_SOURCE="default route"
    default_route_interface "$(ip -4 route show default 2>/dev/null)" ||
      default_route_interface "$(ip -6 route show default 2>/dev/null)"
    if [ -z "$IFACE" ]; then
      ERR="no default route to take the interface from; set FIP_INTERFACE"
      return 1
    fi
  fi
  if ! ip link show dev "$IFACE" >/dev/null 2>&1; then
    ERR="interface \"$IFACE\" does not exist ($IFACE_SOURCE)"
    return 1
  fi
}

# default_route_interface ROUTES: IFACE is the word after the first "dev" in `ip route` output.
default_route_interface() {
  # shellcheck disable=SC2086 # splitting the route into words is the point
  set -- $1
  while [ "$#" -gt 1 ]; do
    if [ "$1" = dev ]; then
      IFACE=$2
      return 0
    fi
    shift
  done
  return 1
}

# parse_ipv4 TEXT: REPLY is the dotted quad; leading zeros are refused because some parsers
# read them as octal.
parse_ipv4() {
  case $1 in *[!0-9.]* | .* | *. | *..*) return 1 ;; esac
  old_ifs=$IFS
  IFS=.
  # shellcheck disable=SC2086
  set -- $1
  IFS=$old_ifs
  [ "$#" -eq 4 ] || return 1
  for octet in "$@"; do
    case $octet in 0) ;; 0* | ????*) return 1 ;; esac
    [ "$octet" -le 255 ] || return 1
  done
  REPLY="$1.$2.$3.$4"
}

# hex_groups TEXT: appends the colon-separated groups of TEXT to HEXTETS (lower case, no leading
# zeros) and counts them in COUNT.
hex_groups() {
  [ -z "$1" ] && return 0
  case $1 in :* | *:) return 1 ;; esac
  old_ifs=$IFS
  IFS=:
  # shellcheck disable=SC2086
  set -- $1
  IFS=$old_ifs
  for group in "$@"; do
    case $group in '' | ?????*) return 1 ;; esac
    HEXTETS="$HEXTETS $(printf '%x' "0x$group")"
    COUNT=$((COUNT + 1))
  done
}

# expand_ipv6 TEXT: HEXTETS is the eight groups of an IPv6 address written in hex digits and
# colons (embedded IPv4 is not accepted), so every spelling of one address gives the same words.
expand_ipv6() {
  case $1 in '' | *[!0-9A-Fa-f:]* | *:::* | *::*::*) return 1 ;; esac
  HEXTETS=
  COUNT=0
  case $1 in
    *::*)
      hex_groups "${1#*::}" || return 1
      tail_hextets=$HEXTETS
      tail_count=$COUNT
      HEXTETS=
      COUNT=0
      hex_groups "${1%%::*}" || return 1
      # "::" stands for at least one group of zeros.
      [ $((COUNT + tail_count)) -le 7 ] || return 1
      while [ $((COUNT + tail_count)) -lt 8 ]; do
        HEXTETS="$HEXTETS 0"
        COUNT=$((COUNT + 1))
      done
      HEXTETS="$HEXTETS$tail_hextets"
      ;;
    *)
      hex_groups "$1" || return 1
      [ "$COUNT" -eq 8 ] || return 1
      ;;
  esac
}

# special_ipv4 ADDRESS: SPECIAL names the range of a dotted quad no floating IP can be, or is
# empty.
special_ipv4() {
  SPECIAL=
  first=${1%%.*}
  second=${1#*.}
  second=${second%%.*}
  if [ "$first" -eq 0 ]; then
    SPECIAL="is in 0.0.0.0/8, the unspecified range"
  elif [ "$first" -eq 127 ]; then
    SPECIAL="is in 127.0.0.0/8, the loopback range"
  elif [ "$first" -eq 169 ] && [ "$second" -eq 254 ]; then
    SPECIAL="is in 169.254.0.0/16, the link-local range"
  elif [ "$first" -ge 224 ] && [ "$first" -le 239 ]; then
    SPECIAL="is in 224.0.0.0/4, the multicast range"
  elif [ "$1" = 255.255.255.255 ]; then
    SPECIAL="is the broadcast address"
  fi
}

# special_ipv6 FIRST-HEXTET: SPECIAL names the range of an IPv6 address starting with that group
# (lower-case hex) that no floating IP can be, or is empty.
special_ipv6() {
  SPECIAL=
  group=$((0x$1))
  if [ "$group" -lt 256 ]; then
    SPECIAL="is in ::/8, the unspecified, loopback and IPv4-mapped range"
  elif [ "$group" -ge 65152 ] && [ "$group" -le 65215 ]; then
    SPECIAL="is in fe80::/10, the link-local range"
  elif [ "$group" -ge 65280 ]; then
    SPECIAL="is in ff00::/8, the multicast range"
  fi
}

# parse_entry TEXT SOURCE: ENTRY is "family,address,prefix-length" for one listed floating IP
# (see the rules at the top). Sets ERR and returns 1 when TEXT is not one.
parse_entry() {
  entry_text=$1
  entry_source=$2
  address=${1%/*}
  plen=
  case $1 in */*/*) address= ;; */*) plen=${1##*/} ;; esac
  if parse_ipv4 "$address"; then
    if [ -n "$plen" ] && [ "$plen" != 32 ]; then
      ERR="\"$1\" has prefix length $plen; an IPv4 floating IP is bound as /32 ($2)"
      return 1
    fi
    special_ipv4 "$REPLY"
    if [ -n "$SPECIAL" ]; then
      ERR="\"$1\" $SPECIAL; a floating IP must be a unicast address the cloud routes to a node ($2)"
      return 1
    fi
    ENTRY="4,$REPLY,32"
    return 0
  fi
  if ! expand_ipv6 "$address"; then
    ERR="\"$1\" is not an IPv4 address, an IPv6 address or an IPv6 /64 network ($2)"
    return 1
  fi
  if [ -n "$plen" ] && [ "$plen" != 64 ]; then
    ERR="\"$1\" has prefix length $plen; an IPv6 floating IP is a /64 network ($2)"
    return 1
  fi
  # shellcheck disable=SC2086
  set -- $HEXTETS
  special_ipv6 "$1"
  if [ -n "$SPECIAL" ]; then
    ERR="\"$entry_text\" $SPECIAL; a floating IP must be a unicast address the cloud routes to a node ($entry_source)"
    return 1
  fi
  if [ "$5:$6:$7:$8" = 0:0:0:0 ]; then
    ENTRY="6,$1:$2:$3:$4::1,64"
  else
    ENTRY="6,$1:$2:$3:$4:$5:$6:$7:$8,64"
  fi
}

# add_entry TEXT SOURCE: parses TEXT and adds it to WANTED once.
add_entry() {
  parse_entry "$1" "$2" || return 1
  case "$WANTED " in *" $ENTRY "*) ;; *) WANTED="$WANTED $ENTRY" ;; esac
}

# check_plain TEXT SOURCE: sets ERR and returns 1 when TEXT holds a byte that is not printable
# ASCII, a space, a tab or a newline (a non-breaking space copied from a web page, say), naming
# its column rather than printing an invisible character.
check_plain() {
  # shellcheck disable=SC2101 # "[!" opens a negated bracket expression; the class is inside it
  case $1 in *[![:print:]"$TAB$NL"]*) ;; *) return 0 ;; esac
  prefix=${1%%[![:print:]"$TAB$NL"]*}
  trim "$prefix"
  after=
  [ -n "$REPLY" ] && after=", after \"$REPLY\""
  ERR="a non-ASCII or control character at column $((${#prefix} + 1))$after, is not part of any address (a non-breaking space or a byte-order mark, say); write the list in plain ASCII ($2)"
  return 1
}

# read_list: WANTED is every floating IP of the list file and FIP_IPS. Sets ERR and returns 1
# on a line that is not a floating IP, or when neither source exists.
read_list() {
  WANTED=
  if [ -f "$LIST_FILE" ]; then
    line_number=0
    while IFS= read -r line || [ -n "$line" ]; do
      line_number=$((line_number + 1))
      # Editors on Windows start a UTF-8 file with a byte-order mark.
      [ "$line_number" -eq 1 ] && line=${line#"$BOM"}
      line=${line%%#*}
      line=${line%"$CR"}
      check_plain "$line" "$LIST_FILE line $line_number" || return 1
      trim "$line"
      [ -z "$REPLY" ] && continue
      case $REPLY in *[[:space:]]*)
        ERR="\"$REPLY\" holds more than one word; write one floating IP per line ($LIST_FILE line $line_number)"
        return 1
        ;;
      esac
      add_entry "$REPLY" "$LIST_FILE line $line_number" || return 1
    done <"$LIST_FILE"
  elif [ -n "${FIP_LIST_FILE:-}" ] || [ -z "${FIP_IPS:-}" ]; then
    ERR="the list of floating IPs $LIST_FILE does not exist; mount it or set FIP_IPS"
    return 1
  fi
  check_plain "${FIP_IPS:-}" FIP_IPS || return 1
  old_ifs=$IFS
  # Split on commas, spaces, tabs and newlines.
  IFS=", $TAB$NL"
  # shellcheck disable=SC2086
  set -- ${FIP_IPS:-}
  IFS=$old_ifs
  for text in "$@"; do
    add_entry "$text" FIP_IPS || return 1
  done
}

# is_marked WORDS...: whether the words of an `ip -o addr` line carry the agent's metric.
is_marked() {
  while [ "$#" -gt 1 ]; do
    if [ "$1" = metric ] && [ "$2" = "$MARK" ]; then
      return 0
    fi
    shift
  done
  return 1
}

# scan_address ADDRESS MAXLEN: looks for ADDRESS on every interface, letting iproute2 compare
# ("to a/32" or "to a/128" matches that one address, whatever its spelling). OURS is ip's
# spelling of it when the agent's mark holds it on IFACE; FOREIGN names the interface holding
# it without the mark.
scan_address() {
  OURS=
  FOREIGN=
  found=$(ip -o addr show to "$1/$2" 2>&1) || {
    ERR="listing addresses failed: $found"
    return 1
  }
  while IFS= read -r line; do
    # shellcheck disable=SC2086 # fields: index, interface, family, address/length, ...
    set -- $line
    [ "$#" -ge 4 ] || continue
    if ! is_marked "$@"; then
      FOREIGN=${FOREIGN:-$2}
    elif [ "$2" = "$IFACE" ]; then
      OURS=$4
    fi
  done <<LINES
$found
LINES
  return 0
}

# ensure_bound FAMILY ADDRESS PLEN: binds one floating IP on IFACE unless it is already present,
# and records the agent's copy in KEEP. Sets ERR and returns 1 when iproute2 fails.
ensure_bound() {
  maxlen=32
  extra=
  if [ "$1" = 6 ]; then
    maxlen=128
    extra=nodad
  fi
  scan_address "$2" "$maxlen" || return 1
  if [ -z "$OURS" ] && [ -n "$FOREIGN" ]; then
    [ "$FIRST_PASS" = yes ] && log "$2 is already present on $FOREIGN, not added by the agent: left as is"
    return 0
  fi
  if [ -z "$OURS" ]; then
    # shellcheck disable=SC2086 # $extra is empty or one word
    output=$(ip addr add "$2/$3" dev "$IFACE" metric "$MARK" $extra 2>&1) || {
      ERR="binding $2/$3 on $IFACE failed: $output"
      return 1
    }
    scan_address "$2" "$maxlen" || return 1
    log "bound ${OURS:-$2/$3} on $IFACE"
  fi
  KEEP="$KEEP $IFACE|${OURS%/*}"
}

# remove_stale: removes every address holding the agent's mark that is not in KEEP: no longer
# listed, or on an interface other than IFACE. Sets ERR and returns 1 when iproute2 fails.
remove_stale() {
  all=$(ip -o addr show 2>&1) || {
    ERR="listing addresses failed: $all"
    return 1
  }
  status=0
  while IFS= read -r line; do
    # shellcheck disable=SC2086
    set -- $line
    if [ "$#" -lt 4 ] || ! is_marked "$@"; then
      continue
    fi
    case "$KEEP " in *" $2|${4%/*} "*) continue ;; esac
    if output=$(ip addr del "$4" dev "$2" 2>&1); then
      log "removed $4 from $2"
    else
      ERR="removing $4 from $2 failed: $output"
      status=1
    fi
  done <<LINES
$all
LINES
  return "$status"
}

# run_pass: one pass over the list. Returns 0 when every address is right, 1 when iproute2
# failed (reported on stderr), 2 on bad configuration (message in ERR).
run_pass() {
  ERR=
  resolve_interface || return 2
  read_list || return 2
  KEEP=
  failed=0
  left=$(count_words "$WANTED")
  for entry in $WANTED; do
    family=${entry%%,*}
    rest=${entry#*,}
    if ! ensure_bound "$family" "${rest%,*}" "${rest#*,}"; then
      # Every later address would fail the same way: one line instead of one per address.
      if ! ip link show dev "$IFACE" >/dev/null 2>&1; then
        warn "interface \"$IFACE\" disappeared during the pass; $left floating IPs left unchecked until the next pass"
        return 1
      fi
      warn "$ERR"
      failed=1
    fi
    left=$((left - 1))
  done
  # After a failure the agent keeps what it has: an address it could not check might be one it
  # still has to keep.
  if [ "$failed" -eq 0 ] && ! remove_stale; then
    warn "$ERR"
    failed=1
  fi
  return "$failed"
}

# whole_number NAME VALUE MAX: REPLY is VALUE trimmed; exits with a configuration error unless it
# is a whole number from 1 to MAX.
whole_number() {
  trim "$2"
  case $REPLY in '' | *[!0-9]* | 0* | ???????????*) die "$1 \"$REPLY\" is not a whole number from 1 to $3" ;; esac
  [ "$REPLY" -le "$3" ] || die "$1 \"$REPLY\" is not a whole number from 1 to $3"
}

# write_heartbeat: records the end of a pass in FIP_HEARTBEAT_FILE (seconds since the epoch),
# through a rename so that the probe never reads a half-written file.
write_heartbeat() {
  [ -n "$HEARTBEAT" ] || return 0
  date +%s >"$HEARTBEAT.new" && mv -f "$HEARTBEAT.new" "$HEARTBEAT"
}

# check_alive: the liveness probe. Exits 0 when the last pass ended within 2 intervals + 60 s
# (a pass over thousands of addresses takes seconds), else 1 with the reason.
check_alive() {
  [ -n "$HEARTBEAT" ] || die "--alive needs FIP_HEARTBEAT_FILE, the file the agent writes after every pass"
  limit=$((2 * INTERVAL + 60))
  stamp=
  [ -f "$HEARTBEAT" ] && read -r stamp <"$HEARTBEAT"
  case $stamp in '' | *[!0-9]*)
    warn "no pass has finished yet: $HEARTBEAT holds no time"
    exit 1
    ;;
  esac
  age=$(($(date +%s) - stamp))
  if [ "$age" -gt "$limit" ]; then
    warn "the last pass ended $age s ago, more than $limit s: the loop is stuck"
    exit 1
  fi
  exit 0
}

on_term() {
  [ -n "${SLEEP_PID:-}" ] && kill "$SLEEP_PID" 2>/dev/null
  log "stopping on SIGTERM; the bound addresses stay for the next agent"
  exit 0
}

main() {
  once=no
  alive=no
  for argument in "$@"; do
    case $argument in
      --once) once=yes ;;
      --alive) alive=yes ;;
      -h | --help)
        sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
      *) die "unknown argument \"$argument\"; usage: fip-alias-agent.sh [--once | --alive]" ;;
    esac
  done
  LIST_FILE=${FIP_LIST_FILE:-$DEFAULT_LIST_FILE}
  whole_number FIP_INTERVAL "${FIP_INTERVAL:-10}" 86400
  INTERVAL=$REPLY
  # IFA_RT_PRIORITY, the address metric, is an unsigned 32-bit number.
  whole_number FIP_MARK_METRIC "${FIP_MARK_METRIC:-53100}" 4294967295
  MARK=$REPLY
  HEARTBEAT=${FIP_HEARTBEAT_FILE:-}
  [ "$alive" = yes ] && check_alive
  trap on_term TERM INT

  FIRST_PASS=yes
  run_pass
  status=$?
  [ "$status" -eq 2 ] && die "$ERR"
  write_heartbeat || die "cannot write FIP_HEARTBEAT_FILE $HEARTBEAT"
  [ "$once" = yes ] && exit "$status"
  log "running: $(count_words "$WANTED") floating IPs on $IFACE ($IFACE_SOURCE), a pass every $INTERVAL s"

  FIRST_PASS=no
  previous=$IFACE
  while :; do
    sleep "$INTERVAL" &
    SLEEP_PID=$!
    wait "$SLEEP_PID"
    SLEEP_PID=
    run_pass
    [ "$?" -eq 2 ] && warn "$ERR; this pass changed nothing"
    write_heartbeat || warn "cannot write FIP_HEARTBEAT_FILE $HEARTBEAT"
    if [ -n "$IFACE" ] && [ "$IFACE" != "$previous" ]; then
      log "interface is now $IFACE ($IFACE_SOURCE)"
      previous=$IFACE
    fi
  done
}

# count_words TEXT: prints how many words TEXT holds.
count_words() {
  # shellcheck disable=SC2086
  set -- $1
  echo "$#"
}

main "$@"

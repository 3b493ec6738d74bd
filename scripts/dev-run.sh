#!/usr/bin/env bash
# ./dev run: a local Roost with a demo account on unprivileged loopback ports (no root).
# Creates the data dir (./var or $ROOST_DATA_DIR) and, once, the account "demo" with a random
# password kept in <data dir>/demo-password.txt. Extra arguments go to `roost serve`.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

ROOST=build/roost
DATA=${ROOST_DATA_DIR:-var}
HOST=127.0.0.1
USER_NAME=demo
PASSWORD_FILE=$DATA/demo-password.txt

# One line per listener: protocol, port, TLS mode. Uncomment a line when its protocol lands.
# ROOST_DEV_<PROTO>_PORT (e.g. ROOST_DEV_HTTP_PORT=18080) moves one listener.
LISTENERS=(
  "http        8080 none"
  "imap        1143 STARTTLS"
  "imaps       1993 implicit-TLS"
  "pop3        1110 STLS"
  "pop3s       1995 implicit-TLS"
  "submission  1587 STARTTLS"
  "submissions 1465 implicit-TLS"
  # "lmtp        1024 none"
  # "https       8443 implicit-TLS"
)

[ -x "$ROOST" ] || { echo "dev-run: $ROOST is missing; run ./dev build" >&2; exit 1; }
mkdir -p "$DATA"

new_password=0
if [ ! -s "$PASSWORD_FILE" ]; then
  # 20 characters without look-alikes (0/O, 1/l/I); tr stops on SIGPIPE, hence || true.
  password=$(LC_ALL=C tr -dc 'a-km-zA-HJ-NP-Z2-9' </dev/urandom 2>/dev/null | head -c 20 || true)
  (umask 077 && printf '%s\n' "$password" >"$PASSWORD_FILE")
  new_password=1
fi
password=$(head -n 1 "$PASSWORD_FILE")

if "$ROOST" account list --data-dir "$DATA" | awk 'NR > 1 { print $1 }' | grep -qx "$USER_NAME"; then
  if [ "$new_password" -eq 1 ]; then
    printf '%s' "$password" | "$ROOST" account passwd "$USER_NAME" --password-stdin --data-dir "$DATA" >/dev/null
  fi
else
  printf '%s' "$password" | "$ROOST" account add "$USER_NAME" --password-stdin --data-dir "$DATA" >/dev/null
fi

listen_args=()
echo "Roost dev server"
echo "  host:      $HOST"
for line in "${LISTENERS[@]}"; do
  read -r proto port tls <<<"$line"
  override="ROOST_DEV_${proto^^}_PORT"
  port=${!override:-$port}
  listen_args+=(--listen "$proto=$HOST:$port")
  printf '  %-11s port %-5s TLS: %s\n' "$proto" "$port" "$tls"
done
echo "  user:      $USER_NAME   (address $USER_NAME@$(hostname))"
echo "  password:  $password   (in $PASSWORD_FILE)"
echo "  data dir:  $(readlink -f "$DATA")   (TLS is self-signed: $DATA/tls/cert.pem)"
echo "  stop:      Ctrl-C (or kill -TERM the roost process)"
echo

exec "$ROOST" serve --data-dir "$DATA" "${listen_args[@]}" "$@"

#!/usr/bin/env bash
# Runs the built image without a container engine and smoke-tests two topologies from it:
#   1. the monolith on its embedded database: register, place an order, SIGTERM (exit 0), start again on
#      the same /data, sign in and read both back;
#   2. users, orders and auth each in their own process over TCP behind an API-only gateway.
# The image's root filesystem (buildah mount) is bind-mounted read-only, as Kubernetes runs it, with
# /proc, /dev, a fresh /tmp and a host directory as /data; each process is started under chroot as the
# image's user, with the image's environment, working directory and command.
#
#   sudo scripts/smoke-image.sh                 # localhost/modular-monolith:latest
set -euo pipefail

cd "$(dirname "$0")/.."

IMAGE="${IMAGE:-localhost/modular-monolith:latest}"
BUILDAH=(buildah --storage-driver vfs)
node_bin="$(scripts/node-toolchain.sh)"
node() { "$node_bin/node" "$@"; }

work="$(mktemp -d /var/tmp/mm-smoke.XXXXXX)"
ctr="" mnt="" root="$work/root" pids=() mounts=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" || true; done
  [ -n "$ctr" ] && { "${BUILDAH[@]}" umount "$ctr" >/dev/null 2>&1 || true; "${BUILDAH[@]}" rm "$ctr" >/dev/null 2>&1 || true; }
  if [ "$rc" -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 20 "$log"; }; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

ctr="$("${BUILDAH[@]}" from --pull=never "$IMAGE")"
mnt="$("${BUILDAH[@]}" mount "$ctr")"
node scripts/image/check-image-tree.mjs "$mnt"

mkdir -p "$root" "$work/data"
chown 1000:1000 "$work/data"
mount --bind "$mnt" "$root" && mounts+=("$root")
mount -o remount,bind,ro "$root"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" && mounts+=("$root/dev")
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp" && mounts+=("$root/tmp")
mount --bind "$work/data" "$root/data" && mounts+=("$root/data")

# The image's configuration: environment, working directory, user and command.
config="$("${BUILDAH[@]}" inspect --type container "$ctr" | node -e 'console.log(JSON.stringify(JSON.parse(require("fs").readFileSync(0)).OCIv1.config))')"
mapfile -t image_env < <(node -e 'for (const e of JSON.parse(process.argv[1]).Env ?? []) console.log(e)' "$config")
workdir="$(node -p 'JSON.parse(process.argv[1]).WorkingDir || "/"' "$config")"
user="$(node -p 'JSON.parse(process.argv[1]).User || "0:0"' "$config")"
mapfile -t cmd < <(node -e 'for (const c of JSON.parse(process.argv[1]).Cmd) console.log(c)' "$config")

free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
secret="$(node -p 'require("crypto").randomBytes(48).toString("base64url")')"

# start NAME VAR=VALUE...: runs the image's command with its environment plus the given variables.
declare -A pid_of
start() {
  local name="$1"
  shift
  chroot --userspec="$user" "$root" /usr/bin/env -i -C "$workdir" "${image_env[@]}" HOST=127.0.0.1 JWT_SECRET="$secret" "$@" "${cmd[@]}" \
    >>"$work/$name.log" 2>&1 &
  pid_of[$name]=$!
  pids+=($!)
}

wait_ready() {
  local name="$1" port="$2"
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:${port}/health/ready" >/dev/null; then return 0; fi
    kill -0 "${pid_of[$name]}" 2>/dev/null || { echo "$name exited before it was ready" >&2; return 1; }
    sleep 0.5
  done
  echo "$name was not ready within 60 s" >&2
  return 1
}

# stop NAME: SIGTERM, then the exit code must be 0 and the log must end with the shutdown line.
stop() {
  local name="$1" rc=0
  kill -TERM "${pid_of[$name]}"
  wait "${pid_of[$name]}" || rc=$?
  [ "$rc" -eq 0 ] || { echo "$name exited with $rc after SIGTERM" >&2; return 1; }
  grep -q '"context":"Shutdown"' "$work/$name.log" || { echo "$name logged no shutdown line" >&2; return 1; }
}

# Every line the processes wrote is one JSON object.
all_json() {
  node -e '
    for (const file of process.argv.slice(1)) for (const line of require("fs").readFileSync(file, "utf8").split("\n")) {
      if (line === "") continue;
      try { JSON.parse(line); } catch { console.error(`${file}: not JSON: ${line.slice(0, 200)}`); process.exit(1); }
    }' "$work"/*.log
}

post() { curl -sS -f -X POST "$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
field() { node -p "JSON.parse(process.argv[1])$2" "$1"; }

echo "==> monolith on the embedded database"
port="$(free_port)"
start monolith PORT="$port"
wait_ready monolith "$port"
email="smoke-$(date +%s)@example.com"
password='smoke test correct horse battery'
session="$(post "http://127.0.0.1:$port/v1/auth/register" "{\"name\":\"Image Smoke\",\"email\":\"$email\",\"password\":\"$password\"}")"
token="$(field "$session" .accessToken)"
order="$(post "http://127.0.0.1:$port/v1/orders" '{"items":[{"sku":"IMAGE-1","quantity":2,"unitPriceCents":1999}]}' -H "authorization: Bearer $token")"
order_id="$(field "$order" .id)"
stop monolith
start monolith PORT="$port"
wait_ready monolith "$port"
token="$(field "$(post "http://127.0.0.1:$port/v1/auth/login" "{\"email\":\"$email\",\"password\":\"$password\"}")" .accessToken)"
orders="$(curl -sS -f "http://127.0.0.1:$port/v1/orders" -H "authorization: Bearer $token")"
me="$(curl -sS -f "http://127.0.0.1:$port/v1/users/me" -H "authorization: Bearer $token")"
[ "$(field "$me" .email)" = "$email" ] || { echo "profile not read back after restart: $me" >&2; exit 1; }
node -e 'const page = JSON.parse(process.argv[1]); if (!page.items.some((o) => o.id === process.argv[2])) { console.error(`order ${process.argv[2]} not read back: ${process.argv[1]}`); process.exit(1); }' "$orders" "$order_id"
stop monolith
echo "monolith: registered, ordered, stopped with SIGTERM (exit 0), restarted on the same data and read both back"

echo "==> users, orders and auth over TCP behind an API-only gateway"
users_tcp="$(free_port)" orders_tcp="$(free_port)" auth_tcp="$(free_port)"
topology=(USERS_TRANSPORT=tcp USERS_TCP_PORT="$users_tcp" ORDERS_TRANSPORT=tcp ORDERS_TCP_PORT="$orders_tcp" AUTH_TRANSPORT=tcp AUTH_TCP_PORT="$auth_tcp")
declare -A http_port
for m in users orders auth; do
  http_port[$m]="$(free_port)"
  start "$m" "${topology[@]}" MODULES="$m" API=false PORT="${http_port[$m]}" DATA_DIR="/data/$m"
done
gateway_port="$(free_port)"
start gateway "${topology[@]}" MODULES= API=true PORT="$gateway_port"
for m in users orders auth; do wait_ready "$m" "${http_port[$m]}"; done
wait_ready gateway "$gateway_port"
email="split-$(date +%s)@example.com"
token="$(field "$(post "http://127.0.0.1:$gateway_port/v1/auth/register" "{\"name\":\"Split Smoke\",\"email\":\"$email\",\"password\":\"$password\"}")" .accessToken)"
order_id="$(field "$(post "http://127.0.0.1:$gateway_port/v1/orders" '{"items":[{"sku":"SPLIT-1","quantity":1,"unitPriceCents":500}]}' -H "authorization: Bearer $token")" .id)"
got="$(curl -sS -f "http://127.0.0.1:$gateway_port/v1/orders/$order_id" -H "authorization: Bearer $token")"
[ "$(field "$got" .id)" = "$order_id" ] || { echo "order not read back through the gateway: $got" >&2; exit 1; }
for name in gateway users orders auth; do stop "$name"; done
echo "split: registered and ordered through the gateway; every process stopped with SIGTERM (exit 0)"

all_json
echo "every log line of every process was JSON"

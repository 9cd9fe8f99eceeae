# Shared by the scripts of bench/http (sourced, not run): the run's workspace, a free loopback port, and nginx serving
# "$work/root" the way both comparisons need it (sendfile, no access log, long keep-alive), its files under "$work/nginx".

# Makes the run's workspace: sets work (a new directory under /tmp named after $1) and size ($2 bytes), writes
# "$work/root/data.bin" with that many random bytes, and starts the pids array that the EXIT trap set here stops (each
# pid by itself) before it removes the workspace.
bench_workspace() {
  work="$(mktemp -d "/tmp/$1.XXXXXX")"
  size=$2
  pids=()
  trap bench_cleanup EXIT
  mkdir -p "$work/root" "$work/nginx"
  head -c "$size" /dev/urandom > "$work/root/data.bin"
  chmod 755 "$work" "$work/root" && chmod 644 "$work/root/data.bin" # nginx's workers run as an unprivileged user
}

bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}

# Prints a TCP port nothing listens on at 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts nginx in the background on a free port; sets nginx_port and nginx_pid and adds the pid to the pids array the
# workspace's EXIT trap stops (bench_cleanup).
start_nginx() {
  mkdir -p "$work/nginx"
  nginx_port=$(free_port)
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  server { listen 127.0.0.1:$nginx_port; root $work/root; }
}
CONF
  nginx -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  nginx_pid=$!
  pids+=("$nginx_pid")
}

# Starts COMMAND (a server in the foreground) in the background, its output in LOG, with {PORT} replaced by a free port
# and {ROOT} by "$work/root"; sets server_port and server_pid and adds the pid to the pids array.
start_command() { # log command
  server_port=$(free_port)
  local command=${2//\{PORT\}/$server_port}
  command=${command//\{ROOT\}/$work/root}
  bash -c "exec $command" > "$1" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
}

# Waits (up to TRIES x 0.2 s) until PORT serves a byte of data.bin; otherwise prints MESSAGE and the LOGS and exits.
await_answer() { # port tries message log...
  local port=$1 tries=$2 message=$3
  shift 3
  for _ in $(seq 1 "$tries"); do curl -sf -o /dev/null -r 0-0 "http://127.0.0.1:$port/data.bin" && return 0; sleep 0.2; done
  echo "$message" >&2
  cat "$@" >&2 || true
  exit 1
}

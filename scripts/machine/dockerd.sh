# shellcheck shell=bash disable=SC2034
# Step 4: dockerd with the mirror as its registry mirror, and the client logged in to the push
# registry (the toolkit's registry client reads ~/.docker/config.json).

DOCKER_CONFIG_FILE=/etc/docker/daemon.json
DOCKERD_PID=/var/run/docker.pid

# write_daemon_json: merge the mirror and BuildKit into daemon.json; prints "changed" if it did.
write_daemon_json() {
  local current='{}' wanted
  mkdir -p /etc/docker
  if [ -s "$DOCKER_CONFIG_FILE" ]; then
    current=$(cat "$DOCKER_CONFIG_FILE")
    jq -e . >/dev/null 2>&1 <<<"$current" || die "$DOCKER_CONFIG_FILE is not valid JSON; fix or remove it"
  fi
  wanted=$(jq -S --arg mirror "http://$MIRROR_ADDR" \
    '.["registry-mirrors"] = ([$mirror] + ((.["registry-mirrors"] // []) - [$mirror]))
     | .features.buildkit = true' <<<"$current")
  if [ "$(jq -S . <<<"$current")" = "$wanted" ]; then
    return 0
  fi
  say "dockerd: writing $DOCKER_CONFIG_FILE (registry-mirrors http://$MIRROR_ADDR, BuildKit on)"
  printf '%s\n' "$wanted" >"$DOCKER_CONFIG_FILE.new"
  mv "$DOCKER_CONFIG_FILE.new" "$DOCKER_CONFIG_FILE"
  echo changed
}

# dockerd_has_mirror: true when the running engine already uses the mirror.
dockerd_has_mirror() {
  "$ENGINE_DOCKER" info --format '{{json .RegistryConfig.Mirrors}}' 2>/dev/null \
    | grep -qF "http://$MIRROR_ADDR/"
}

# stop_dockerd: stop the engine named by its pid file and wait until it is gone.
stop_dockerd() {
  local pid
  pid=$(cat "$DOCKERD_PID" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  say "dockerd: stopping the running engine (pid $pid) to apply the registry mirror"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  die "dockerd (pid $pid) did not stop within 60 s"
}

# start_dockerd: run dockerd in the background and wait until it answers.
start_dockerd() {
  local log=$SOLERA_STATE/dockerd.log
  say "dockerd: starting the Docker engine in the background (log $log)"
  setsid nohup dockerd >>"$log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    "$ENGINE_DOCKER" info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "dockerd did not answer within 60 s; last log lines: $(tail -n 5 "$log")"
}

# ensure_dockerd: the engine running with the mirror, restarted at most once for it.
# BuildKit inside dockerd 20.10 reads the mirrors once at start-up, so a SIGHUP reload would
# change `docker pull` but not builds: a restart is needed when the mirror is new.
ensure_dockerd() {
  local changed
  changed=$(write_daemon_json)
  if "$ENGINE_DOCKER" info >/dev/null 2>&1; then
    if dockerd_has_mirror && [ -z "$changed" ]; then
      say "dockerd: running with registry mirror http://$MIRROR_ADDR"
    else
      stop_dockerd
      if "$ENGINE_DOCKER" info >/dev/null 2>&1; then
        die "a Docker engine still answers but $DOCKERD_PID names no running dockerd; restart it yourself with the settings in $DOCKER_CONFIG_FILE"
      fi
      start_dockerd
    fi
  else
    start_dockerd
  fi
  dockerd_has_mirror || die "dockerd runs without the registry mirror http://$MIRROR_ADDR; see $DOCKER_CONFIG_FILE"
}

# login_push_registry: store the push registry's credentials in the Docker config.
login_push_registry() {
  local password=$1
  if "$ENGINE_DOCKER" login --username "$PUSH_USER" --password-stdin "$PUSH_ADDR" \
    <<<"$password" >/dev/null 2>"$SOLERA_STATE/docker-login.err"; then
    say "dockerd: logged in to $PUSH_ADDR as $PUSH_USER (credentials in ${DOCKER_CONFIG:-$HOME/.docker}/config.json)"
  else
    die "docker login $PUSH_ADDR failed: $(cat "$SOLERA_STATE/docker-login.err")"
  fi
}

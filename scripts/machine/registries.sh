# shellcheck shell=bash disable=SC2034
# Step 3: two distribution registries as background processes (there is no systemd here).
#   the mirror       serves stand-ins for Docker Hub's official images, no auth
#   the push target  where `solera push` and the tests push, htpasswd (bcrypt) auth

# write_registry_config NAME ADDR [HTPASSWD]: the registry's config under $SOLERA_STATE/NAME.
write_registry_config() {
  local name=$1 addr=$2 htpasswd=${3:-} dir=$SOLERA_STATE/$1
  mkdir -p "$dir/data"
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: warn"
    echo "  accesslog:"
    echo "    disabled: true"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: $addr"
    if [ -n "$htpasswd" ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: solera"
      echo "    path: $htpasswd"
    fi
  } >"$dir/config.yml.new"
  mv "$dir/config.yml.new" "$dir/config.yml"
}

# push_password: the push registry's password, generated once and kept with mode 0600.
push_password() {
  local file=$SOLERA_STATE/push-registry.password
  if [ ! -s "$file" ]; then
    say "registries: generating the push registry's password in $file"
    (umask 077 && openssl rand -hex 24 >"$file")
  fi
  cat "$file"
}

# start_registry NAME ADDR: start the registry unless its pid file names a live process.
# A registry that runs but no longer answers is restarted; one that answers is left alone.
start_registry() {
  local name=$1 addr=$2 dir=$SOLERA_STATE/$1 pid=$SOLERA_STATE/$1/registry.pid
  if pid_alive "$pid" && wait_for_url "http://$addr/v2/" 2; then
    say "registries: $name already answers at http://$addr/v2/ (pid $(cat "$pid"))"
    return 0
  fi
  if pid_alive "$pid"; then
    warn "registries: $name (pid $(cat "$pid")) does not answer; restarting it"
    kill "$(cat "$pid")" 2>/dev/null || true
    sleep 1
  fi

  say "registries: starting $name at $addr (docker-registry; log $dir/registry.log)"
  setsid nohup /usr/bin/docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$pid"
  wait_for_url "http://$addr/v2/" 30 \
    || die "$name did not answer at http://$addr/v2/ within 30 s; last log lines: $(tail -n 5 "$dir/registry.log")"
  # Something else on the port answers too, but then this registry exits: say so.
  sleep 0.5
  pid_alive "$pid" \
    || die "$name exited right after starting (is $addr taken by another process? see ss -ltnp); last log lines: $(tail -n 5 "$dir/registry.log")"
}

# start_registries: the mirror without auth, the push target with htpasswd auth.
start_registries() {
  local password
  mkdir -p "$SOLERA_STATE"
  password=$(push_password)
  # bcrypt salts differ per run, so keep a file that already holds the password unchanged.
  if ! htpasswd -vb "$SOLERA_STATE/push-registry.htpasswd" "$PUSH_USER" "$password" 2>/dev/null; then
    htpasswd -Bbn "$PUSH_USER" "$password" >"$SOLERA_STATE/push-registry.htpasswd.new" 2>/dev/null
    mv "$SOLERA_STATE/push-registry.htpasswd.new" "$SOLERA_STATE/push-registry.htpasswd"
  fi

  write_registry_config mirror "$MIRROR_ADDR"
  write_registry_config push "$PUSH_ADDR" "$SOLERA_STATE/push-registry.htpasswd"
  start_registry mirror "$MIRROR_ADDR"
  start_registry push "$PUSH_ADDR"

  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://$PUSH_ADDR/v2/")
  [ "$code" = 401 ] || die "push registry at $PUSH_ADDR answered $code without credentials; expected 401 (is another registry on that port?)"
  code=$(curl -s -o /dev/null -w '%{http_code}' -u "$PUSH_USER:$password" "http://$PUSH_ADDR/v2/")
  [ "$code" = 200 ] || die "push registry at $PUSH_ADDR refused the generated password ($code)"
}

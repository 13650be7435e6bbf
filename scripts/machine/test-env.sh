# Step 6: describe the prepared machine for the tests (read by test/environment.ts).

# write_test_env: /var/lib/solera/test-env.json, mode 0600 since it holds the push password.
write_test_env() {
  local file=$SOLERA_STATE/test-env.json platforms
  platforms=$(printf '%s\n' $SOLERA_PLATFORMS | jq -R . | jq -s -c .)
  (umask 077 && jq -n \
    --arg mirror "$MIRROR_ADDR" \
    --arg push "$PUSH_ADDR" \
    --arg user "$PUSH_USER" \
    --arg password "$(push_password)" \
    --arg docker "$ENGINE_DOCKER" \
    --argjson standIns "$(printf '%s\n' $SOLERA_STAND_INS | jq -R . | jq -s -c 'map(select(. != ""))')" \
    --argjson platforms "$platforms" \
    '{mirror: $mirror, pushRegistry: $push, username: $user, password: $password,
      docker: $docker, standIns: $standIns, platforms: $platforms}' >"$file.new")
  mv "$file.new" "$file"
  say "test-env: wrote $file"
}

# shellcheck shell=bash disable=SC2034
# Step 6: describe the prepared machine for the tests (read by test/environment.ts).

# words_to_json WORDS: a JSON array of the space-separated words.
words_to_json() {
  tr ' ' '\n' <<<"$1" | jq -R . | jq -s -c 'map(select(. != ""))'
}

# write_test_env: /var/lib/solera/test-env.json, mode 0600 since it holds the push password.
write_test_env() {
  local file=$SOLERA_STATE/test-env.json platforms
  platforms=$(words_to_json "$SOLERA_PLATFORMS")
  (umask 077 && jq -n \
    --arg mirror "$MIRROR_ADDR" \
    --arg push "$PUSH_ADDR" \
    --arg user "$PUSH_USER" \
    --arg password "$(push_password)" \
    --arg docker "$ENGINE_DOCKER" \
    --argjson standIns "$(words_to_json "$SOLERA_STAND_INS")" \
    --argjson platforms "$platforms" \
    '{mirror: $mirror, pushRegistry: $push, username: $user, password: $password,
      docker: $docker, standIns: $standIns, platforms: $platforms}' >"$file.new")
  mv "$file.new" "$file"
  say "test-env: wrote $file"
}

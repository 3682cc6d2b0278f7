#!/usr/bin/env bash
# Build deploy/checks/compose-config (the Compose Specification's loader, what `docker compose config`
# runs) into .run/cache/bin once; the deployment tests check deploy/docker-compose.yml with it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
binary="$root/.run/cache/bin/compose-config"
source="$root/deploy/checks/compose-config"
if [ -x "$binary" ] && [ "$binary" -nt "$source/go.sum" ] && [ "$binary" -nt "$source/main.go" ]; then exit 0; fi
mkdir -p "$(dirname "$binary")"
(cd "$source" && go build -mod=readonly -o "$binary" .)

#!/usr/bin/env bash
# Write docker-compose.yml's secrets into secrets/ (git-ignored), once: an existing file is kept.
#
#   scripts/make_secrets.sh
#
# secrets/secret_key          Django's SECRET_KEY (64 random URL-safe characters)
# secrets/postgres_password   the PostgreSQL password of the `accelerators` role
# secrets/database_url        the DATABASE_URL the application reads, with that password
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The directory is private to its owner; the files themselves are readable by all, because the
# containers' own users (not root) read them through bind mounts, which skip the directory.
mkdir -p secrets
chmod 700 secrets
umask 022
random() { python3 -c "import secrets; print(secrets.token_urlsafe($1))"; }
[[ -s secrets/secret_key ]] || random 48 >secrets/secret_key
[[ -s secrets/postgres_password ]] || random 24 >secrets/postgres_password
if [[ ! -s secrets/database_url ]]; then
  printf 'postgres://accelerators:%s@postgres:5432/accelerators\n' "$(cat secrets/postgres_password)" >secrets/database_url
fi
ls -l secrets

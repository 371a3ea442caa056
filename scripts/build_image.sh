#!/usr/bin/env bash
# Build the production image with podman, from Debian packages: no Docker daemon, no registry.
#
#   scripts/build_image.sh                 # base image (once), then the production image
#   scripts/build_image.sh --base-only     # only the base image
#   scripts/build_image.sh --force-base    # rebuild the base image even if it exists
#   scripts/build_image.sh --services      # also docker-compose.yml's PostgreSQL, Redis and nginx images
#
# Environment: IMAGE (default localhost/accelerators:latest), PODMAN (default podman).
#
# --services makes, from Debian packages the same way, the images the compose stack needs where Docker
# Hub is out of reach (cached like the base; their tags are printed, for POSTGRES_IMAGE, REDIS_IMAGE
# and NGINX_IMAGE): postgresql-15 behind deploy/postgres-entrypoint.sh (the official image's
# POSTGRES_USER / POSTGRES_DB / POSTGRES_PASSWORD_FILE on first start), redis-server running as
# redis in /data, nginx with no site of its own (docker-compose.yml mounts deploy/nginx.conf).
#
# The base image stands in for python:3.11-slim: a Debian bookworm minbase made by debootstrap,
# with Debian's python3.11 installed by apt-get in a chroot, imported with `podman import`. It is
# cached in podman's storage and rebuilt only when its recipe (BASE_VERSION) changes. The
# Dockerfile is the one a registry-backed build uses: only its BASE_IMAGE argument differs.
#
# The machine's own certificate authorities (/usr/local/share/ca-certificates) are added to the
# app base, so pip and npm inside the build trust the same TLS the machine does.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BASE_VERSION=1  # bump when the recipe below changes
APP_BASE="localhost/accelerators-base:bookworm-py311-$BASE_VERSION"
SERVICES_VERSION=1  # bump when a service image's recipe below changes
POSTGRES_IMAGE="localhost/accelerators-postgres:15-bookworm-$SERVICES_VERSION"
REDIS_IMAGE="localhost/accelerators-redis:bookworm-$SERVICES_VERSION"
NGINX_IMAGE="localhost/accelerators-nginx:bookworm-$SERVICES_VERSION"
IMAGE="${IMAGE:-localhost/accelerators:latest}"
PODMAN="${PODMAN:-podman}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/containers.conf}"

BASE_ONLY=0
FORCE_BASE=0
SERVICES=0
for arg in "$@"; do
  case "$arg" in
    --base-only) BASE_ONLY=1 ;;
    --force-base) FORCE_BASE=1 ;;
    --services) SERVICES=1 ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build_image: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

podman_() { "$PODMAN" --runtime runc "$@"; }

for tool in "$PODMAN" runc debootstrap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build_image: $tool is missing (apt-get install podman runc debootstrap)" >&2
    exit 1
  fi
done

WORK=""
cleanup() {
  [[ -n "$WORK" ]] || return 0
  for mount in "$WORK"/rootfs/proc "$WORK"/rootfs/dev/pts; do
    mountpoint -q "$mount" && umount -l "$mount"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# debootstrap into a scratch directory; kept as a tarball so more base images could share it.
MINBASE=""
minbase() {
  if [[ -z "$MINBASE" ]]; then
    WORK="$(mktemp -d /var/tmp/accelerators-base.XXXXXX)"
    MINBASE="$WORK/minbase.tar"
    echo "build_image: debootstrap bookworm (minbase)"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
      || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }
    tar -C "$WORK/rootfs" -cf "$MINBASE" .
  fi
  rm -rf "$WORK/rootfs" && mkdir "$WORK/rootfs"
  tar -C "$WORK/rootfs" -xf "$MINBASE"
}

# make_base NAME "CHANGE..." SETUP PACKAGE... : minbase + apt-get install PACKAGE..., then the shell
# function SETUP (or "-") with the root file system's path, imported as NAME.
make_base() {
  local name="$1" changes="$2" setup="$3"
  shift 3
  if [[ $FORCE_BASE == 0 ]] && podman_ image exists "$name"; then
    echo "build_image: $name exists (cached)"
    return 0
  fi
  local started=$SECONDS
  minbase
  local rootfs="$WORK/rootfs"
  if [[ "$name" == "$APP_BASE" ]] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  fi
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
  mount -t proc proc "$rootfs/proc"
  echo "build_image: apt-get install $*"
  chroot "$rootfs" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -euc '
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    apt-get clean
    rm -rf /var/lib/apt/lists/*
    update-ca-certificates >/dev/null 2>&1 || true
  ' make_base "$@"
  umount "$rootfs/proc"
  [[ "$setup" == "-" ]] || "$setup" "$rootfs"
  : >"$rootfs/etc/resolv.conf"
  local args=()
  local change
  while IFS= read -r change; do
    [[ -n "$change" ]] && args+=(--change "$change")
  done <<<"$changes"
  tar -C "$rootfs" -c . | podman_ import "${args[@]}" - "$name" >/dev/null
  echo "build_image: $name built in $((SECONDS - started)) s"
}

CA_ENV="ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"

make_base "$APP_BASE" "ENV LANG=C.UTF-8
$CA_ENV
CMD [\"python3\"]" - \
  python3.11 python3-venv python-is-python3 ca-certificates

setup_postgres() {
  install -m 755 "$ROOT/deploy/postgres-entrypoint.sh" "$1/usr/local/bin/postgres-entrypoint"
  # The package's own cluster is not the container's: the entrypoint makes one in the volume.
  rm -rf "$1/var/lib/postgresql/15" "$1/etc/postgresql/15"
}
setup_redis() {
  mkdir -p "$1/data"
  chroot "$1" chown redis:redis /data
}
setup_nginx() {
  rm -f "$1/etc/nginx/sites-enabled/default"
}

if [[ $SERVICES == 1 ]]; then
  make_base "$POSTGRES_IMAGE" "ENV LANG=C.UTF-8
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV PGDATA=/var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT [\"/usr/local/bin/postgres-entrypoint\"]" setup_postgres postgresql-15
  make_base "$REDIS_IMAGE" "WORKDIR /data
USER redis
EXPOSE 6379
CMD [\"redis-server\"]" setup_redis redis-server
  make_base "$NGINX_IMAGE" "STOPSIGNAL SIGQUIT
EXPOSE 80
CMD [\"nginx\", \"-g\", \"daemon off;\"]" setup_nginx nginx-light
  echo "build_image: POSTGRES_IMAGE=$POSTGRES_IMAGE REDIS_IMAGE=$REDIS_IMAGE NGINX_IMAGE=$NGINX_IMAGE"
fi


[[ $BASE_ONLY == 1 ]] && exit 0

started=$SECONDS
previous="$(podman_ image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
echo "build_image: building $IMAGE from the Dockerfile (BASE_IMAGE=$APP_BASE)"
podman_ build --network host --build-arg "BASE_IMAGE=$APP_BASE" --tag "$IMAGE" --file Dockerfile .
echo "build_image: $IMAGE built in $((SECONDS - started)) s"
# The image this build replaced, now untagged (its layers the new build reused stay cached).
current="$(podman_ image inspect --format '{{.Id}}' "$IMAGE")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then
  podman_ rmi "$previous" >/dev/null 2>&1 || true
fi

#!/usr/bin/env bash
# nginxlog-exporter.sh: prometheus-nginxlog-exporter (metrics from the nginx gateway's access
# log on :4040), from the project's GitHub release archive, verified against the release's
# published checksums.txt. Runs on the nginx image, after nginx.sh.
#
# Environment:
#   NGINXLOG_EXPORTER_VERSION   default in lib/versions.sh (1.11.0)
#   NGINXLOG_EXPORTER_PORT      default 4040
#   NGINXLOG_EXPORTER_LOG       default /var/log/nginx/access.log
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner nginxlog-exporter

# The project's goreleaser configuration names the archives
# <project>_<version>_<os>_<arch>.tar.gz and the checksum file checksums.txt.
NGINXLOG_EXPORTER_PORT=${NGINXLOG_EXPORTER_PORT:-4040}
NGINXLOG_EXPORTER_LOG=${NGINXLOG_EXPORTER_LOG:-/var/log/nginx/access.log}
require_value NGINXLOG_EXPORTER_VERSION "$NGINXLOG_EXPORTER_VERSION"
require_uint NGINXLOG_EXPORTER_PORT "$NGINXLOG_EXPORTER_PORT" 1
require_value NGINXLOG_EXPORTER_LOG "$NGINXLOG_EXPORTER_LOG"

apt_install ca-certificates
build_deps curl

name=prometheus-nginxlog-exporter
arch=$(deb_arch)
work=$(mktemp -d /tmp/build-images-work.XXXXXX)
add_cleanup rm -rf -- "$work"
fetch_release nginxlog-exporter "$arch" "$work"
mkdir -p "$work/unpacked"
tar -xzf "$RELEASE_FILE" -C "$work/unpacked" --no-same-owner
[[ -f $work/unpacked/$name ]] || die "${RELEASE_FILE##*/} has no $name binary at its top level"
install_binary "$work/unpacked/$name" "$name"

# nginx writes its logs as www-data:adm 0640; the adm group may read them.
ensure_system_user "$name" /nonexistent adm
ensure_dir "/etc/$name" root:root 0755

write_file "/etc/$name/config.yml" 0644 <<EOC
# Managed by build-images (provisioners/nginxlog-exporter.sh). Started as:
#   $name -config-file /etc/$name/config.yml
listen:
  port: $NGINXLOG_EXPORTER_PORT
  address: "0.0.0.0"
  metrics_endpoint: "/metrics"

namespaces:
  - name: nginx
    # Must match the log_format cortex_gateway that nginx.sh writes.
    format: '$NGINX_GATEWAY_LOG_FORMAT'
    source:
      files:
        - $NGINXLOG_EXPORTER_LOG
    labels:
      service: cortex-gateway
    histogram_buckets: [.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10]
EOC

check_version "$NGINXLOG_EXPORTER_VERSION" "$name" -version
"$name" -config-file "/etc/$name/config.yml" -verify-config >&2
install_service nginxlog-exporter --user "$name" --role sidecar --order 60 \
  --description "prometheus-nginxlog-exporter (nginx access log metrics)" --after nginx.service \
  -- "/usr/local/bin/$name" -config-file "/etc/$name/config.yml"
consul_service nginxlog-exporter "$NGINXLOG_EXPORTER_PORT" /metrics
log "done: $name $NGINXLOG_EXPORTER_VERSION on :$NGINXLOG_EXPORTER_PORT reading $NGINXLOG_EXPORTER_LOG"

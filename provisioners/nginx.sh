#!/usr/bin/env bash
# nginx.sh: nginx from the distribution's archive, configured as the HTTP gateway in front of
# Cortex: Prometheus remote-writes to http://<gateway>/api/v1/push and Grafana queries
# http://<gateway>/prometheus. The access log is written in the format
# prometheus-nginxlog-exporter parses (NGINX_GATEWAY_LOG_FORMAT in lib/common.sh).
#
# Environment:
#   CORTEX_UPSTREAM     default cortex:9009  (host:port of Cortex's HTTP API)
#   NGINX_RESOLVER      default 127.0.0.11   (DNS server nginx asks for CORTEX_UPSTREAM at
#                                             request time: Docker's embedded DNS; use
#                                             127.0.0.1:8600, the local Consul agent, with
#                                             CORTEX_UPSTREAM=cortex.service.consul:9009)
#   NGINX_LISTEN_PORT   default 80
#
# Docker: image-start runs `nginx -g 'daemon off;'` (stopped with SIGQUIT). Machines: the
# package's nginx.service, enabled at boot.
set -euo pipefail
lib=/tmp/build-images/lib; [[ -r $lib/common.sh ]] || lib=$(dirname -- "${BASH_SOURCE[0]}")/lib
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$lib/common.sh"
provisioner nginx

CORTEX_UPSTREAM=${CORTEX_UPSTREAM:-cortex:9009}
NGINX_RESOLVER=${NGINX_RESOLVER:-127.0.0.11}
NGINX_LISTEN_PORT=${NGINX_LISTEN_PORT:-80}
require_value CORTEX_UPSTREAM "$CORTEX_UPSTREAM"
require_value NGINX_RESOLVER "$NGINX_RESOLVER"
require_uint NGINX_LISTEN_PORT "$NGINX_LISTEN_PORT" 1

apt_install nginx

# The packaged default site would also claim port 80 as default_server.
rm -f /etc/nginx/sites-enabled/default

# CORTEX_UPSTREAM goes through a variable so nginx resolves it per request (via resolver)
# instead of once at start-up: the name does not exist while the image is built, and
# `nginx -t` would otherwise fail with "host not found in upstream".
write_file /etc/nginx/conf.d/cortex-gateway.conf 0644 <<EOC
# Managed by build-images (provisioners/nginx.sh): HTTP gateway in front of Cortex.
log_format cortex_gateway '$NGINX_GATEWAY_LOG_FORMAT';

server {
    listen $NGINX_LISTEN_PORT default_server;
    server_name _;

    access_log /var/log/nginx/access.log cortex_gateway;

    resolver $NGINX_RESOLVER valid=30s ipv6=off;
    resolver_timeout 5s;

    # Remote-write batches are snappy-compressed protobuf; allow generous bodies.
    client_max_body_size 16m;

    location = /healthz {
        access_log off;
        default_type text/plain;
        return 200 "ok\n";
    }

    location / {
        set \$cortex_upstream "$CORTEX_UPSTREAM";
        proxy_pass http://\$cortex_upstream;
        proxy_http_version 1.1;
        proxy_set_header Host \$host;
        proxy_set_header X-Real-IP \$remote_addr;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_read_timeout 300s;
    }
}
EOC

nginx -t
if [[ $(service_manager) == docker ]]; then
  # SIGQUIT is nginx's graceful shutdown (finish requests in flight, then exit).
  install_service nginx --description "nginx (Cortex gateway)" --stop-signal QUIT \
    -- /usr/sbin/nginx -g "daemon off;"
else
  # Debian's and Ubuntu's package bring nginx.service (hardened upstream, runs the master as
  # root to bind port 80 and the workers as www-data); make sure it starts at boot.
  systemd_enable nginx.service
fi
consul_service nginx "$NGINX_LISTEN_PORT" "" /healthz
log "done: nginx $(dpkg-query -W -f='${Version}' nginx), gateway :$NGINX_LISTEN_PORT -> $CORTEX_UPSTREAM"

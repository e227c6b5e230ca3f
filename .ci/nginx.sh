#!/usr/bin/env bash
# Start a private nginx on 127.0.0.1 for the httpcore-std integration tests:
#   .ci/nginx.sh start DIR   -> prints the environment the tests read
#   .ci/nginx.sh stop DIR
# Installs nginx with apt-get when it is missing. Everything lives in DIR:
# config, pid, logs, TLS certificate (openssl, basicConstraints CA:FALSE as
# rustls wants), document root and WebDAV upload directory.
set -euo pipefail
cmd=$1
dir=$(realpath -m "$2")

case "$cmd" in
stop)
    [ -f "$dir/nginx.pid" ] && nginx -p "$dir" -c "$dir/nginx.conf" -s stop 2>/dev/null || true
    exit 0
    ;;
start) ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac

if ! command -v nginx > /dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) > /dev/null
fi

mkdir -p "$dir/www/dav" "$dir/tmp" "$dir/logs"
# nginx's workers run as an unprivileged user: let them in.
chmod 755 "$dir" "$dir/www"
chmod -R a+rwX "$dir/www/dav" "$dir/tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
tls_port=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2> /dev/null

python3 - "$dir/www" <<'PY'
import sys, os
root = sys.argv[1]
with open(os.path.join(root, "big.bin"), "wb") as f:
    f.write(bytes((i * 2654435761 >> 24) & 0xFF for i in range(1 << 20)))
with open(os.path.join(root, "text.txt"), "w") as f:
    f.write("httpcore says hello to nginx\n" * 2000)
PY

cat > "$dir/nginx.conf" <<CONF
daemon on;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
worker_processes 1;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    types { text/plain txt; application/octet-stream bin; }
    keepalive_requests 1000;
    client_max_body_size 16m;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 1;
    server {
        listen 127.0.0.1:$http_port;
        listen 127.0.0.1:$tls_port ssl;
        ssl_certificate $dir/cert.pem;
        ssl_certificate_key $dir/key.pem;
        root $dir/www;
        location = /connection { default_type text/plain; return 200 "\$connection \$connection_requests\n"; }
        location = /nocontent { return 204; }
        location /dav/ { dav_methods PUT DELETE; create_full_put_path on; }
    }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf"
echo "export HTTPCORE_NGINX=127.0.0.1:$http_port"
echo "export HTTPCORE_NGINX_TLS=localhost:$tls_port"
echo "export HTTPCORE_NGINX_CA=$dir/cert.pem"

#!/usr/bin/env bash
# Makes a private certificate authority, a server certificate and a client certificate for mutual TLS between
# `mmapctl serve` and its clients. Walk-through: docs/remote.md, "TLS step by step". Usage:
#   docs/tls/make-certificates.sh DIR [SERVER_NAME]
# DIR receives ca.crt (give it to every node), server.pfx and client.pfx (PKCS#12, passwords below).
# SERVER_NAME is the name clients use in --server (default: localhost; 127.0.0.1 is always included).
set -euo pipefail
dir=${1:?usage: make-certificates.sh DIR [SERVER_NAME]}
name=${2:-localhost}
mkdir -p "$dir"
cd "$dir"

# 1. The certificate authority: signs the two others; only its certificate (ca.crt) is shared.
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=MmapActors private CA" \
  -keyout ca.key -out ca.crt 2>/dev/null

# 2. The server's certificate, valid for the name clients connect to. Akka.Remote uses the same certificate when the
#    server connects back to a client, so it is valid for both TLS roles.
openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName = DNS:%s, DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth, clientAuth\n' "$name" > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile server.ext \
  -out server.crt 2>/dev/null
openssl pkcs12 -export -inkey server.key -in server.crt -certfile ca.crt -passout pass:server-secret -out server.pfx

# 3. The client's certificate: with mutual TLS, the server accepts only clients whose certificate the CA signed.
openssl req -newkey rsa:2048 -nodes -subj "/CN=mmapctl client" -keyout client.key -out client.csr 2>/dev/null
printf 'extendedKeyUsage = clientAuth, serverAuth\n' > client.ext
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 -extfile client.ext \
  -out client.crt 2>/dev/null
openssl pkcs12 -export -inkey client.key -in client.crt -certfile ca.crt -passout pass:client-secret -out client.pfx

rm -f ./*.csr ./*.ext ./*.srl
echo "made $dir/ca.crt, $dir/server.pfx (password server-secret), $dir/client.pfx (password client-secret)"

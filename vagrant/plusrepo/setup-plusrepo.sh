#!/bin/sh
# STAND-IN NGINX Plus repository for the apim-provision test lab. NGINX Plus cannot be downloaded
# here, so this builds a repository that behaves like the vendor's for an installer:
#   - HTTPS only, client certificate required (`ssl_verify_client on`) like pkgs.nginx.com,
#     with a lab CA, a server certificate for the repo host and a client certificate + key that
#     play the "Plus licence" (nginx-repo.crt / nginx-repo.key), plus a fake licence JWT;
#   - apt layout `deb [signed-by=...] https://<repo>/plus/debian <codename> nginx-plus`, signed
#     (InRelease, Release.gpg) with a GPG key generated for the lab;
#   - one package `nginx-plus`, which is NOT NGINX Plus: an empty package that depends on the
#     distribution's open-source nginx (>= 1.29.6, the first with `sticky`; Debian sid has it).
#
# Usage (as root, on the plusrepo machine): setup-plusrepo.sh HOSTNAME IP
# Writes the files a client needs into /srv/plusrepo/out. Idempotent: keys, package and indexes are
# made once; a running nginx is reloaded only when its certificate or configuration changed.
set -eu

HOST="$1"
IP="$2"
BASE=/srv/plusrepo
PKI="$BASE/pki"
OUT="$BASE/out"
WWW="$BASE/www"
REPO="$WWW/plus/debian"
# sid's os-release names the next release (e.g. forky), and that codename is what an installer on a
# sid load balancer writes into its apt source: serve both.
CODENAMES="sid"
# shellcheck source=/dev/null # the host's own os-release
OWN_CODENAME="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
[ -z "$OWN_CODENAME" ] || [ "$OWN_CODENAME" = sid ] || CODENAMES="sid $OWN_CODENAME"
ARCHES="amd64 arm64"
VERSION="35-1~lab"
export GNUPGHOME="$BASE/gnupg"

mkdir -p "$PKI" "$OUT" "$REPO" "$GNUPGHOME"
chmod 0700 "$GNUPGHOME" "$PKI"

# --- PKI: lab CA, server certificate (for HOST and IP), client "licence" certificate ----------
if [ ! -s "$PKI/ca.key" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=apim-lab stand-in Plus repo CA" \
    -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
fi
# The server certificate is remade when the machine's address changed (a recreated container).
server_changed=0
if ! openssl x509 -in "$PKI/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:$IP\$"; then
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$HOST" -keyout "$PKI/server.key" -out "$PKI/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s,IP:%s\nextendedKeyUsage=serverAuth\n' "$HOST" "$IP" >"$PKI/server.ext"
  openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 30 \
    -extfile "$PKI/server.ext" -out "$PKI/server.crt" 2>/dev/null
  server_changed=1
fi
if [ ! -s "$PKI/client.key" ]; then
  openssl req -newkey rsa:2048 -nodes -subj "/CN=apim-lab stand-in Plus licence" \
    -keyout "$PKI/client.key" -out "$PKI/client.csr" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' >"$PKI/client.ext"
  openssl x509 -req -in "$PKI/client.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 365 \
    -extfile "$PKI/client.ext" -out "$PKI/client.crt" 2>/dev/null
fi

# --- a fake licence JWT (unsigned; only its presence matters to an installer) ----------------
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
if [ ! -s "$PKI/license.jwt" ]; then
  header="$(printf '{"alg":"none","typ":"JWT"}' | b64url)"
  payload="$(printf '{"iss":"apim-lab","sub":"stand-in NGINX Plus licence","exp":%s}' "$(($(date +%s) + 31536000))" | b64url)"
  printf '%s.%s.%s\n' "$header" "$payload" "$(printf 'stand-in' | b64url)" >"$PKI/license.jwt"
fi

# --- repository signing key ----------------------------------------------------------------
if ! gpg --batch --list-secret-keys 2>/dev/null | grep -q sec; then
  gpg --batch --passphrase '' --quick-gen-key "apim-lab stand-in Plus repository <plusrepo@apim-lab.test>" \
    rsa3072 sign never 2>/dev/null
fi
FPR="$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ { print $10; exit }')"

# --- the stand-in package, indexes and signatures (made once: rebuilding the package while a
# client holds the old index would give it a hash mismatch) ---------------------------------
DEB="$REPO/pool/nginx-plus/n/nginx-plus/nginx-plus_${VERSION}_all.deb"
indexes_missing=0
for codename in $CODENAMES; do [ -s "$REPO/dists/$codename/InRelease" ] || indexes_missing=1; done
if [ ! -s "$DEB" ] || [ "$indexes_missing" = 1 ]; then
PKG="$BASE/pkg/nginx-plus"
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/usr/share/doc/nginx-plus"
cat >"$PKG/DEBIAN/control" <<EOF
Package: nginx-plus
Version: $VERSION
Architecture: all
Maintainer: apim-lab <plusrepo@apim-lab.test>
Depends: nginx (>= 1.29.6)
Section: httpd
Priority: optional
Description: STAND-IN for NGINX Plus (apim-provision test lab only)
 Not NGINX Plus. Pulls the distribution's open-source nginx (>= 1.29.6, which accepts
 the sticky directive) so the tool's Plus install path can be tested end to end.
EOF
printf 'This package is a stand-in for NGINX Plus, built by the apim-provision test lab.\n' \
  >"$PKG/usr/share/doc/nginx-plus/README.stand-in"
mkdir -p "$REPO/pool/nginx-plus/n/nginx-plus"
dpkg-deb --root-owner-group --build "$PKG" "$DEB" >/dev/null

cd "$REPO"
for codename in $CODENAMES; do
  for arch in $ARCHES; do
    dir="dists/$codename/nginx-plus/binary-$arch"
    mkdir -p "$dir"
    apt-ftparchive packages pool/nginx-plus >"$dir/Packages"
    gzip -9nc "$dir/Packages" >"$dir/Packages.gz"
  done
  apt-ftparchive \
    -o APT::FTPArchive::Release::Origin="apim-lab stand-in" \
    -o APT::FTPArchive::Release::Label="nginx-plus stand-in" \
    -o APT::FTPArchive::Release::Suite="$codename" \
    -o APT::FTPArchive::Release::Codename="$codename" \
    -o APT::FTPArchive::Release::Components="nginx-plus" \
    -o APT::FTPArchive::Release::Architectures="$ARCHES" \
    release "dists/$codename" >"$BASE/Release.tmp"
  mv "$BASE/Release.tmp" "dists/$codename/Release"
  rm -f "dists/$codename/InRelease" "dists/$codename/Release.gpg"
  gpg --batch --quiet --yes --default-key "$FPR" --clearsign -o "dists/$codename/InRelease" "dists/$codename/Release"
  gpg --batch --quiet --yes --default-key "$FPR" --armor --detach-sign -o "dists/$codename/Release.gpg" "dists/$codename/Release"
done
fi

# --- files for clients (copied to the controller by the lab driver) --------------------------
cp "$PKI/ca.crt" "$OUT/ca.crt"
cp "$PKI/client.crt" "$OUT/nginx-repo.crt"
cp "$PKI/client.key" "$OUT/nginx-repo.key"
cp "$PKI/license.jwt" "$OUT/license.jwt"
gpg --batch --armor --export "$FPR" >"$OUT/nginx_signing.key"
printf '%s\n' "$FPR" >"$OUT/fingerprint"
printf '%s\n' "$CODENAMES" >"$OUT/codenames"
chmod 0644 "$OUT"/*

# --- nginx: HTTPS with a required client certificate -----------------------------------------
cat >"$BASE/site.conf" <<EOF
# Stand-in NGINX Plus repository (apim-lab). Like pkgs.nginx.com: client certificate required.
server {
    listen 443 ssl default_server;
    listen [::]:443 ssl default_server;
    server_name $HOST;
    ssl_certificate $PKI/server.crt;
    ssl_certificate_key $PKI/server.key;
    ssl_client_certificate $PKI/ca.crt;
    ssl_verify_client on;
    root $WWW;
    autoindex on;
}
EOF
if ! cmp -s "$BASE/site.conf" /etc/nginx/sites-available/default; then
  cp "$BASE/site.conf" /etc/nginx/sites-available/default
  server_changed=1
fi
ln -sf /etc/nginx/sites-available/default /etc/nginx/sites-enabled/default
if [ -s /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then
  if [ "$server_changed" = 1 ]; then
    nginx -t 2>/dev/null || nginx -t
    nginx -s reload
  fi
else
  nginx -t 2>/dev/null || nginx -t
  nginx
fi
echo "stand-in Plus repository ready: https://$IP/plus/debian ($CODENAMES nginx-plus), key $FPR"

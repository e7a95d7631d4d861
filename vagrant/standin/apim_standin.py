#!/usr/bin/env python3
"""STAND-IN for one WSO2 API Manager node, for the apim-provision test lab only.

This is NOT WSO2 API Manager. It listens on the ports a WSO2 API-M node with port offset N
listens on, and answers every request with JSON naming the node, so tests can see which node
the load balancer picked and which headers it forwarded:

  9443+N  HTTPS  servlet port (portals, consoles): sets a JSESSIONID cookie like API-M does,
                 answers /services/Version like the Version admin service, and redirects as
                 Carbon does from its configuration (below)
  8243+N  HTTPS  API traffic (pass-through)
  8280+N  HTTP   API traffic (pass-through)
  9099+N  WS     WebSocket, plain
  8099+N  WSS    WebSocket over TLS
  9021+N  HTTP   WebSub event receiver (4.x)
  8021+N  HTTPS  WebSub event receiver (4.x)

Request bodies are read whole and reported by size and SHA-256, so tests can prove a large POST
arrived intact through the load balancer.

WebSocket: a minimal RFC 6455 server handshake, then one text frame is read and echoed back
prefixed with the node name, and the connection is closed.

With --home (a stand-in carbon home, made by standin-ctl, started by its bin/api-manager.sh or
bin/wso2server.sh with -Dcarbon.home=<home> on the command line) it reads the node's
configuration at start as Carbon does (carbon_config.py) and, on the servlet port, builds absolute
URLs from `hostname` and `proxyPort` the way API-M does:
  /publisher, /devportal, /admin, /carbon, /store   302 to https://<hostname>[:<proxyPort or 9443+N>]/<app>/
  /publisher/, /devportal/                          302 to <that base>/oauth2/authorize?...redirect_uri=...
  /oauth2/authorize                                 302 to <that base>/authenticationendpoint/login.do?...&node=<name>
  /api/am/devportal/v3/apis                         an API whose endpointURLs are the gateway environment's
  /api/am/publisher/v4/settings                     devportalUrl ([apim.devportal] url)
A configuration that does not parse stops the start (exit 1), as it stops Carbon. Fault hook (lab
only): a file <home>/.standin-fail-next-start makes the next start fail once.

Python 3 standard library only (the lab images have python3, nothing else). The TLS certificate
is made by standin-ctl with openssl, since the standard library cannot create certificates.
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import signal
import socket
import ssl
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, urlsplit

from carbon_config import CarbonConfig, ConfigError

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
# What API-M's Version admin service answers (the docs' basic health check).
VERSION_RESPONSE = (
    '<ns:getVersionResponse xmlns:ns="http://version.services.core.carbon.wso2.org">'
    "<return>WSO2 API Manager stand-in</return></ns:getVersionResponse>"
)
# (base port, TLS?, kind) of every WSO2 listener the stand-in imitates.
LISTENERS = [
    (9443, True, "servlet"),
    (8243, True, "passthrough-https"),
    (8280, False, "passthrough-http"),
    (9099, False, "ws"),
    (8099, True, "wss"),
    (9021, False, "websub-http"),
    (8021, True, "websub-https"),
]


def reported_headers(headers):
    """The request headers a load-balancer test looks at: forwarding headers, Host, Cookie."""
    picked = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower.startswith("x-forwarded-") or lower in ("host", "cookie", "upgrade", "connection"):
            picked[key] = value
    return picked


def has_jsessionid(cookie_header):
    for part in (cookie_header or "").split(";"):
        name = part.strip().split("=", 1)[0]
        if name.lower() == "jsessionid":
            return True
    return False


def read_exact(stream, count):
    data = b""
    while len(data) < count:
        chunk = stream.read(count - len(data))
        if not chunk:
            raise ConnectionError("connection closed mid-frame")
        data += chunk
    return data


def read_frame(stream):
    """One WebSocket frame from a client (always masked, RFC 6455 5.3): (opcode, payload)."""
    first, second = read_exact(stream, 2)
    opcode = first & 0x0F
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", read_exact(stream, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", read_exact(stream, 8))
    mask = read_exact(stream, 4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(read_exact(stream, length)))
    return opcode, payload


def frame(opcode, payload):
    """An unmasked server frame with FIN set."""
    header = bytes([0x80 | opcode])
    if len(payload) < 126:
        header += bytes([len(payload)])
    elif len(payload) < 65536:
        header += bytes([126]) + struct.pack("!H", len(payload))
    else:
        header += bytes([127]) + struct.pack("!Q", len(payload))
    return header + payload


# Servlet paths Tomcat answers with a trailing-slash redirect (the portals and the console).
APP_ROOTS = ("/publisher", "/devportal", "/admin", "/carbon", "/store")


def carbon_redirect(carbon, path, node):
    """The Location Carbon sends for `path`, or None: absolute, from hostname and proxyPort."""
    if path in APP_ROOTS:
        return "%s%s/" % (carbon.base_url(path[1:]), path)
    if path in ("/publisher/", "/devportal/"):
        base = carbon.base_url(path.strip("/"))
        callback = "%s%sservices/auth/callback/login" % (base, path)
        return "%s/oauth2/authorize?response_type=code&client_id=standin&redirect_uri=%s" % (base, quote(callback, safe=""))
    if path.startswith("/oauth2/authorize"):
        return "%s/authenticationendpoint/login.do?sessionDataKey=standin&node=%s" % (carbon.base_url(), node)
    return None


def carbon_api(carbon, path):
    """JSON the portals' REST APIs would answer with URLs built from the configuration, or None."""
    if path.startswith("/api/am/devportal/v3/apis"):
        urls = {k: carbon.gateway[k] for k in ("http", "https", "ws", "wss") if k in carbon.gateway}
        return {
            "count": 1,
            "list": [{"name": "StandinAPI", "endpointURLs": [{"environmentName": carbon.environment, "URLs": urls}]}],
        }
    if path.startswith("/api/am/publisher/v4/settings"):
        return {"devportalUrl": carbon.devportal_url}
    return None


def make_handler(node, role, port, kind, carbon=None):
    class StandinHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "apim-standin"

        def log_message(self, fmt, *args):
            sys.stderr.write("%s:%d %s\n" % (node, port, fmt % args))

        def body(self, received):
            return {
                "node": node,
                "role": role,
                "port": port,
                "kind": kind,
                "method": self.command,
                "path": self.path,
                "headers": reported_headers(self.headers),
                "body_bytes": len(received),
                "body_sha256": hashlib.sha256(received).hexdigest(),
            }

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return read_exact(self.rfile, length) if length else b""

        def respond(self, include_body=True):
            received = self.read_body()
            path = urlsplit(self.path).path
            servlet = kind == "servlet"
            if servlet and path == "/services/Version":
                payload = VERSION_RESPONSE.encode()
                content_type = "application/xml"
            else:
                # Absolute URLs come from the node's configuration (hostname, proxyPort), as Carbon's do.
                location = carbon_redirect(carbon, path, node) if servlet and carbon else None
                if location:
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.send_header("X-Standin-Node", node)
                    self.end_headers()
                    return
                api = carbon_api(carbon, path) if servlet and carbon else None
                body = api if api is not None else self.body(received)
                if carbon and api is None:
                    body["carbon"] = carbon.summary()
                payload = (json.dumps(body) + "\n").encode()
                content_type = "application/json"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-Standin-Node", node)
            if kind == "servlet" and not has_jsessionid(self.headers.get("Cookie")):
                # What API-M's Tomcat does for the portals; sticky sessions key on it.
                self.send_header(
                    "Set-Cookie", "JSESSIONID=%s; Path=/; Secure; HttpOnly" % secrets.token_hex(16).upper()
                )
            self.end_headers()
            if include_body:
                self.wfile.write(payload)

        def do_GET(self):
            if self.headers.get("Upgrade", "").lower() == "websocket":
                self.websocket()
            else:
                self.respond()

        def do_HEAD(self):
            self.respond(include_body=False)

        do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = respond

        def websocket(self):
            key = self.headers.get("Sec-WebSocket-Key")
            if not key:
                self.send_error(400, "Sec-WebSocket-Key missing")
                return
            accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
            self.send_response(101, "Switching Protocols")
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept)
            self.send_header("X-Standin-Node", node)
            self.end_headers()
            self.wfile.flush()
            try:
                opcode, payload = read_frame(self.rfile)
                if opcode == 0x1:
                    self.wfile.write(frame(0x1, ("%s: " % node).encode() + payload))
                self.wfile.write(frame(0x8, struct.pack("!H", 1000)))
                self.wfile.flush()
            except (ConnectionError, OSError, ValueError):
                pass
            self.close_connection = True

    return StandinHandler


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            # Dual stack: answer IPv4 (the docker bridge) and IPv6 (::1) alike.
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def serve(node, role, offset, cert, key, carbon=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    servers = []
    for base, tls, kind in LISTENERS:
        port = base + offset
        server = StandinServer(("::", port), make_handler(node, role, port, kind, carbon))
        if tls:
            # The handshake happens in the request thread, so a stalled client cannot block accept().
            server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stderr.write(
        "stand-in node %s (role %s) listening on %s\n"
        % (node, role, ", ".join(str(base + offset) for base, _, _ in LISTENERS))
    )
    sys.stderr.flush()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()


def main():
    parser = argparse.ArgumentParser(description="Stand-in WSO2 API-M node (test lab only)")
    parser.add_argument("name", help="node name reported in every response")
    parser.add_argument("offset", type=int, nargs="?", default=0, help="WSO2 port offset (without --home)")
    parser.add_argument("--role", default="all_in_one", help="API-M role reported in responses")
    parser.add_argument("--home", help="stand-in carbon home: configuration and port offset come from it")
    parser.add_argument("-D", action="append", default=[], metavar="PROP", help="Java-like system property (-Dcarbon.home=...)")
    parser.add_argument("--cert", default="/etc/apim-standin/node.crt")
    parser.add_argument("--key", default="/etc/apim-standin/node.key")
    args = parser.parse_args()
    carbon = None
    offset = args.offset
    if args.home:
        fault = os.path.join(args.home, ".standin-fail-next-start")
        if os.path.exists(fault):
            os.remove(fault)
            sys.exit("STAND-IN FAULT: start refused once (%s was present)" % fault)
        try:
            carbon = CarbonConfig(args.home)
        except ConfigError as e:
            sys.exit("ERROR {org.wso2.carbon.server} - cannot read the configuration: %s" % e)
        offset = carbon.offset
    if not (os.path.exists(args.cert) and os.path.exists(args.key)):
        parser.error("certificate %s or key %s missing (standin-ctl creates them)" % (args.cert, args.key))
    serve(args.name, args.role, offset, args.cert, args.key, carbon)


if __name__ == "__main__":
    main()

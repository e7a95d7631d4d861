#!/usr/bin/env python3
"""STAND-IN for one WSO2 API Manager node, for the apim-provision test lab only.

This is NOT WSO2 API Manager. It listens on the ports a WSO2 API-M node with port offset N
listens on, and answers every request with JSON naming the node, so tests can see which node
the load balancer picked and which headers it forwarded:

  9443+N  HTTPS  servlet port (portals, consoles): sets a JSESSIONID cookie like API-M does,
                 answers /services/Version like the Version admin service, and redirects
                 /oauth2/authorize to https://<Host>/authenticationendpoint/login.do as the
                 login flow does (so a proxy's Location rewriting can be seen)
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


def make_handler(node, role, port, kind):
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
            path = self.path.split("?", 1)[0]
            if kind == "servlet" and path == "/oauth2/authorize":
                self.redirect_to_login()
                return
            if kind == "servlet" and path == "/services/Version":
                payload = VERSION_RESPONSE.encode()
                content_type = "application/xml"
            else:
                payload = (json.dumps(self.body(received)) + "\n").encode()
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

        def redirect_to_login(self):
            # API-M sends the browser to its login page on the host it was asked for.
            host = self.headers.get("Host", "localhost")
            self.send_response(302)
            self.send_header("Location", "https://%s/authenticationendpoint/login.do?node=%s" % (host, node))
            self.send_header("Content-Length", "0")
            self.send_header("X-Standin-Node", node)
            self.end_headers()

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


def serve(node, role, offset, cert, key):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    servers = []
    for base, tls, kind in LISTENERS:
        port = base + offset
        server = StandinServer(("::", port), make_handler(node, role, port, kind))
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
    parser.add_argument("offset", type=int, help="WSO2 port offset: listens on every port + offset")
    parser.add_argument("--role", default="all_in_one", help="API-M role reported in responses")
    parser.add_argument("--cert", default="/etc/apim-standin/tls.crt")
    parser.add_argument("--key", default="/etc/apim-standin/tls.key")
    args = parser.parse_args()
    if not (os.path.exists(args.cert) and os.path.exists(args.key)):
        parser.error("certificate %s or key %s missing (standin-ctl creates them)" % (args.cert, args.key))
    serve(args.name, args.role, args.offset, args.cert, args.key)


if __name__ == "__main__":
    main()

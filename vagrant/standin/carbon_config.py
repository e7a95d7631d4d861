"""What a STAND-IN API-M node reads from its carbon home at start, as Carbon does (lab only).

3.x/4.x: repository/conf/deployment.toml ([server] hostname and offset, [transport.https.properties]
proxyPort, the first [[apim.gateway.environment]], [apim.devportal] url). 2.6: carbon.xml HostName
and Ports/Offset, catalina-server.xml proxyPort on the 9443/9763 connectors, api-manager.xml
GatewayEndpoint/GatewayWSEndpoint, the portals' site.json reverseProxy. A file that does not parse
stops the start, as it stops Carbon.
"""

import json
import os
import tomllib
import xml.etree.ElementTree as ET


class ConfigError(Exception):
    pass


def version_of(home):
    """`4.2.0` from bin/version.txt ("WSO2 API Manager v4.2.0"), else from the folder name."""
    try:
        with open(os.path.join(home, "bin", "version.txt"), encoding="utf-8") as f:
            return f.read().strip().rsplit("v", 1)[-1]
    except OSError:
        return os.path.basename(home.rstrip("/")).rsplit("-", 1)[-1]


def resolve(value, ports, hostname):
    """Carbon's placeholders in URLs: ports of this node (with its offset) and carbon.host."""
    for key, port in ports.items():
        value = value.replace("${%s}" % key, str(port))
    return value.replace("${carbon.host}", hostname).replace("${carbon.local.ip}", hostname).replace(
        "${carbon.context}", "/"
    )


def _ports(offset):
    return {
        "mgt.transport.https.port": 9443 + offset,
        "https.nio.port": 8243 + offset,
        "http.nio.port": 8280 + offset,
    }


def _toml(home):
    path = os.path.join(home, "repository", "conf", "deployment.toml")
    try:
        with open(path, "rb") as f:
            conf = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError("%s: %s" % (path, e)) from e
    server = conf.get("server", {})
    hostname = server.get("hostname", "localhost")
    offset = int(server.get("offset", 0))
    transport = conf.get("transport", {})
    https_proxy = transport.get("https", {}).get("properties", {}).get("proxyPort")
    envs = conf.get("apim", {}).get("gateway", {}).get("environment", [])
    env = envs[0] if envs else {}
    ports = _ports(offset)
    gateway = {
        k: resolve(env[v], ports, hostname)
        for k, v in (("http", "http_endpoint"), ("https", "https_endpoint"), ("ws", "ws_endpoint"), ("wss", "wss_endpoint"))
        if v in env
    }
    devportal = conf.get("apim", {}).get("devportal", {}).get("url")
    return hostname, offset, https_proxy, gateway, devportal, env.get("name", "Default")


def _xml(path):
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        raise ConfigError("%s: %s" % (path, e)) from e


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _find(root, *names):
    cur = root
    for name in names:
        cur = next((c for c in cur if _local(c.tag) == name), None)
        if cur is None:
            return None
    return cur


def _outside_strings(text, step):
    """Rewrites `text` with `step(text, i)` -> (kept, next index) at every index outside strings."""
    out, i, n, in_str = [], 0, len(text), False
    while i < n:
        c = text[i]
        if in_str or c == '"':
            out.append(c)
            if in_str and c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_str = not in_str
            i += 1
            continue
        kept, i = step(text, i)
        out.append(kept)
    return "".join(out)


def _comment(text, i):
    if text.startswith("//", i):
        end = text.find("\n", i)
        return "", len(text) if end == -1 else end
    if text.startswith("/*", i):
        end = text.find("*/", i)
        return "", len(text) if end == -1 else end + 2
    return text[i], i + 1


def _trailing_comma(text, i):
    if text[i] == "," and text[i + 1 :].lstrip(" \t\r\n")[:1] in ("}", "]"):
        return "", i + 1
    return text[i], i + 1


def relaxed_json(text):
    """JSON with // and /* */ comments and trailing commas (2.6 site.json) to JSON; strings untouched."""
    return _outside_strings(_outside_strings(text, _comment), _trailing_comma)


def _site_json(home, app):
    path = os.path.join(home, "repository", "deployment", "server", "jaggeryapps", app, "site", "conf", "site.json")
    try:
        with open(path, encoding="utf-8") as f:
            text = relaxed_json(f.read())
    except OSError:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError("%s: %s" % (path, e)) from e


def _xml26(home):
    conf = os.path.join(home, "repository", "conf")
    carbon = _xml(os.path.join(conf, "carbon.xml"))
    host = _find(carbon, "HostName")
    hostname = host.text.strip() if host is not None and host.text else "localhost"
    off = _find(carbon, "Ports", "Offset")
    offset = int(off.text) if off is not None and off.text else 0
    catalina = _xml(os.path.join(conf, "tomcat", "catalina-server.xml"))
    https_proxy = None
    for connector in catalina.iter():
        if _local(connector.tag) == "Connector" and connector.get("port") == "9443" and connector.get("proxyPort"):
            https_proxy = int(connector.get("proxyPort"))
    manager = _xml(os.path.join(conf, "api-manager.xml"))
    env = _find(manager, "APIGateway", "Environments", "Environment")
    ports = _ports(offset)
    gateway = {}
    if env is not None:
        endpoints = _find(env, "GatewayEndpoint")
        for url in (endpoints.text or "").split(",") if endpoints is not None else []:
            gateway[url.split(":", 1)[0]] = resolve(url.strip(), ports, hostname)
        ws = _find(env, "GatewayWSEndpoint")
        if ws is not None and ws.text:
            gateway["ws"] = resolve(ws.text.strip(), ports, hostname)
    name = _find(env, "Name") if env is not None else None
    proxies = {}
    for app in ("store", "publisher", "admin"):
        site = _site_json(home, app)
        rp = (site or {}).get("reverseProxy", {})
        if rp.get("enabled") is True:
            proxies[app] = rp.get("host")
    return hostname, offset, https_proxy, gateway, None, name.text if name is not None else "Default", proxies


class CarbonConfig:
    """The settings that decide the URLs a node builds: hostname, proxy port, gateway environment."""

    def __init__(self, home):
        self.home = home
        self.version = version_of(home)
        self.site_proxies = {}
        if self.version.startswith("2."):
            values = _xml26(home)
            self.site_proxies = values[6]
            values = values[:6]
        else:
            values = _toml(home)
        self.hostname, self.offset, self.https_proxy_port, self.gateway, devportal, self.environment = values
        self.devportal_url = devportal or "%s/devportal" % self.base_url()

    def base_url(self, app=None):
        """https://<hostname>[:<proxyPort or 9443+offset>], as Tomcat builds absolute URLs."""
        host = self.site_proxies.get(app) or self.hostname
        port = self.https_proxy_port or 9443 + self.offset
        return "https://%s%s" % (host, "" if port == 443 else ":%d" % port)

    def summary(self):
        return {
            "home": self.home,
            "version": self.version,
            "hostname": self.hostname,
            "proxyPort": self.https_proxy_port,
            "offset": self.offset,
        }

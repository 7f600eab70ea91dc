"""Believe X-Forwarded-* headers only from the reverse proxies named in the settings."""
from ipaddress import ip_address, ip_network

from werkzeug.middleware.proxy_fix import ProxyFix


class TrustedProxyFix:
    """ProxyFix for requests whose peer is one of `addresses`; anyone else reaching the app
    directly keeps their own address, whatever headers they send."""

    def __init__(self, app, *, hops, addresses):
        self.app = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.networks = [ip_network(address, strict=False) for address in addresses]

    def _is_proxy(self, peer):
        try:
            peer = ip_address(peer)
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ, start_response):
        trusted = self._is_proxy(environ.get("REMOTE_ADDR") or "")
        return (self.fixed if trusted else self.app)(environ, start_response)

"""Capstan preload for Dask schedulers and workers: every HTTP route of the process needs the cluster's token.

Dask serves its dashboard, Prometheus metrics and JSON routes over plain HTTP without authentication. Capstan binds
them to 127.0.0.1 only, and this preload closes the rest of the hole: other users of the same machine can reach
loopback too. Every tornado request handler of the process must present 'Authorization: Bearer <token>', where
the token is read from the 0600 file named by CAPSTAN_HTTP_TOKEN_FILE. Users reach the dashboard through the
control plane, which holds the token.

Dask may load a preload more than once into the same module namespace, so the original handler method is kept on
the tornado class itself and the patch is applied only once.
"""

import hmac
import os

import tornado.web

with open(os.environ["CAPSTAN_HTTP_TOKEN_FILE"], "rb") as _file:
    _EXPECTED = b"Bearer " + _file.read().strip()

_HANDLER = tornado.web.RequestHandler


def _capstan_prepare(self):
    supplied = self.request.headers.get("Authorization", "").encode("utf-8", "replace")
    if not hmac.compare_digest(supplied, _EXPECTED):
        self.set_status(401)
        self.finish("authentication required\n")
        return None
    return _HANDLER._capstan_original_prepare(self)


if not hasattr(_HANDLER, "_capstan_original_prepare"):
    _HANDLER._capstan_original_prepare = _HANDLER.prepare
    _HANDLER.prepare = _capstan_prepare


def dask_setup(*args, **kwargs):
    """Nothing to do at start: the handlers were guarded when this module was imported."""

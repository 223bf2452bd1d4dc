"""One OpenEnv WebSocket session with a seige server (the `/ws` protocol of docs/server.md).

This is the transport under `seige_env.py`: it turns a URL into the `/ws` address, sends
`reset`, `step`, `state` and `close` frames, pairs each with its single reply, and turns
`error` frames into Python exceptions that carry the server's code. It knows nothing about
roles, tools or rewards, and it never uses HTTP `/reset` + `/step`: OpenEnv's HTTP routes are
stateless, which is how the original project's rewards came from unrelated episodes.

Standard library plus `websocket-client` (import name `websocket`) only, so the tests run
with Debian's `python3-websocket` and no TRL.
"""

import json
import os
from typing import Any, Dict, Optional
from urllib.parse import urlsplit, urlunsplit

DEFAULT_ENV_URL = "http://127.0.0.1:8000"


class SeigeServerError(RuntimeError):
    """An `error` frame from the server: `code` is the protocol's code (VALIDATION_ERROR, ...)."""

    def __init__(self, code: str, message: str, errors: Optional[list] = None) -> None:
        detail = ""
        if errors:
            parts = []
            for e in errors[:5]:
                loc = ".".join(str(x) for x in e.get("loc", []))
                parts.append(f"{loc or '(action)'}: {e.get('msg', e.get('type', '?'))}")
            detail = " (" + "; ".join(parts) + ")"
        super().__init__(f"{message}{detail} [{code}]")
        self.code = code
        self.errors = errors or []


def _websocket() -> Any:
    """The `websocket` module of websocket-client, imported on first use so that `--help` and
    URL handling work without it."""
    try:
        import websocket  # websocket-client (Debian: python3-websocket)
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError(
            "seige's Python env needs websocket-client: `pip install websocket-client` "
            "(Debian: `apt-get install python3-websocket`)"
        ) from e
    return websocket


def ws_url(url: str) -> str:
    """The `/ws` address for a server URL, as OpenEnv's client derives it.

    Args:
        url: `http(s)://host:port[/prefix]`, `ws(s)://host:port[/prefix]/ws`, or `host:port`.
    """
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme.lower())
    if scheme is None:
        raise ValueError(f"unsupported URL scheme in {url!r}: use http(s):// or ws(s)://")
    path = parts.path.rstrip("/")
    if not path.endswith("/ws"):
        path += "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def env_url_from_environment() -> str:
    """`SEIGE_ENV_URL`, or the default local server."""
    return os.environ.get("SEIGE_ENV_URL") or DEFAULT_ENV_URL


class WsSession:
    """A lazily opened `/ws` connection; one environment (one episode at a time) per instance."""

    def __init__(self, url: str, timeout_s: float = 60.0) -> None:
        self.url = ws_url(url)
        self.timeout_s = timeout_s
        self._ws: Any = None

    def _connect(self) -> Any:
        websocket = _websocket()
        if self._ws is None or not self._ws.connected:
            try:
                self._ws = websocket.create_connection(self.url, timeout=self.timeout_s)
            except (OSError, websocket.WebSocketException) as e:
                raise ConnectionError(
                    f"cannot reach the seige server at {self.url} ({e}); start it with "
                    "`seige serve` and set SEIGE_ENV_URL or --env-url"
                ) from e
        return self._ws

    def request(self, frame: Dict[str, Any]) -> Dict[str, Any]:
        """Sends one frame and returns its reply's `data`; `error` frames raise."""
        ws = self._connect()
        websocket = _websocket()
        try:
            ws.send(json.dumps(frame))
            text = ws.recv()
        except (OSError, websocket.WebSocketException) as e:
            # The server closes idle sessions (SEIGE_SESSION_IDLE_S) and sessions over its
            # limits; drop the socket so the next reset opens a fresh one.
            self.close()
            raise ConnectionError(f"the seige session at {self.url} was lost ({e})") from e
        if not text:
            self.close()
            raise ConnectionError(f"the seige server at {self.url} closed the session")
        reply = json.loads(text)
        data = reply.get("data") or {}
        if reply.get("type") == "error":
            code = str(data.get("code", "ERROR"))
            if code in ("CAPACITY_REACHED", "FACTORY_ERROR", "SESSION_ERROR"):
                self.close()
            raise SeigeServerError(code, str(data.get("message", "")), data.get("errors"))
        return data

    def reset(self, options: Dict[str, Any]) -> Dict[str, Any]:
        """A `reset` frame; reconnects once if the previous socket was closed by the server."""
        try:
            return self.request({"type": "reset", "data": options})
        except ConnectionError:
            self.close()
            return self.request({"type": "reset", "data": options})

    def step(self, action: Dict[str, Any]) -> Dict[str, Any]:
        return self.request({"type": "step", "data": action})

    def state(self) -> Dict[str, Any]:
        return self.request({"type": "state"})

    def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is None:
            return
        try:
            if ws.connected:
                ws.send(json.dumps({"type": "close"}))
            ws.close()
        except Exception:  # noqa: BLE001 - closing a dead socket must not raise
            pass

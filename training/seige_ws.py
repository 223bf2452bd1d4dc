"""One OpenEnv WebSocket session with a seige server (the `/ws` protocol of docs/server.md).

This is the transport under `seige_env.py`: it turns a URL into the `/ws` address, sends
`reset`, `step`, `state` and `close` frames, pairs each with its single reply, and turns
`error` frames into Python exceptions that carry the server's code. It knows nothing about
roles, tools or rewards, and it never uses HTTP `/reset` + `/step`: OpenEnv's HTTP routes are
stateless, which is how the original project's rewards came from unrelated episodes.

A lost session is a `SessionLostError` that says why (the server's idle timeout, its
session limit, the server gone, too many frames ahead of their replies) and what to do.
After a loss, `step` and `state` raise it again rather than silently opening a new session
that holds no episode; `reset` opens a fresh one.

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


class SessionLostError(ConnectionError):
    """The WebSocket session ended under the client. `reason` is one of `idle_timeout`,
    `capacity`, `server_gone`, `flood` or `closed`; the message says what to do."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _lost(url: str, reason: str, detail: str = "") -> SessionLostError:
    """The error for a session lost for `reason`, with how to fix it."""
    what = {
        "idle_timeout": (
            "the server closed the session after it sat idle longer than its idle timeout "
            "(SEIGE_SESSION_IDLE_S on the server, default 600 s). The episode is gone: call "
            "reset() to start a new one. If the client pauses that long between calls (a long "
            "training step), raise SEIGE_SESSION_IDLE_S where the server runs"
        ),
        "capacity": (
            "the server is at its session limit (SEIGE_MAX_SESSIONS on the server, default 64). "
            "Close environments you no longer use, run fewer in parallel (e.g. a smaller "
            "generation batch), or raise SEIGE_MAX_SESSIONS; then call reset() again"
        ),
        "server_gone": (
            "the connection dropped: the server stopped, restarted or is unreachable. The "
            "episode is gone. Start `seige serve` again (check SEIGE_ENV_URL / --env-url) and "
            "call reset()"
        ),
        "flood": (
            "the server closed the session because the client sent many frames ahead of their "
            "replies; send one frame and wait for its reply. Call reset() to start again"
        ),
        "closed": "the server closed the session. Call reset() to start a new episode",
    }[reason]
    return SessionLostError(reason, f"seige session at {url} lost: {what}" + (f" ({detail})" if detail else ""))


def _close_reason(frame: Any) -> "tuple[int, str]":
    """(status, reason) of a received close frame."""
    data = bytes(getattr(frame, "data", b"") or b"")
    status = int.from_bytes(data[:2], "big") if len(data) >= 2 else 1005
    return status, data[2:].decode("utf-8", "replace")


def _classify_close(status: int, reason: str) -> str:
    text = reason.lower()
    if "idle" in text:
        return "idle_timeout"
    if status == 1008:
        return "flood"
    if "capacity" in text:
        return "capacity"
    if status in (1001, 1006, 1011, 1012):
        return "server_gone"
    return "closed"


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
        # Why the last session ended under us, until the next reset opens a fresh one.
        self._lost: Optional[SessionLostError] = None

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

    def _receive(self, ws: Any) -> str:
        """The next text frame; a close frame or a dead socket raises SessionLostError."""
        websocket = _websocket()
        opcode, frame = ws.recv_data_frame()
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            status, reason = _close_reason(frame)
            raise _lost(self.url, _classify_close(status, reason), f"close code {status} {reason}".strip())
        data = frame.data if hasattr(frame, "data") else frame
        return data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else str(data)

    def _pending_close(self, ws: Any) -> Optional[SessionLostError]:
        """After a failed send: the close frame the server may have sent before, if any."""
        try:
            ws.settimeout(1.0)
            self._receive(ws)
        except SessionLostError as e:
            return e
        except Exception:  # noqa: BLE001 - nothing readable: the reason stays unknown
            return None
        return None

    def request(self, frame: Dict[str, Any]) -> Dict[str, Any]:
        """Sends one frame and returns its reply's `data`; `error` frames raise."""
        if self._lost is not None and frame.get("type") != "reset":
            # A new socket would be a new session with no episode: say what happened instead.
            raise self._lost
        ws = self._connect()
        websocket = _websocket()
        try:
            try:
                ws.send(json.dumps(frame))
            except (OSError, websocket.WebSocketException) as e:
                raise self._pending_close(ws) or _lost(self.url, "server_gone", str(e)) from e
            try:
                text = self._receive(ws)
            except SessionLostError:
                raise
            except (OSError, websocket.WebSocketException) as e:
                raise _lost(self.url, "server_gone", str(e) or type(e).__name__) from e
        except SessionLostError as e:
            # Drop the socket so that the next reset opens a fresh session.
            self._lost = e
            self.close()
            raise
        if not text:
            self._lost = _lost(self.url, "closed")
            self.close()
            raise self._lost
        reply = json.loads(text)
        data = reply.get("data") or {}
        if reply.get("type") == "error":
            code = str(data.get("code", "ERROR"))
            if code == "CAPACITY_REACHED":
                self._lost = _lost(self.url, "capacity", str(data.get("message", "")))
                self.close()
                raise self._lost
            if code in ("FACTORY_ERROR", "SESSION_ERROR"):
                self.close()
            raise SeigeServerError(code, str(data.get("message", "")), data.get("errors"))
        if frame.get("type") == "reset":
            self._lost = None
        return data

    def reset(self, options: Dict[str, Any]) -> Dict[str, Any]:
        """A `reset` frame; reconnects once if the previous socket was closed by the server."""
        try:
            return self.request({"type": "reset", "data": options})
        except SessionLostError as e:
            if e.reason == "capacity":
                raise
            self.close()
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

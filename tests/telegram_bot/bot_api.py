"""A local stand-in for Telegram's Bot API, following its public description (core.telegram.org/bots/api).

It serves ``https://api.telegram.org/bot<token>/<method>`` for the methods the platform uses (getMe,
sendMessage, answerCallbackQuery, setWebhook), with the Bot API's envelope: ``{"ok": true, "result":
...}`` or ``{"ok": false, "error_code": N, "description": "...", "parameters": {"retry_after": S}}``.
Requests are read as python-telegram-bot sends them (form-encoded, JSON-encoded values) or as JSON.
A test can queue failures (a 429, a 502, a 403 for a chat that blocked the bot) and read every call.
Updates go the other way through ``update_*`` builders, posted to the webhook as Telegram does.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_ID = 7000000001
BOT_USERNAME = "accelerators_test_bot"


class BotAPI:
    def __init__(self, token: str):
        self.token = token
        self.calls: list[tuple[str, dict]] = []  # every call, answered or refused
        self.delivered: list[tuple[str, dict]] = []  # the calls answered "ok"
        self.failures: list[tuple[int, str, dict | None]] = []  # next responses to give instead of success
        self.blocked_chats: set[int] = set()
        self._message_ids = itertools.count(1)
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                api._serve(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BotAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the platform sent --------------------------------------------------------------

    def sent(self, chat_id: int | None = None, method: str = "sendMessage") -> list[dict]:
        with self._lock:
            return [
                p for m, p in self.delivered if m == method and (chat_id is None or int(p.get("chat_id")) == chat_id)
            ]

    def texts(self, chat_id: int) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def wait_for(self, predicate, timeout: float = 60.0, what: str = "a call"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = predicate()
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"the Bot API never received {what}; calls: {self.calls[-10:]}")

    def fail_next(self, code: int, description: str, retry_after: int | None = None) -> None:
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._lock:
            self.failures.append((code, description, parameters))

    # --- serving --------------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        prefix = f"/bot{self.token}/"
        if not request.path.startswith(prefix):
            self._answer(request, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = request.path[len(prefix) :]
        params = self._params(request)
        with self._lock:
            self.calls.append((method, params))
            failure = self.failures.pop(0) if self.failures and method != "getMe" else None
        if failure is not None:
            code, description, parameters = failure
            body = {"ok": False, "error_code": code, "description": description}
            if parameters:
                body["parameters"] = parameters
            self._answer(request, code, body)
            return
        code, body = self._result(method, params)
        if body["ok"]:
            with self._lock:
                self.delivered.append((method, params))
        self._answer(request, code, body)

    @staticmethod
    def _params(request) -> dict:
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        kind = request.headers.get("Content-Type", "")
        if "json" in kind:
            return json.loads(raw or b"{}")
        params = {key: values[-1] for key, values in parse_qs(raw.decode()).items()}
        for key, value in params.items():
            if value[:1] in "{[":
                params[key] = json.loads(value)
        return params

    def _result(self, method: str, params: dict) -> tuple[int, dict]:
        if method == "getMe":
            bot = {"id": BOT_ID, "is_bot": True, "first_name": "Accelerators", "username": BOT_USERNAME}
            return 200, {"ok": True, "result": bot}
        if method in ("setWebhook", "deleteWebhook", "answerCallbackQuery"):
            if method == "answerCallbackQuery" and not params.get("callback_query_id"):
                return 400, {"ok": False, "error_code": 400, "description": "Bad Request: query id is empty"}
            return 200, {"ok": True, "result": True}
        if method == "sendMessage":
            return self._send_message(params)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _send_message(self, params: dict) -> tuple[int, dict]:
        chat_id, text = int(params.get("chat_id", 0)), params.get("text") or ""
        if chat_id in self.blocked_chats:
            return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
        if not text.strip():
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        if len(text) > 4096:
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Accelerators", "username": BOT_USERNAME},
            "text": text,
        }
        return 200, {"ok": True, "result": message}

    @staticmethod
    def _answer(request, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        request.send_response(code)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


# --- Updates, as Telegram delivers them to a webhook ---------------------------------------------

_update_ids = itertools.count(int(time.time()) % 100000 * 1000)


def _person(user_id: int, language: str = "en") -> dict:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Nodira",
        "username": f"user{user_id}",
        "language_code": language,
    }


def text_update(chat_id: int, text: str, *, language: str = "en", update_id: int | None = None) -> dict:
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Nodira"},
            "from": _person(chat_id, language),
            "text": text,
        },
    }


def button_update(chat_id: int, data: str, *, language: str = "en", update_id: int | None = None) -> dict:
    return {
        "update_id": update_id if update_id is not None else next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": _person(chat_id, language),
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": next(_update_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": "…",
            },
        },
    }

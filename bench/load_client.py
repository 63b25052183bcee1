"""The load client of bench/web.py: a lean HTTP/1.1 client over a raw socket, one browser session each."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlencode

HOST = "127.0.0.1"


class Client:
    """A lean HTTP/1.1 client over a raw socket that carries one session cookie.

    The load generator shares the two cores with the server, so it should cost as little as it can: a request is
    one pre-formatted send and a response is read up to its Content-Length, without http.client's header objects
    (less client CPU per request). The connection is kept where the server keeps it alive and made
    anew where the server closed it (a sync worker closes after every response).
    """

    half_close = False
    """Send FIN right after each request (sync workers: one request per connection).

    A sync worker closes gracefully: it half-closes and waits for the peer's FIN before it takes the next
    connection. nginx sends that FIN as soon as the response is complete; a client thread of this bench may first
    wait milliseconds for its process's GIL and a core, and the worker would idle meanwhile. Half-closing after
    the request, which HTTP/1.1 allows on a connection the server closes, gives the worker the FIN as promptly as
    nginx does.
    """

    def __init__(self, port: int, cookie: str = "") -> None:
        self.port = port
        self.cookie = cookie
        self.sock: socket.socket | None = None

    def close(self) -> None:
        """Drop the connection (the next request opens a new one)."""
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def request(self, method: str, path: str, body: dict[str, object] | None = None) -> tuple[int, str, str]:
        """Send a request; the status, body and Location header. Keeps the cookie the server sets."""
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        if self.cookie:
            head.append(f"Cookie: {self.cookie}")
        data = b""
        if body is not None:
            data = urlencode(body, doseq=True).encode()
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(data)}"]
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        reused = self.sock is not None
        try:
            return self._exchange(message)
        except (ConnectionError, http.client.HTTPException):
            self.close()
            if not reused:
                raise
            return self._exchange(message)  # the server closed an idle kept-alive connection: once more, anew

    def _exchange(self, message: bytes) -> tuple[int, str, str]:
        if self.sock is None:
            self.sock = socket.create_connection((HOST, self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(message)
        if self.half_close:
            self.sock.shutdown(socket.SHUT_WR)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise http.client.RemoteDisconnected("closed before the response")
            buffer += chunk
        header, _, rest = buffer.partition(b"\r\n\r\n")
        status, length, close, location = self._head(header.decode("latin-1").split("\r\n"))
        while len(rest) < length or (length < 0 and close):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        if close or length < 0:
            self.close()
        return status, rest.decode("utf-8", "replace"), location

    def _head(self, lines: list[str]) -> tuple[int, int, bool, str]:
        """The status, Content-Length (-1 if none), whether the server closes, and Location; keeps the cookie."""
        status = int(lines[0].split(" ", 2)[1])
        length, close, location = -1, lines[0].startswith("HTTP/1.0"), ""
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.lower() == "close"
            elif name == "location":
                location = value
            elif name == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
            elif name == "transfer-encoding":
                raise http.client.HTTPException("chunked responses are not expected here")
        return status, length, close, location

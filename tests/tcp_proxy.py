"""A TCP proxy the tests can cut, recycle and restore: a real "database down", or the Temporal
server recycling its connections, without touching the server.

It runs its own event loop in a thread, because the database clients it serves are blocking
(migrations, activity threads) and may be called from the test's own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import threading
from concurrent.futures import Future
from typing import Any

_FRAME_HEADER = 9  # HTTP/2: length (3 bytes), type, flags, stream id (4 bytes)
_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_DATA = 0x0
_PADDED = 0x8
_HEADERS = 0x1
_END_STREAM_AND_HEADERS = 0x5


def _literal(name: str, value: str) -> bytes:
    """An HPACK header field "without indexing, new name": leaves the decoder's table alone."""
    return bytes([0, len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


# A trailers-only gRPC answer with status CANCELLED, as a Go server gives for a call whose
# context was cancelled: ":status: 200" (static index 8), the content type and the status.
_CANCELLED_BLOCK = (
    b"\x88"
    + _literal("content-type", "application/grpc")
    + _literal("grpc-status", "1")
    + _literal("grpc-message", "context canceled")
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class AnswerWatch:
    """Follows the frames a server sends on one HTTP/2 connection (h2c, as a gRPC client without
    TLS speaks it) and finds where answers start: a HEADERS frame on a stream. A gRPC server
    sends it only once the call's result is ready, so an answer dropped there is an answer the
    server already gave."""

    def __init__(self) -> None:
        self._held = b""  # the start of a frame header that the last chunk cut
        self._skip = 0  # payload bytes of the current frame still to come

    def frames(self, chunk: bytes) -> tuple[bytes, list[tuple[int, int]]]:
        """The bytes to forward now (a frame header cut by the chunk's end waits for the next
        chunk) and where answers start in them, as (offset, stream) pairs."""
        data, i = self._held + chunk, 0
        answers: list[tuple[int, int]] = []
        self._held = b""
        while i < len(data):
            if self._skip:
                step = min(self._skip, len(data) - i)
                self._skip, i = self._skip - step, i + step
                continue
            header = data[i : i + _FRAME_HEADER]
            if len(header) < _FRAME_HEADER:
                self._held = header
                return data[:i], answers
            stream = int.from_bytes(header[5:9], "big") & 0x7FFFFFFF
            if header[3] == _HEADERS and stream:
                answers.append((i, stream))
            self._skip, i = int.from_bytes(header[:3], "big"), i + _FRAME_HEADER
        return data, answers


class RequestWatch:
    """Follows the frames a client sends on one HTTP/2 connection and reads its gRPC messages
    (gzip-compressed, as the Temporal SDK sends them by default) to find a marker in them: an
    Update's id is in its request."""

    def __init__(self) -> None:
        self.marker_seen = False
        self._buffer = b""
        self._preface = True
        self._partial: dict[int, bytes] = {}  # per stream: a gRPC message not complete yet

    def feed(self, chunk: bytes, marker: bytes | None) -> None:
        self._buffer += chunk
        if self._preface:  # h2c with prior knowledge: the client's preface comes first
            if len(self._buffer) < len(_PREFACE):
                return
            self._buffer, self._preface = self._buffer[len(_PREFACE) :], False
        while len(self._buffer) >= _FRAME_HEADER:
            length = int.from_bytes(self._buffer[:3], "big")
            if len(self._buffer) < _FRAME_HEADER + length:
                return
            header = self._buffer[:_FRAME_HEADER]
            payload = self._buffer[_FRAME_HEADER : _FRAME_HEADER + length]
            self._buffer = self._buffer[_FRAME_HEADER + length :]
            if header[3] != _DATA:
                continue
            if header[4] & _PADDED:
                payload = payload[1 : len(payload) - payload[0]]
            stream = int.from_bytes(header[5:9], "big") & 0x7FFFFFFF
            self._partial[stream] = self._messages(self._partial.get(stream, b"") + payload, marker)

    def _messages(self, data: bytes, marker: bytes | None) -> bytes:
        """Reads the whole gRPC messages in `data` (flag, length, message); returns the rest."""
        while len(data) >= 5 and len(data) >= 5 + int.from_bytes(data[1:5], "big"):
            size = int.from_bytes(data[1:5], "big")
            message = data[5 : 5 + size]
            if data[0] == 1:
                message = gzip.decompress(message)
            if marker is not None and marker in message:
                self.marker_seen = True
            data = data[5 + size :]
        return data


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` refuses and drops every connection,
    `recycle()` drops them and keeps accepting new ones. With `http2` (a gRPC server such as
    Temporal's) it follows the server's frames, so it can lose an answer on purpose."""

    def __init__(self, target_host: str, target_port: int, http2: bool = False) -> None:
        self.port = free_port()
        self._target = (target_host, target_port)
        self._http2 = http2
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._lose_next_answer: bool | None = None  # None: forward; else `cancel` of the loss
        self._lose_answers_to: bytes | None = None
        self.connections = 0
        self.answers_lost = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _call(self, coro: Any) -> None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        future.result(timeout=10)

    def start(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        """Stops listening (new connections are refused) and drops the open ones."""
        self._call(self._cut())

    def recycle(self) -> None:
        """Drops every open connection and keeps listening: what a Temporal server does to each
        client connection after its maximum age."""
        self._call(self._drop())

    def recycle_on_next_answer(self, cancel: bool = True) -> None:
        """Recycles when the server next starts an answer (`http2` only), instead of forwarding
        it: the call was served and its answer is lost. With `cancel` the answer is replaced by
        gRPC status CANCELLED "context canceled" (what a call racing the server's recycling
        gets); without, the connection just breaks. Counted in `answers_lost`."""
        assert self._http2, "only an http2 proxy sees where an answer starts"
        self._call(self._arm(cancel))

    def lose_answers_to(self, marker: bytes | None) -> None:
        """Loses the answer of every call whose request carries `marker` (an Update's id, say),
        however often the client retries it, by dropping the connection where the answer starts
        (`http2` only): the server served the call and the client never hears back. A client
        here makes one call at a time on a connection, so the next answer on a connection that
        sent the marker is that call's. None forwards everything again. Counted in
        `answers_lost`."""
        assert self._http2, "only an http2 proxy sees where an answer starts"
        self._call(self._set_marker(marker))

    def close(self) -> None:
        self.cut()
        self._call(self._cancel_pipes())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._drop()

    async def _drop(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _arm(self, cancel: bool) -> None:
        self._lose_next_answer = cancel

    async def _set_marker(self, marker: bytes | None) -> None:
        self._lose_answers_to = marker

    async def _cancel_pipes(self) -> None:
        current = asyncio.current_task()
        pipes = [t for t in asyncio.all_tasks() if t is not current]
        for task in pipes:
            task.cancel()
        await asyncio.gather(*pipes, return_exceptions=True)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection(*self._target)
        except OSError:
            client_w.transport.abort()
            return
        self.connections += 1
        self._writers |= {client_w, server_w}
        requests = RequestWatch() if self._http2 else None
        await asyncio.gather(
            self._pipe(client_r, server_w, requests=requests),
            self._pipe(server_r, client_w, AnswerWatch() if self._http2 else None, requests),
        )

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        watch: AnswerWatch | None = None,
        requests: RequestWatch | None = None,
    ) -> None:
        """Copies `reader` to `writer`: a client's requests when there is no `watch` (`requests`
        looks for the marker in them), else the server's answers, some lost."""
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                answers: list[tuple[int, int]] = []
                if watch is None and requests is not None:
                    requests.feed(data, self._lose_answers_to)
                if watch is not None:
                    data, answers = watch.frames(data)
                marked = bool(self._lose_answers_to and requests and requests.marker_seen)
                if answers and (self._lose_next_answer is not None or marked):
                    offset, stream = answers[0]
                    writer.write(data[:offset])
                    await self._lose_answer(writer, stream)
                    return
                writer.write(data)
                await writer.drain()
        writer.transport.abort()
        self._writers.discard(writer)

    async def _lose_answer(self, client: asyncio.StreamWriter, stream: int) -> None:
        cancel, self._lose_next_answer = bool(self._lose_next_answer), None
        self.answers_lost += 1
        if cancel:
            size = len(_CANCELLED_BLOCK).to_bytes(3, "big")
            frame = size + bytes([_HEADERS, _END_STREAM_AND_HEADERS]) + stream.to_bytes(4, "big")
            client.write(frame + _CANCELLED_BLOCK)
            with contextlib.suppress(ConnectionError, OSError):
                await client.drain()
            # Closed, not aborted (an abort discards what is not sent yet). The server's own
            # answer was dropped, which leaves this connection's header tables out of step.
            self._writers.discard(client)
            client.close()
        await self._drop()

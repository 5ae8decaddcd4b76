"""One Runway Desktop per user: a second launch asks the first to come forward, then exits.

Uses a local socket (named pipe on Windows), so a crashed first instance leaves nothing that
blocks the next launch: a stale socket file is removed when nobody answers on it.
"""

from __future__ import annotations

import getpass
import re

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

CONNECT_TIMEOUT_MS = 500
RAISE_MESSAGE = b"raise\n"


def server_name(suffix: str = "") -> str:
    user = re.sub(r"[^A-Za-z0-9_.-]", "_", getpass.getuser())
    return f"runway-desktop-{user}{suffix}"


class SingleInstance(QObject):
    raiseRequested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server: QLocalServer | None = None

    def ask_running_instance_to_raise(self) -> bool:
        """True when another instance answered (this one should then exit)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return False
        socket.write(RAISE_MESSAGE)
        socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        return True

    def listen(self) -> bool:
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self._server.listen(self.name):
            # Nobody answered a moment ago, so the socket is left over from a crash.
            QLocalServer.removeServer(self.name)
            if not self._server.listen(self.name):
                return False
        self._server.newConnection.connect(self.on_new_connection)
        return True

    def on_new_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(self.raiseRequested)
            socket.disconnected.connect(socket.deleteLater)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()

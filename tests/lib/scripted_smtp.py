"""A scripted SMTP server on 127.0.0.1 that plays a remote mail exchanger: it records each
transaction and answers RCPT per address as told. STARTTLS is not offered."""
import socket
import threading


class ScriptedSmtp:
    def __init__(self, refuse=None, greeting="220 remote.test ESMTP"):
        self.refuse = dict(refuse or {})  # address -> reply line for RCPT
        self.greeting = greeting
        self.transactions = []            # (MAIL FROM line, [recipients], data bytes)
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def received(self):
        with self.lock:
            return list(self.transactions)

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        f = conn.makefile("rb")

        def send(line):
            conn.sendall(line.encode() + b"\r\n")

        try:
            send(self.greeting)
            mail, rcpts = None, []
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb == "EHLO":
                    send("250-remote.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10000000")
                elif verb == "HELO":
                    send("250 remote.test")
                elif verb == "MAIL":
                    mail, rcpts = cmd, []
                    send("250 2.1.0 ok")
                elif verb == "RCPT":
                    addr = cmd[cmd.index("<") + 1:cmd.rindex(">")]
                    reply = self.refuse.get(addr, "250 2.1.5 ok")
                    if reply.startswith("250"):
                        rcpts.append(addr)
                    send(reply)
                elif verb == "DATA":
                    send("354 go ahead")
                    data = b""
                    while True:
                        chunk = f.readline()
                        if not chunk or chunk == b".\r\n":
                            break
                        data += chunk
                    with self.lock:
                        self.transactions.append((mail, rcpts, data))
                    send("250 2.0.0 accepted")
                elif verb == "QUIT":
                    send("221 bye")
                    return
                else:
                    send("502 5.5.1 not implemented")
        except OSError:
            return
        finally:
            conn.close()

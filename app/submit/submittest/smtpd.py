"""A real SMTP submission server for Pouch's tests, on aiosmtpd (Debian: python3-aiosmtpd).

Two listeners on 127.0.0.1: STARTTLS (require_starttls, AUTH only after TLS) and implicit
TLS. Logins are checked against --user/--password (PLAIN, LOGIN, CRAM-MD5) and --token
(XOAUTH2, OAUTHBEARER). Accepted mail is delivered into --maildir as an MDA would: a Received
header and Return-Path added, LF line ends, written to tmp/, fsynced, renamed into new/, owned
by --uid/--gid when given. Each delivery is logged as a JSON line in --log.

Control files in --control, read at the end of each message (each used once, then deleted):
  data-reply   a reply ("451 4.3.0 try again later") given instead of accepting the message
  hang         the server never answers the end of the message (the client gives up)

Prints "READY" on stdout once both listeners accept connections; stops on SIGTERM.
"""
import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, args):
        self.args = args
        self.seq = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        ctl = self.args.control
        hang = os.path.join(ctl, "hang")
        if os.path.exists(hang):
            os.unlink(hang)
            await asyncio.sleep(3600)
        reply_file = os.path.join(ctl, "data-reply")
        if os.path.exists(reply_file):
            with open(reply_file) as f:
                reply = f.read().strip()
            os.unlink(reply_file)
            self.log({"refused": reply, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos})
            return reply
        raw = envelope.original_content or envelope.content
        body = raw.replace(b"\r\n", b"\n")
        login = getattr(session.auth_data, "login", None)
        login = login.decode() if isinstance(login, bytes) else login
        received = (
            "Return-Path: <%s>\nReceived: from %s (%s)\n\tby pouch-test-smtpd with ESMTPSA id %d\n\tfor <%s>; %s\n"
            % (envelope.mail_from, session.host_name, session.peer[0], os.getpid(),
               envelope.rcpt_tos[0], time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()))
        ).encode()
        with self.lock:
            self.seq += 1
            name = "%d.M%06dP%d.pouchsmtpd" % (time.time(), self.seq, os.getpid())
        tmp = os.path.join(self.args.maildir, "tmp", name)
        with open(tmp, "wb") as f:
            f.write(received + body)
            f.flush()
            os.fsync(f.fileno())
        if self.args.uid >= 0:
            os.chown(tmp, self.args.uid, self.args.gid)
        os.rename(tmp, os.path.join(self.args.maildir, "new", name))
        self.log({"file": name, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "login": login, "mechanism": getattr(session, "pouch_mechanism", ""),
                  "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
                  "size": len(raw)})
        return "250 2.0.0 Ok: queued as %s" % name

    def log(self, entry):
        with self.lock, open(self.args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    # CRAM-MD5 (RFC 2195), which aiosmtpd does not bring itself.
    async def auth_CRAM__MD5(self, server, args):
        challenge = "<%d.%d@pouch-test-smtpd>" % (os.getpid(), time.time_ns())
        resp = await server.challenge_auth(challenge)
        if not isinstance(resp, bytes):
            return AuthResult(success=False, handled=False)
        user, _, digest = resp.decode(errors="replace").partition(" ")
        want = hmac.new(self.args.password.encode(), challenge.encode(), hashlib.md5).hexdigest()
        ok = user == self.args.user and hmac.compare_digest(digest, want)
        if ok:
            server.session.pouch_mechanism = "CRAM-MD5"
        return AuthResult(success=ok, handled=False, auth_data=LoginPassword(user.encode(), b""))

    # XOAUTH2 with one valid bearer token.
    async def auth_XOAUTH2(self, server, args):
        if not self.args.token:
            return AuthResult(success=False, handled=False)
        try:
            data = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        except Exception:
            return AuthResult(success=False, handled=False)
        fields = dict(p.split("=", 1) for p in data.decode(errors="replace").split("\x01") if "=" in p)
        ok = fields.get("user") == self.args.user and fields.get("auth") == "Bearer " + self.args.token
        if ok:
            server.session.pouch_mechanism = "XOAUTH2"
        return AuthResult(success=ok, handled=False, auth_data=LoginPassword(self.args.user.encode(), b""))


def authenticator(args):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == args.user.encode()
              and auth_data.password == args.password.encode())
        if ok:
            session.pouch_mechanism = mechanism
        return AuthResult(success=ok, auth_data=auth_data)
    return check


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--starttls-port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--token", default="")
    p.add_argument("--maildir", required=True)
    p.add_argument("--uid", type=int, default=-1)
    p.add_argument("--gid", type=int, default=-1)
    p.add_argument("--log", required=True)
    p.add_argument("--control", required=True)
    p.add_argument("--size", type=int, default=10 * 1024 * 1024)
    args = p.parse_args()

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    handler = Handler(args)
    common = dict(authenticator=authenticator(args), data_size_limit=args.size, hostname="127.0.0.1",
                  ident="pouch-test-smtpd")
    starttls = Controller(handler, port=args.starttls_port, tls_context=ctx, require_starttls=True,
                          auth_require_tls=True, auth_required=True, **common)
    # Implicit TLS: the whole connection is encrypted, which aiosmtpd's auth_require_tls does
    # not see (it tracks STARTTLS only), so AUTH is allowed from the start there.
    implicit = Controller(handler, port=args.tls_port, ssl_context=ctx, auth_require_tls=False,
                          auth_required=True, **common)
    starttls.start()
    implicit.start()
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        if os.getppid() == 1:  # the test process is gone
            break
    starttls.stop()
    implicit.stop()


if __name__ == "__main__":
    main()

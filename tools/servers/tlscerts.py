"""Certificates made on the spot for the TLS tests and the benchmark, with the openssl command.

make(folder, names=NAMES) writes a test CA and a server certificate it signed for 127.0.0.1 and
names (EC P-256, valid two days), and a "rogue" CA with a certificate for the same names, which a client
that trusts only the test CA must refuse. It returns their paths by name; ca_der is the test
CA in DER, as MicroPython's tls.SSLContext.load_verify_locations takes it. server_context()
is a CPython ssl context that serves one of them. Nothing here is a secret: the keys live as
long as the folder.

    python -m tools.servers.tlscerts FOLDER
"""

import os
import shutil
import socketserver
import ssl
import subprocess
import sys

from .base import Background, make_server

# The names the server certificate holds: what a client may dial (the emulator's hosts map
# them to 127.0.0.1). Any other name that reaches the server is a wrong host.
NAMES = ("localhost", "broker.bc26.test", "web.bc26.test")


def _openssl(folder, *args):
    exe = shutil.which("openssl")
    if not exe:
        raise RuntimeError("the openssl command is missing (Debian: apt-get install openssl)")
    subprocess.run([exe, *args], cwd=folder, check=True, capture_output=True, timeout=30)


def make(folder, names=NAMES):
    os.makedirs(folder, exist_ok=True)
    san = "subjectAltName=" + ",".join(["DNS:" + n for n in names] + ["IP:127.0.0.1"])
    with open(os.path.join(folder, "server.ext"), "w") as f:
        f.write(san + "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    out = {}
    for ca, leaf in (("ca", "server"), ("rogue_ca", "rogue")):
        _openssl(folder, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca + ".key")
        _openssl(
            folder, "req", "-x509", "-new", "-key", ca + ".key", "-subj", "/CN=bc26 test " + ca,
            "-days", "2", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", ca + ".pem",
        )  # fmt: skip
        _openssl(folder, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", leaf + ".key")
        _openssl(
            folder, "req", "-new", "-key", leaf + ".key", "-subj", "/CN=localhost", "-out", leaf + ".csr"
        )
        _openssl(
            folder, "x509", "-req", "-in", leaf + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", leaf + ".pem",
        )  # fmt: skip
        out[ca + "_pem"] = os.path.join(folder, ca + ".pem")
        out[leaf + "_pem"] = os.path.join(folder, leaf + ".pem")
        out[leaf + "_key"] = os.path.join(folder, leaf + ".key")
    _openssl(folder, "x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der")
    out["ca_der"] = os.path.join(folder, "ca.der")
    return out


def server_context(certs, which="server"):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(certs[which + "_pem"], certs[which + "_key"])
    return ctx


class _TlsEcho(socketserver.BaseRequestHandler):
    def handle(self):
        owner = self.server.owner
        self.request.settimeout(30)
        try:
            with owner.context.wrap_socket(self.request, server_side=True) as tls:
                owner.handshakes += 1
                while True:
                    data = tls.recv(4096)
                    if not data:
                        break
                    tls.sendall(data)
        except (OSError, ssl.SSLError):
            pass  # a client that refused the certificate, or went away


class TlsEchoServer(Background):
    """A TLS echo server on 127.0.0.1 (a thread per client), serving certs' server certificate."""

    def __init__(self, certs, which="server"):
        self.context = server_context(certs, which)
        self.handshakes = 0
        self._run(make_server(socketserver.ThreadingTCPServer, "127.0.0.1", 0, _TlsEcho, self), "tls-echo")


if __name__ == "__main__":
    for name, path in sorted(make(sys.argv[1]).items()):
        print(name, path)

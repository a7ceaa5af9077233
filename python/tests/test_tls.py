"""DNP3 over TLS: the Python master and outstation with ssl contexts, against the dnp3 command."""
import asyncio
import json
import shutil
import ssl
import subprocess

import pytest

import dnp3
from conftest import start_cli_outstation


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl not installed")
    d = tmp_path_factory.mktemp("pki")

    def sh(*args):
        subprocess.run(["openssl", *args], check=True, cwd=d, capture_output=True)

    def key(name):
        sh("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key")

    key("ca")
    sh("req", "-x509", "-new", "-key", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Test SCADA CA")
    for name, cn, san in (("os", "outstation.test", "DNS:outstation.test,IP:127.0.0.1"),
                          ("m", "master.test", "DNS:master.test")):
        key(name)
        sh("req", "-new", "-key", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}")
        (d / f"{name}.ext").write_text(f"subjectAltName={san}\nextendedKeyUsage=serverAuth,clientAuth\n")
        sh("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
           "-out", f"{name}.pem", "-days", "30", "-extfile", f"{name}.ext")
    return d


def client_ctx(pki):
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "m.pem"), str(pki / "m.key"))
    return ctx


def server_ctx(pki):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "os.pem"), str(pki / "os.key"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def test_python_master_to_dnp3_outstation_over_tls(pki, dnp3_cli):
    p, port = start_cli_outstation(dnp3_cli, "--tls-listen", "127.0.0.1:0", "--tls-cert", str(pki / "os.pem"),
                                   "--tls-key", str(pki / "os.key"), "--tls-ca", str(pki / "ca.pem"))
    try:
        async def main():
            async with dnp3.Master(f"tls://127.0.0.1:{port}", ssl=client_ctx(pki)) as m:
                assert len(await m.poll()) == 25
                assert await m.operate_crob(0, "trip") == "SUCCESS"
        asyncio.run(main())
    finally:
        p.terminate()
        p.wait(5)
        p.stdout.close()


def test_dnp3_master_and_python_master_to_python_outstation_over_tls(pki, dnp3_cli):
    async def main():
        o = dnp3.Outstation("127.0.0.1:0", points={"analog_input": 2}, ssl=server_ctx(pki))
        o.update("analog_input", 1, 2.5)
        async with o:
            proc = await asyncio.create_subprocess_exec(
                dnp3_cli, "master", "poll", f"tls://127.0.0.1:{o.port}", "--json", "--tls-cert",
                str(pki / "m.pem"), "--tls-key", str(pki / "m.key"), "--tls-ca", str(pki / "ca.pem"),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 10)
            assert proc.returncode == 0, err
            assert {"type": "analog_input", "index": 1, "value": 2.5, "flags": 1, "time": None} in \
                json.loads(out)["points"]
            async with dnp3.Master(f"tls://127.0.0.1:{o.port}", ssl=client_ctx(pki)) as m:
                assert [p.value for p in await m.poll("0")] == [0.0, 2.5]
            # a master without a client certificate is refused by the handshake
            bare = ssl.create_default_context(cafile=str(pki / "ca.pem"))
            with pytest.raises(dnp3.Dnp3Error):
                async with dnp3.Master(f"tls://127.0.0.1:{o.port}", ssl=bare, timeout=1) as m:
                    await m.poll()
    asyncio.run(main())

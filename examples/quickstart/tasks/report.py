"""The quickstart's smoke task: what a deployed task actually sees, as one JSON line.

Run by the "smoke" environment's "report" task as `python -c <this file> <pip package>...`
in the image `pulumi up` built (the TypeScript, Python and YAML quickstarts read this
file; packages may be given as pip requirements, comma-separated too). It imports each package the image pip-installed, reads
the wandb secret both ways Flyte hands it over (environment variable and file), and
reports the environment variable the program declared, the working directory, the size
of /dev/shm, the user it runs as and the locale. Secret values are never printed: only
their SHA-256. Exits 1 (after printing the report) if a package or the secret cannot be
read, so `pulumi up` fails with this report in the error.
"""
import grp
import hashlib
import importlib
import importlib.metadata
import json
import locale
import os
import pwd
import re
import stat
import sys

SECRET_ENV = "WANDB_API_KEY"
SECRET_FILE = "/etc/flyte/secrets/wandb/api-key"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package(name: str) -> dict:
    try:
        importlib.import_module(name)
        return {"version": importlib.metadata.version(name)}
    except Exception as e:  # noqa: BLE001 - reported, not raised
        return {"error": f"{type(e).__name__}: {e}"}


def secret_file() -> dict:
    out = {"path": SECRET_FILE}
    try:
        st = os.stat(SECRET_FILE)
        out.update(mode=oct(stat.S_IMODE(st.st_mode)), uid=st.st_uid, gid=st.st_gid)
        with open(SECRET_FILE, "rb") as f:
            out["sha256"] = sha256(f.read())
    except OSError as e:
        out["error"] = f"{type(e).__name__}: {e.strerror}"
    return out


def package_names(args: list) -> list:
    """Distribution names from the arguments: names, or pip requirements (comma-separated too)."""
    specs = [spec.strip() for arg in args for spec in arg.split(",") if spec.strip()]
    return [re.split(r"[\s=<>!~;\[]", spec)[0] for spec in specs]


def main() -> int:
    env_secret = os.environ.get(SECRET_ENV)
    shm = os.statvfs("/dev/shm")
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without a passwd entry
        user = None
    report = {
        "packages": {name: package(name) for name in package_names(sys.argv[1:])},
        "secret": {
            "env": {"name": SECRET_ENV, **({"sha256": sha256(env_secret.encode())} if env_secret is not None else {"error": "not set"})},
            "file": secret_file(),
        },
        "envVars": {"WANDB_PROJECT": os.environ.get("WANDB_PROJECT")},
        "workdir": os.getcwd(),
        "shmBytes": shm.f_blocks * shm.f_frsize,
        "user": {"uid": os.getuid(), "gid": os.getgid(), "name": user, "groups": sorted(os.getgroups()),
                 "groupNames": sorted({g.gr_name for g in grp.getgrall() if g.gr_gid in os.getgroups()})},
        "python": {"executable": sys.executable, "version": sys.version.split()[0], "venv": sys.prefix != sys.base_prefix},
        "locale": {"LANG": os.environ.get("LANG"), "encoding": locale.getpreferredencoding(False)},
    }
    print(json.dumps(report, sort_keys=True), flush=True)
    broken = [p for p in report["packages"].values() if "error" in p]
    if broken or "error" in report["secret"]["env"] or "error" in report["secret"]["file"]:
        print("report: the task cannot use what it was given (see the errors above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Secure Authentication v5 (IEEE 1815-2012 clause 7) for the master and the outstation: the
core's SA objects (dnp3/sa.h) with the OpenSSL provider of libdnp3crypto.so.1."""
from __future__ import annotations

import logging
import weakref
from typing import Mapping, Union

from ._clock import now_ms
from ._ffi import aligned, crypto_lib, ffi, lib, new_config, string
from .errors import Dnp3Error

log = logging.getLogger("dnp3.sa")

Key = Union[bytes, str]

_EVENTS = ["AUTHENTICATED", "AUTH_FAILED", "UNKNOWN_USER", "REPLAY", "REPLY_TIMEOUT", "KEYS_CHANGED",
           "KEY_CHANGE_FAILED", "KEYS_EXPIRED", "NO_SESSION_KEYS", "ERROR_RECEIVED", "UNEXPECTED",
           "AGGRESSIVE_REJECTED", "UPDATE_KEY_CHANGED", "UPDATE_KEY_CHANGE_FAILED", "USER_STATUS_CHANGED",
           "USER_STATUS_CHANGE_FAILED"]


def key_bytes(key: Key) -> bytes:
    """An update key: 16 or 32 octets, or their hex digits (the format of the key files of
    `dnp3 --sa-update-key-file`)."""
    if isinstance(key, str):
        key = bytes.fromhex(key.strip())
    if len(key) not in (16, 32):
        raise ValueError("an update key has 16 or 32 octets (32 or 64 hex digits)")
    return bytes(key)


def _set_user(u, number: int, key: Key) -> None:
    k = key_bytes(key)
    u.number = number
    u.key_len = len(k)
    ffi.memmove(u.key, k, len(k))


@ffi.callback("void(void *, const dnp3_sa_event *)")
def _on_event(ctx, ev):
    try:
        owner = ffi.from_handle(ctx)
        kind = _EVENTS[ev.kind] if 0 <= ev.kind < len(_EVENTS) else str(ev.kind)
        err = f", error {string(lib.dnp3_sa_error_name(ev.error))}" if ev.error else ""
        owner.sa_events.append((kind, ev.user, ev.error))
        log.info("security: %s (user %d%s)", kind, ev.user, err)
        hook = getattr(owner, "_on_sa_event", None)
        if hook is not None:
            hook(kind, ev.user, ev.error, ev.function)
    except BaseException as e:  # noqa: BLE001 - never into C
        log.error("exception in the SA event callback", exc_info=e)


def master_keys_ok(sa) -> bool:
    return lib.dnp3_sa_master_key_status(sa, now_ms()) == 1  # DNP3_SA_KS_OK


def _free(free, sa, mem) -> None:
    """Zeroes the keys when the owner is gone (the finalizer holds `mem` until then)."""
    free(sa)


def _check(check, cfg, what: str) -> None:
    field = ffi.new("const char **")
    if check(cfg, field) != 0:
        raise Dnp3Error(f"invalid Secure Authentication configuration ({what}): {string(field[0])}",
                        "DNP3_ERR_CONFIG")


def attach_master(owner, assoc, user: int, key: Key, handle) -> None:
    """Builds a dnp3_sa_master for `user` and attaches it to the association; freed (keys
    zeroed) when the owner is collected."""
    c = new_config("dnp3_sa_master_config", lib.dnp3_sa_master_config_init_size)
    c.crypto = crypto_lib().dnp3_crypto_openssl()
    _set_user(c.user, user, key)
    c.on_event = _on_event
    c.ctx = handle
    _check(lib.dnp3_sa_master_config_check, c, "master")
    size = lib.dnp3_sa_master_memory_size(c)
    mem, ptr = aligned(size)
    sa = lib.dnp3_sa_master_init(ptr, size, c, now_ms())
    ffi.memmove(c.user.key, bytes(32), 32)
    if sa == ffi.NULL or lib.dnp3_master_assoc_set_sa(assoc, sa) != 0:
        raise Dnp3Error("Secure Authentication could not be attached", "DNP3_ERR_CONFIG")
    owner._sa = sa
    weakref.finalize(owner, _free, lib.dnp3_sa_master_free, sa, mem)


def attach_outstation(owner, os_, users: Mapping[int, Key], handle) -> None:
    """Builds a dnp3_sa_outstation for `users` ({number: update key}) and attaches it."""
    c = new_config("dnp3_sa_outstation_config", lib.dnp3_sa_outstation_config_init_size)
    c.crypto = crypto_lib().dnp3_crypto_openssl()
    if not 1 <= len(users) <= 16:
        raise ValueError("1 to 16 SA users")
    for i, (number, key) in enumerate(users.items()):
        _set_user(c.users[i], number, key)
    c.n_users = len(users)
    c.on_event = _on_event
    c.ctx = handle
    _check(lib.dnp3_sa_outstation_config_check, c, "outstation")
    size = lib.dnp3_sa_outstation_memory_size(c)
    mem, ptr = aligned(size)
    sa = lib.dnp3_sa_outstation_init(ptr, size, c, now_ms())
    for i in range(len(users)):
        ffi.memmove(c.users[i].key, bytes(32), 32)
    if sa == ffi.NULL or lib.dnp3_outstation_set_sa(os_, sa) != 0:
        raise Dnp3Error("Secure Authentication could not be attached", "DNP3_ERR_CONFIG")
    weakref.finalize(owner, _free, lib.dnp3_sa_outstation_free, sa, mem)

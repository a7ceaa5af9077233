"""cffi ABI-mode binding of libdnp3.so.1: the declarations the package uses and the loader.

The struct declarations mirror include/dnp3/*.h field for field (enums are declared as
``int``, their size in the C ABI). python/tests/test_layout.py compiles a small C program
against the headers and checks every size and offset declared here, so a header change cannot
silently corrupt memory.
"""
from __future__ import annotations

import ctypes.util
import os
import weakref

import cffi

CDEF = r"""
typedef uint64_t dnp3_tstamp;
typedef uint64_t dnp3_time48;
typedef int dnp3_channel_mode;
typedef int dnp3_broadcast_kind;
typedef int dnp3_control_mode;
typedef int dnp3_command_status;
typedef int dnp3_task_kind;
typedef int dnp3_task_result;
typedef int dnp3_point_type;
typedef int dnp3_time_kind;
typedef int dnp3_timesync_mode;
typedef int dnp3_command_mode;
typedef int dnp3_os_type;
typedef int dnp3_event_mode;
typedef int dnp3_freeze_kind;

const char *dnp3_version(void);
bool dnp3_err_is_fatal(int err);
const char *dnp3_strerror(int err);
const char *dnp3_err_name(int err);
const char *dnp3_point_type_name(dnp3_point_type t);
const char *dnp3_command_status_name(unsigned status);
const char *dnp3_iin_bit_name(unsigned bit);
const char *dnp3_fc_name(uint8_t fc);

typedef struct {
    uint8_t code;
    uint8_t count;
    uint32_t on_ms;
    uint32_t off_ms;
    uint8_t status;
} dnp3_crob;

typedef struct {
    uint8_t point_type;
    uint8_t vtype;
    bool has_flags;
    uint8_t flags;
    double value;
    uint8_t time_kind;
    dnp3_time48 time;
    bool has_status;
    uint8_t status;
    dnp3_crob crob;
    uint32_t interval;
    uint8_t units;
    uint16_t assoc;
} dnp3_point;

typedef struct {
    int err;
    size_t offset;
    uint8_t group, variation, qualifier;
} dnp3_parse_error;

/* ---- channel ---- */
typedef struct {
    const uint8_t *apdu;
    size_t len;
    uint16_t src;
    uint16_t dest;
    dnp3_broadcast_kind broadcast;
} dnp3_channel_fragment;

typedef void (*dnp3_channel_fragment_fn)(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now);

typedef struct {
    uint32_t size;
    bool is_master;
    uint16_t local_addr;
    uint16_t remote_addr;
    bool accept_any_remote;
    bool self_addr_enabled;
    dnp3_channel_mode mode;
    size_t max_rx_fragment;
    size_t max_tx_fragment;
    uint32_t keep_alive_ms;
    uint32_t link_timeout_ms;
    dnp3_channel_fragment_fn on_fragment;
    void *ctx;
    int framing;  /* dnp3_framing_policy: 0 by mode, 1 close, 2 resync */
} dnp3_channel_config;

typedef struct dnp3_channel dnp3_channel;
void dnp3_channel_config_init_size(dnp3_channel_config *c, size_t size);
size_t dnp3_channel_memory_size(const dnp3_channel_config *c);
dnp3_channel *dnp3_channel_init(void *mem, size_t size, const dnp3_channel_config *c, dnp3_tstamp now);
int dnp3_channel_read(dnp3_channel *ch, const uint8_t *in, size_t len, dnp3_tstamp now);
int dnp3_channel_write(dnp3_channel *ch, uint8_t *dst, size_t cap);
size_t dnp3_channel_pending(const dnp3_channel *ch);
dnp3_tstamp dnp3_channel_get_expiry(const dnp3_channel *ch);
int dnp3_channel_handle_expiry(dnp3_channel *ch, dnp3_tstamp now);
void dnp3_channel_reset(dnp3_channel *ch, dnp3_tstamp now);

/* ---- outstation ---- */
typedef struct {
    uint16_t count;
    uint8_t event_class;
    uint8_t static_variation;
    uint8_t event_variation;
    bool in_class0;
    uint16_t event_buffer;
    double deadband;
} dnp3_os_type_config;

typedef struct {
    const char *vendor;
    const char *model;
    const char *sw_version;
    const char *hw_version;
    const char *owner;
    const char *location;
    const char *id_code;
    const char *device_name;
    const char *serial_number;
    const char *subset;
} dnp3_os_attributes;

typedef struct {
    uint32_t size;
    uint16_t link_addr;
    uint16_t master_addr;
    dnp3_os_type_config types[9];
    uint8_t octet_string_size;
    size_t max_rx_fragment;
    size_t max_tx_fragment;
    uint32_t select_timeout_ms;
    uint32_t confirm_timeout_ms;
    uint16_t max_controls;
    bool unsolicited;
    uint8_t unsol_classes;
    uint32_t unsol_retries;
    uint32_t unsol_retry_delay_ms;
    bool need_time_at_start;
    uint32_t need_time_period_ms;
    uint16_t processing_delay_ms;
    bool link_layer;
    dnp3_channel_mode link_mode;
    bool self_addr;
    uint32_t keep_alive_ms;
    uint32_t link_timeout_ms;
    dnp3_os_attributes attr;
    uint16_t sa_stat_event_buffer;
    uint8_t sa_stat_event_class;
    uint8_t sa_stat_event_variation;
    int link_framing;  /* dnp3_framing_policy */
    uint16_t command_event_buffer;
    uint8_t command_event_class;
    uint8_t bo_command_event_variation;
    uint8_t ao_command_event_variation;
} dnp3_outstation_config;

typedef struct {
    bool supported;
    bool milliseconds;
    uint16_t delay;
} dnp3_restart_delay;

typedef struct {
    uint32_t size;
    void *ctx;
    dnp3_command_status (*crob)(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *crob);
    dnp3_command_status (*analog_output)(void *ctx, dnp3_control_mode mode, uint16_t index, double value,
                                         uint8_t variation);
    bool (*write_time)(void *ctx, dnp3_time48 utc);
    void *restart;
    void (*freeze)(void *ctx, dnp3_freeze_kind kind, uint16_t start, uint16_t stop);
    dnp3_time48 (*utc_now)(void *ctx);
} dnp3_outstation_callbacks;

typedef struct dnp3_outstation dnp3_outstation;
void dnp3_outstation_config_init_size(dnp3_outstation_config *c, size_t size);
size_t dnp3_outstation_memory_size(const dnp3_outstation_config *c);
dnp3_outstation *dnp3_outstation_init(void *mem, size_t size, const dnp3_outstation_config *c,
                                      const dnp3_outstation_callbacks *cb, dnp3_tstamp now);
dnp3_tstamp dnp3_outstation_get_expiry(const dnp3_outstation *os);
int dnp3_outstation_handle_expiry(dnp3_outstation *os, dnp3_tstamp now);
void dnp3_outstation_set_online(dnp3_outstation *os, bool online, dnp3_tstamp now);
int dnp3_outstation_read(dnp3_outstation *os, const uint8_t *in, size_t len, dnp3_tstamp now);
int dnp3_outstation_write(dnp3_outstation *os, uint8_t *dst, size_t cap, dnp3_tstamp now);
size_t dnp3_outstation_write_size(const dnp3_outstation *os);
int dnp3_outstation_update(dnp3_outstation *os, dnp3_os_type type, uint16_t index, double value, uint8_t flags,
                           dnp3_time48 time, dnp3_event_mode mode);
int dnp3_outstation_update_octets(dnp3_outstation *os, uint16_t index, const uint8_t *data, size_t len,
                                  dnp3_time48 time, dnp3_event_mode mode);
int dnp3_outstation_get(const dnp3_outstation *os, dnp3_os_type type, uint16_t index, double *value,
                        uint8_t *flags, dnp3_time48 *time);
size_t dnp3_outstation_event_count(const dnp3_outstation *os, dnp3_os_type type);
int dnp3_outstation_set_class0(dnp3_outstation *os, dnp3_os_type type, uint16_t start, uint16_t stop,
                               bool in_class0);
void dnp3_outstation_set_iin(dnp3_outstation *os, uint16_t bits, bool on);
uint16_t dnp3_outstation_iin(const dnp3_outstation *os);

/* ---- master ---- */
typedef struct dnp3_master dnp3_master;
typedef struct dnp3_master_assoc dnp3_master_assoc;

typedef struct {
    dnp3_task_kind kind;
    bool automatic;
    dnp3_task_result result;
    uint16_t address;
    uint8_t function;
    bool have_iin;
    uint16_t iin;
    const uint8_t *statuses;
    size_t n_statuses;
    uint32_t restart_delay_ms;
    int64_t propagation_ms;
    dnp3_time48 time_written;
    dnp3_parse_error parse_error;
    uint8_t sa_error;
} dnp3_task_info;

typedef void (*dnp3_task_cb)(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);

typedef struct {
    uint16_t address;
    bool unsolicited;
    bool fir, fin;
    uint8_t seq;
    uint16_t iin;
    dnp3_task_kind task;
    uint32_t confirm_token;
} dnp3_rx_info;

typedef struct {
    dnp3_point_type type;
    uint8_t group, variation;
    bool event;
    uint32_t index;
    double value;
    bool has_flags;
    uint8_t flags;
    dnp3_time_kind time_kind;
    dnp3_time48 time;
    bool from_cto;
    bool cto_unsynchronized;
    const dnp3_point *point;
    const uint8_t *octets;
    size_t octets_len;
    uint8_t attr_type;
} dnp3_measurement;

typedef struct {
    void (*fragment_begin)(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);
    void (*measurement)(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m);
    void (*fragment_end)(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);
    void (*task_done)(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);
    bool (*utc_now)(void *ctx, dnp3_time48 *out);
    void (*unknown_source)(void *ctx, dnp3_master *m, uint16_t address);
    void *ctx;
} dnp3_master_handler;

typedef struct {
    uint32_t size;
    size_t max_associations;
    size_t user_queue_len;
    size_t task_buffer_size;
    size_t max_command_objects;
    bool one_request_per_channel;
    dnp3_master_handler handler;
} dnp3_master_config;

typedef struct {
    uint32_t size;
    uint16_t address;
    void *user;
    uint32_t response_timeout_ms;
    uint32_t task_start_timeout_ms;
    uint32_t retry_min_ms;
    uint32_t retry_max_ms;
    uint8_t startup_disable_unsol;
    uint8_t startup_integrity;
    uint8_t startup_enable_unsol;
    uint32_t integrity_period_ms;
    uint32_t class_period_ms[3];
    bool clear_restart;
    bool restart_reruns_startup;
    bool integrity_on_overflow;
    uint8_t event_poll_on_iin;
    dnp3_timesync_mode time_sync;
    bool defer_confirm;
} dnp3_assoc_config;

typedef struct {
    uint8_t group;
    uint8_t variation;
    uint32_t index;
    dnp3_crob crob;
    double value;
} dnp3_command;

const char *dnp3_task_result_name(dnp3_task_result r);
const char *dnp3_task_result_str(dnp3_task_result r);
const char *dnp3_task_kind_name(dnp3_task_kind k);
void dnp3_master_config_init_size(dnp3_master_config *c, size_t size);
void dnp3_assoc_config_init_size(dnp3_assoc_config *c, size_t size);
size_t dnp3_master_memory_size(const dnp3_master_config *c);
int dnp3_master_config_check(const dnp3_master_config *c, const char **field);
int dnp3_assoc_config_check(const dnp3_assoc_config *c, const char **field);
dnp3_master *dnp3_master_init(void *mem, size_t size, const dnp3_master_config *c, dnp3_channel *ch,
                              dnp3_tstamp now);
dnp3_master_assoc *dnp3_master_add_assoc(dnp3_master *m, const dnp3_assoc_config *c, dnp3_tstamp now);
void *dnp3_master_assoc_user(const dnp3_master_assoc *a);
bool dnp3_master_assoc_busy(const dnp3_master_assoc *a);
size_t dnp3_master_assoc_queued(const dnp3_master_assoc *a);
int dnp3_master_on_connect(dnp3_master *m, dnp3_tstamp now);
int dnp3_master_on_disconnect(dnp3_master *m, dnp3_tstamp now);
bool dnp3_master_connected(const dnp3_master *m);
void dnp3_master_on_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now);
dnp3_tstamp dnp3_master_get_expiry(const dnp3_master *m);
int dnp3_master_release_confirm(dnp3_master_assoc *a, uint32_t token, dnp3_tstamp now);
int dnp3_master_handle_expiry(dnp3_master *m, dnp3_tstamp now);
int dnp3_master_read_class(dnp3_master_assoc *a, uint8_t classes, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);
int dnp3_master_operate(dnp3_master_assoc *a, dnp3_command_mode mode, uint8_t qualifier,
                        const dnp3_command *cmds, size_t n, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);
int dnp3_master_time_sync(dnp3_master_assoc *a, dnp3_timesync_mode mode, dnp3_task_cb cb, void *ctx,
                          dnp3_tstamp now);
int dnp3_master_set_unsolicited(dnp3_master_assoc *a, bool enable, uint8_t classes, dnp3_task_cb cb, void *ctx,
                                dnp3_tstamp now);
int dnp3_master_restart(dnp3_master_assoc *a, bool warm, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);
"""

# Secure Authentication v5 (dnp3/sa.h; the crypto provider is in libdnp3crypto.so.1)
CDEF_SA = r"""
typedef struct dnp3_crypto dnp3_crypto;
typedef int dnp3_sa_event_kind;
typedef struct {
    uint16_t number;
    uint8_t key_len;
    uint8_t key[32];
    char name[33];
} dnp3_sa_user;
typedef struct { uint8_t bits[32]; } dnp3_sa_fc_set;
typedef struct {
    dnp3_sa_event_kind kind;
    uint16_t user;
    uint32_t seq;
    uint8_t function;
    uint8_t error;
} dnp3_sa_event;
typedef void (*dnp3_sa_event_cb)(void *ctx, const dnp3_sa_event *ev);
typedef struct {
    uint32_t size;
    const dnp3_crypto *crypto;
    dnp3_sa_user users[16];
    size_t n_users;
    uint8_t mal;
    uint8_t challenge_len;
    uint32_t reply_timeout_ms;
    uint32_t key_change_interval_ms;
    uint32_t key_change_count;
    uint8_t max_error_count;
    bool aggressive_mode;
    dnp3_sa_fc_set critical;
    size_t max_apdu;
    uint8_t authority_key_len;
    uint8_t authority_key[32];
    char outstation_name[33];
    uint32_t status_change_seq;
    dnp3_sa_event_cb on_event;
    void *ctx;
} dnp3_sa_outstation_config;
typedef struct dnp3_sa_outstation dnp3_sa_outstation;
void dnp3_sa_outstation_config_init_size(dnp3_sa_outstation_config *c, size_t size);
size_t dnp3_sa_outstation_memory_size(const dnp3_sa_outstation_config *c);
int dnp3_sa_outstation_config_check(const dnp3_sa_outstation_config *c, const char **field);
dnp3_sa_outstation *dnp3_sa_outstation_init(void *mem, size_t size, const dnp3_sa_outstation_config *c,
                                            dnp3_tstamp now);
void dnp3_sa_outstation_free(dnp3_sa_outstation *sa);
int dnp3_outstation_set_sa(dnp3_outstation *os, dnp3_sa_outstation *sa);
typedef struct {
    uint32_t size;
    const dnp3_crypto *crypto;
    dnp3_sa_user user;
    uint8_t session_key_len;
    uint32_t key_change_interval_ms;
    uint32_t key_change_count;
    bool aggressive_mode;
    dnp3_sa_fc_set critical;
    size_t max_apdu;
    dnp3_sa_event_cb on_event;
    void *ctx;
} dnp3_sa_master_config;
typedef struct dnp3_sa_master dnp3_sa_master;
void dnp3_sa_master_config_init_size(dnp3_sa_master_config *c, size_t size);
size_t dnp3_sa_master_memory_size(const dnp3_sa_master_config *c);
int dnp3_sa_master_config_check(const dnp3_sa_master_config *c, const char **field);
dnp3_sa_master *dnp3_sa_master_init(void *mem, size_t size, const dnp3_sa_master_config *c, dnp3_tstamp now);
void dnp3_sa_master_free(dnp3_sa_master *sa);
int dnp3_master_assoc_set_sa(dnp3_master_assoc *a, dnp3_sa_master *sa);
int dnp3_sa_master_key_status(const dnp3_sa_master *sa, dnp3_tstamp now);
const char *dnp3_sa_error_name(unsigned code);
const dnp3_crypto *dnp3_crypto_openssl(void);
"""

# The decoder library (dnp3/decode.h, libdnp3decode.so.1) and the libc calls to write into memory
CDEF_DECODE = r"""
typedef struct {
    uint32_t size;
    unsigned levels;
    bool json;
    bool apdu;
    uint16_t port;
} dnp3_decode_options;
void dnp3_decode_options_init_size(dnp3_decode_options *o, size_t size);
long dnp3_decode_octets(const uint8_t *data, size_t len, const dnp3_decode_options *o, FILE *out);
long dnp3_decode_capture(const char *path, const dnp3_decode_options *o, FILE *out, char *err, size_t errcap);
FILE *open_memstream(char **ptr, size_t *sizeloc);
int fclose(FILE *stream);
void free(void *ptr);
"""

#: The structs whose layout test_layout.py checks against the C headers.
CHECKED_STRUCTS = (
    "dnp3_crob", "dnp3_point", "dnp3_parse_error", "dnp3_channel_fragment", "dnp3_channel_config",
    "dnp3_os_type_config", "dnp3_os_attributes", "dnp3_outstation_config", "dnp3_outstation_callbacks",
    "dnp3_task_info", "dnp3_rx_info", "dnp3_measurement", "dnp3_master_handler", "dnp3_master_config",
    "dnp3_assoc_config", "dnp3_command", "dnp3_sa_user", "dnp3_sa_fc_set", "dnp3_sa_event",
    "dnp3_sa_outstation_config", "dnp3_sa_master_config",
)

TSTAMP_NEVER = 0xFFFFFFFFFFFFFFFF
ALIGN = 16  # alignof(max_align_t) on the 64-bit ABIs the package supports

ffi = cffi.FFI()
ffi.cdef(CDEF)
ffi.cdef(CDEF_SA)
ffi.cdef(CDEF_DECODE)


def _candidates() -> list[str]:
    env = os.environ.get("DNP3_LIBRARY")
    if env:
        return [env]  # explicit: nothing else is tried
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.join(here, "libdnp3.so.1")]
    found = ctypes.util.find_library("dnp3")
    if found:
        out.append(found)
    out.append("libdnp3.so.1")
    return out


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append(f"{path}: not found")
            continue
        try:
            return ffi.dlopen(path), path
        except OSError as e:  # pragma: no cover - depends on the system
            errors.append(f"{path}: {e}")
    raise ImportError("cannot load libdnp3.so.1 (set DNP3_LIBRARY to its path): " + "; ".join(errors))


lib, LIBRARY_PATH = _load()


_crypto = None


def crypto_lib():
    """libdnp3crypto.so.1 (the OpenSSL provider of Secure Authentication), loaded on first use:
    from the folder of the loaded libdnp3.so.1, next to the package, or the system's."""
    global _crypto
    if _crypto is None:
        dirs = [os.path.dirname(LIBRARY_PATH)] if os.sep in LIBRARY_PATH else []
        dirs.append(os.path.dirname(os.path.abspath(__file__)))
        paths = [os.path.join(d, "libdnp3crypto.so.1") for d in dirs]
        paths = [p for p in paths if os.path.exists(p)] + [ctypes.util.find_library("dnp3crypto") or "",
                                                          "libdnp3crypto.so.1"]
        errors = []
        for path in filter(None, paths):
            try:
                _crypto = ffi.dlopen(path)
                break
            except OSError as e:
                errors.append(f"{path}: {e}")
        else:
            raise OSError("Secure Authentication needs libdnp3crypto.so.1: " + "; ".join(errors))
    return _crypto


_decode = None


def decode_lib():
    """libdnp3decode.so.1, or None when it is not installed: from the folder of the loaded
    libdnp3.so.1, next to the package, or the system's (loaded on first use)."""
    global _decode
    if _decode is None:
        dirs = [os.path.dirname(LIBRARY_PATH)] if os.sep in LIBRARY_PATH else []
        dirs.append(os.path.dirname(os.path.abspath(__file__)))
        paths = [p for p in (os.path.join(d, "libdnp3decode.so.1") for d in dirs) if os.path.exists(p)]
        paths += [ctypes.util.find_library("dnp3decode") or "", "libdnp3decode.so.1"]
        _decode = False
        for path in filter(None, paths):
            try:
                _decode = ffi.dlopen(path)
                break
            except OSError:
                continue
    return _decode or None


libc = ffi.dlopen(None)


# Room left after a configuration struct: a newer libdnp3 whose struct grew at the end (the
# size-versioned configurations of docs/api.md) writes its longer defaults there in *_init.
_SLACK = 512
_keep: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # pointer -> its buffer


def new_config(ctype: str, init=None):
    """A configuration struct (``"dnp3_channel_config"``), filled by the library's ``init``
    function when given, with ``size`` set to the size declared here: a newer library takes it for
    an older layout and gives the defaults of the fields it added (api.md, "Config and callback
    structs begin with a size field"), and its init cannot write past the buffer."""
    size = ffi.sizeof(ctype)
    buf = ffi.new("char[]", size + _SLACK)
    p = ffi.cast(ctype + " *", buf)
    if init is not None:
        init(p, size)  # the library's *_init_size: fills exactly the fields declared here
    p.size = size
    _keep[p] = buf
    return p


def aligned(size: int):
    """Returns (owner, pointer): `size` octets aligned like max_align_t; keep `owner` alive."""
    owner = ffi.new("char[]", size + ALIGN)
    addr = int(ffi.cast("uintptr_t", owner))
    ptr = owner + ((-addr) % ALIGN)
    return owner, ptr


def string(p) -> str:
    return ffi.string(p).decode() if p != ffi.NULL else ""

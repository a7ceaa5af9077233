/**
 * \file
 * dnp3/master.h - the sans-I/O DNP3 master (IEEE 1815-2012 clause 4 application
 * layer, master side; clause 5 master procedures as summarised in
 * docs/master.md).
 *
 * A dnp3_master is the application layer of ONE channel (include/dnp3/channel.h).
 * It owns up to `max_associations` associations, one per outstation link
 * address (several on a multi-drop line). Received fragments are routed to the
 * association whose address equals the link source address.
 *
 * Each association runs a task scheduler: the start-up sequence
 * (DISABLE_UNSOLICITED, integrity poll, ENABLE_UNSOLICITED), periodic
 * integrity and class polls, automatic reactions to IIN bits (clear
 * DEVICE_RESTART, time synchronisation on NEED_TIME, integrity poll on
 * EVENT_BUFFER_OVERFLOW, event poll on CLASS_n_EVENTS) and user tasks
 * (commands, reads, writes, freezes, restarts, ...). At most one request is
 * outstanding per association; a request that gets no (complete) response
 * within the response timeout fails its task (no application-layer retries).
 *
 * Memory: dnp3_master_memory_size(config) octets provided by the caller,
 * aligned like max_align_t; nothing allocates after dnp3_master_init.
 * Time: every call that can change state takes the monotonic `now` (ms);
 * wall-clock UTC (for time synchronisation) comes from handler.utc_now.
 * Objects are single-threaded; callbacks run only inside a call the caller
 * made. Callbacks may submit tasks and may remove associations (removal is
 * deferred to the end of the outermost call); the calls that feed the master
 * (on_fragment/handle_apdu, handle_expiry, on_connect, on_disconnect) are
 * refused with DNP3_ERR_STATE inside a callback.
 * An association pointer is valid until the association is removed.
 *
 * How a runtime drives it (one channel, e.g.\ a TCP client):
 *
 *     mem_m = aligned_alloc(..., dnp3_master_memory_size(&mcfg));
 *     ccfg.is_master = true; ccfg.on_fragment = dnp3_master_on_fragment;
 *     ccfg.ctx = mem_m;                       // dnp3_master_init returns mem_m
 *     ch = dnp3_channel_init(mem_c, size_c, &ccfg, now);
 *     m  = dnp3_master_init(mem_m, size_m, &mcfg, ch, now);
 *     a  = dnp3_master_add_assoc(m, &acfg, now);
 *     on TCP connected:   dnp3_channel_reset(ch, now); dnp3_master_on_connect(m, now);
 *     on bytes received:  dnp3_channel_read(ch, buf, n, now);   // -> dnp3_master_on_fragment
 *     on timer:           dnp3_channel_handle_expiry(ch, now); dnp3_master_handle_expiry(m, now);
 *     after EVERY call:   while ((n = dnp3_channel_write(ch, out, cap)) > 0) send(out, n);
 *                         arm the timer at min(dnp3_channel_get_expiry(ch), dnp3_master_get_expiry(m));
 *     on disconnect:      dnp3_master_on_disconnect(m, now);
 *
 * The master queues requests and confirms with dnp3_channel_send. When the
 * channel's output queue is full the master retries at its next call:
 * dnp3_master_get_expiry then returns a time <= now, so drain the channel
 * before calling dnp3_master_handle_expiry.
 */
#ifndef DNP3_MASTER_H
#define DNP3_MASTER_H

#include "dnp3/export.h"
#include "dnp3/app.h"
#include "dnp3/channel.h"
#include "dnp3/file.h"
#include "dnp3/objects.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A master: the application layer of one channel (opaque), built by dnp3_master_init in caller memory. */
typedef struct dnp3_master dnp3_master;
/** One association of a master with an outstation (opaque), from dnp3_master_add_assoc. */
typedef struct dnp3_master_assoc dnp3_master_assoc;

/** \name Class masks (bit n = class n); CLASS_1..3 equal the IIN1 CLASS_n_EVENTS bits. */
/** @{ */
#define DNP3_CLASS_0 0x01u   /**< class 0 (static data) */
#define DNP3_CLASS_1 0x02u   /**< class 1 events */
#define DNP3_CLASS_2 0x04u   /**< class 2 events */
#define DNP3_CLASS_3 0x08u   /**< class 3 events */
#define DNP3_CLASS_123 0x0Eu /**< classes 1, 2 and 3 (all events) */
#define DNP3_CLASS_ALL 0x0Fu /**< classes 0, 1, 2 and 3 (integrity) */
/** @} */

/* ---- tasks ---- */

/**
 * What a task does. DISABLE_UNSOLICITED .. TIME_SYNC are the automatic tasks
 * of the scheduler (also available as user tasks where noted); READ ..
 * AUTH_UPDATE_KEY are user tasks.
 */
typedef enum {
    DNP3_TASK_NONE = 0, /**< no task (e.g.\ an unsolicited fragment) */
    /* automatic tasks */
    DNP3_TASK_DISABLE_UNSOLICITED, /**< start-up step 1 (or user, see automatic) */
    DNP3_TASK_INTEGRITY_POLL,      /**< start-up step 2, periodic, after overflow */
    DNP3_TASK_ENABLE_UNSOLICITED,  /**< start-up step 3 (or user) */
    DNP3_TASK_EVENT_POLL,          /**< periodic class poll or CLASS_n_EVENTS reaction */
    DNP3_TASK_CLEAR_RESTART,       /**< WRITE g80v1 index 7 = 0 */
    DNP3_TASK_TIME_SYNC,           /**< NEED_TIME reaction (or user) */
    /* user tasks */
    DNP3_TASK_READ,            /**< READ with caller-built headers or class READ */
    DNP3_TASK_COMMAND,         /**< CROB / analog output: SBO, DO, DO no-ack */
    DNP3_TASK_FREEZE,          /**< IMMED_FREEZE, FREEZE_CLEAR (+ _NR) */
    DNP3_TASK_RESTART,         /**< COLD_RESTART / WARM_RESTART */
    DNP3_TASK_WRITE,           /**< WRITE with caller-built objects, octet strings */
    DNP3_TASK_READ_ATTRIBUTES, /**< READ g0 */
    DNP3_TASK_REQUEST,         /**< any other function code with caller-built objects */
    DNP3_TASK_AUTH_KEYS,       /**< Secure Authentication session key exchange (dnp3/sa.h) */
    DNP3_TASK_AUTH_UPDATE_KEY, /**< Secure Authentication update-key change (dnp3/sa.h) */
    DNP3_TASK_KIND_COUNT       /**< number of task kinds (not a kind) */
} dnp3_task_kind;

/** How a task ended. */
typedef enum {
    DNP3_TASK_SUCCESS = 0,         /**< the task did what it was asked */
    DNP3_TASK_TIMEOUT,             /**< no (complete) response within the response timeout */
    DNP3_TASK_REJECTED,            /**< response IIN2 NO_FUNC_CODE_SUPPORT/OBJECT_UNKNOWN/PARAMETER_ERROR */
    DNP3_TASK_MALFORMED,           /**< response objects failed validation (parse_error says where) */
    DNP3_TASK_BAD_HEADER,          /**< response too short or control field breaks clause 4.2.2.4 */
    DNP3_TASK_BAD_SEQUENCE,        /**< wrong SEQ, missing FIR, FIR inside a series */
    DNP3_TASK_UNEXPECTED_FUNCTION, /**< the outstation answered with a function code other than RESPONSE */
    DNP3_TASK_ECHO_MISMATCH,       /**< command echo differs from the request */
    DNP3_TASK_COMMAND_STATUS,      /**< a command object came back with a status other than SUCCESS */
    DNP3_TASK_MISSING_OBJECT,      /**< an expected object (g52 delay, echo) is absent */
    DNP3_TASK_IIN_NOT_CLEARED,     /**< the IIN bit the task should clear is still set */
    DNP3_TASK_NO_TIME_SOURCE,      /**< time sync without handler.utc_now (or it failed) */
    DNP3_TASK_DISCONNECTED,        /**< the connection went down while the task ran */
    DNP3_TASK_START_TIMEOUT,       /**< the task could not start within task_start_timeout_ms */
    DNP3_TASK_CANCELLED,           /**< the association was removed */
    DNP3_TASK_TOO_LARGE,           /**< the request does not fit the channel's max_tx_fragment */
    DNP3_TASK_UNSUPPORTED,         /**< e.g.\ an AUTH_RESPONSE (secure authentication not available) */
    DNP3_TASK_AUTH_FAILED,         /**< Secure Authentication failed (sa_error: the g120v7 code, 0 = local) */
    DNP3_TASK_RESULT_COUNT         /**< number of results (not a result) */
} dnp3_task_result;

/** "SUCCESS", "TIMEOUT", ... (never NULL; "UNKNOWN" for other values). */
DNP3_API const char *dnp3_task_result_name(dnp3_task_result r);
/** One-line English description of a result (never NULL). */
DNP3_API const char *dnp3_task_result_str(dnp3_task_result r);
/** "integrity_poll", "command", ... (never NULL; "unknown" for other values). */
DNP3_API const char *dnp3_task_kind_name(dnp3_task_kind k);

/** What a task reports when it ends (valid only during the callback). */
typedef struct {
    dnp3_task_kind kind;     /**< what the task did */
    bool automatic;          /**< started by the scheduler, not by a user call */
    dnp3_task_result result; /**< how it ended */
    uint16_t address;        /**< outstation link address */
    uint8_t function;        /**< function code of the last request sent (0 if none was sent) */
    bool have_iin;           /**< a response was received */
    uint16_t iin;            /**< IIN of the last response of the task */
    /** commands: one status per command object, in request order (from the
     * OPERATE / DIRECT_OPERATE response, or from the SELECT response when the
     * select failed); n_statuses = 0 when no echo was received (no-ack, timeout). */
    const uint8_t *statuses;
    size_t n_statuses;            /**< number of entries in statuses */
    uint32_t restart_delay_ms;    /**< cold/warm restart: g52 delay (g52v1 seconds x 1000) */
    int64_t propagation_ms;       /**< non-LAN time sync: (D - A - outstation delay) / 2 (>= 0) */
    dnp3_time48 time_written;     /**< time sync: the g50 value written */
    dnp3_parse_error parse_error; /**< DNP3_TASK_MALFORMED: what and where */
    uint8_t sa_error;             /**< DNP3_TASK_AUTH_FAILED: g120v7 error code (0 = failed locally) */
    const uint8_t *objects; /**< the object area of the task's final response (NULL if none; e.g.\ g70 answers) */
    size_t objects_len;     /**< octets at objects */
    dnp3_tstamp now;        /**< the `now` of the call that ended the task (to submit a follow-up task) */
} dnp3_task_info;

/** A task's own callback (the `cb` of the user task functions): runs once when the task ends, with the `ctx` given
 * there. */
typedef void (*dnp3_task_cb)(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);

/* ---- received data ---- */

/** Marks around the measurements of one received fragment. */
typedef struct {
    uint16_t address; /**< outstation link address */
    bool unsolicited; /**< function 0x82 */
    bool fir, fin;    /**< first / last fragment of the response */
    /** \var dnp3_rx_info::fir
     * First fragment of the response (FIR). */
    uint8_t seq;         /**< application sequence number of the fragment */
    uint16_t iin;        /**< IIN of the fragment */
    dnp3_task_kind task; /**< the task the (solicited) response belongs to */
    /** defer_confirm: non-zero when this fragment asked for a confirm and the master holds
     * it until dnp3_master_release_confirm(a, confirm_token, now); 0 = nothing held
     * (no CON, or the confirm went out already) */
    uint32_t confirm_token;
} dnp3_rx_info;

/**
 * One object of a response, in the order received. For fixed-size and packed
 * objects `point` holds the full decode (dnp3_point_decode) and type, index,
 * value, flags, time are copied out of it. Relative-time events (g2v3, g4v3)
 * get time = CTO + offset with time_kind ABSOLUTE and from_cto set when a
 * g51 object preceded them in the same fragment; otherwise time_kind stays
 * DNP3_TIME_RELATIVE with the raw 16-bit offset. Octet strings (g110..g113),
 * device attributes (g0) and free-format objects carry their octets instead
 * (point NULL); a device attribute has index = attribute set, variation =
 * attribute code, attr_type = data type, octets = value, and value = the
 * number for UINT/INT/FLT attributes.
 */
typedef struct {
    dnp3_point_type type;     /**< the measurement type */
    uint8_t group, variation; /**< object variation (g0: the attribute code) */
    /** \var dnp3_measurement::group
     * Object group. */
    bool event;               /**< an event variation */
    uint32_t index;           /**< point index (g0: the attribute set) */
    double value;             /**< the value (g0: the number for UINT/INT/FLT attributes) */
    bool has_flags;           /**< flags is meaningful */
    uint8_t flags;            /**< flags (DNP3_FLAG_*) */
    dnp3_time_kind time_kind; /**< what time holds */
    dnp3_time48 time;         /**< absolute time, or the raw 16-bit offset (DNP3_TIME_RELATIVE) */
    bool from_cto;            /**< time = CTO + relative offset */
    bool cto_unsynchronized;  /**< ... and the CTO was g51v2 */
    const dnp3_point *point;  /**< NULL for octet strings, attributes, free format */
    const uint8_t *octets;    /**< octet strings, attributes, free format: the octets (else NULL) */
    size_t octets_len;        /**< number of octets */
    uint8_t attr_type;        /**< dnp3_attr_type (g0 only) */
} dnp3_measurement;

/** Callbacks shared by all associations of a master; any may be NULL. */
typedef struct {
    /** a received fragment with measurements begins (before its first measurement) */
    void (*fragment_begin)(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);
    /** one object of the fragment, in the order received (valid only during the call) */
    void (*measurement)(void *ctx, dnp3_master_assoc *a, const dnp3_measurement *m);
    /** the fragment's measurements are done */
    void (*fragment_end)(void *ctx, dnp3_master_assoc *a, const dnp3_rx_info *info);
    /** every task's end, automatic or not (after the task's own callback) */
    void (*task_done)(void *ctx, dnp3_master_assoc *a, const dnp3_task_info *info);
    /** wall-clock UTC in ms since 1970 for time sync; return false if unknown */
    bool (*utc_now)(void *ctx, dnp3_time48 *out);
    /** a fragment came from a link address without an association (e.g.\ an outstation
     * dialling in): the callback may dnp3_master_add_assoc one, and the fragment is
     * then delivered to it */
    void (*unknown_source)(void *ctx, dnp3_master *m, uint16_t address);
    void *ctx; /**< first argument of every callback above */
} dnp3_master_handler;

/* ---- configuration ---- */

/** Configuration of a master: set it up with dnp3_master_config_init. */
typedef struct {
    uint32_t size;                /**< sizeof(dnp3_master_config); set by dnp3_master_config_init */
    size_t max_associations;      /**< default 1 */
    size_t user_queue_len;        /**< queued user tasks per association (default 4, >= 1) */
    size_t task_buffer_size;      /**< object octets per queued user task (default 512, >= 32) */
    size_t max_command_objects;   /**< command objects per request (default 32, >= 1) */
    bool one_request_per_channel; /**< serial multi-drop: one request outstanding on the whole line */
    dnp3_master_handler handler;  /**< callbacks for every association (all NULL by default) */
} dnp3_master_config;

/** How the master synchronises an outstation's clock. */
typedef enum {
    DNP3_TIMESYNC_NONE = 0, /**< never synchronise automatically */
    DNP3_TIMESYNC_LAN,      /**< RECORD_CURRENT_TIME, then WRITE g50v3 (docs/protocol-notes.md §5.6) */
    DNP3_TIMESYNC_NON_LAN,  /**< DELAY_MEASURE, then WRITE g50v1 + propagation delay */
} dnp3_timesync_mode;

/** Configuration of one association: set it up with dnp3_assoc_config_init. */
typedef struct {
    uint32_t size;                  /**< sizeof(dnp3_assoc_config); set by dnp3_assoc_config_init */
    uint16_t address;               /**< outstation link address (default 10) */
    void *user;                     /**< returned by dnp3_master_assoc_user */
    uint32_t response_timeout_ms;   /**< default 5000 */
    uint32_t task_start_timeout_ms; /**< queued user task not started by then fails (default 10000) */
    uint32_t retry_min_ms;          /**< automatic task back-off: first delay (default 5000) */
    uint32_t retry_max_ms;          /**< ... doubling up to (default 60000) */
    /** \name start-up sequence on every connect; a 0 mask skips the step */
    /** @{ */
    uint8_t startup_disable_unsol; /**< default DNP3_CLASS_123 */
    uint8_t startup_integrity;     /**< default DNP3_CLASS_ALL (read order 1, 2, 3, 0) */
    uint8_t startup_enable_unsol;  /**< default DNP3_CLASS_123 */
    /** @} */
    /** \name periodic polls, 0 = off (all default 0) */
    /** @{ */
    uint32_t integrity_period_ms; /**< integrity poll period in ms */
    uint32_t class_period_ms[3];  /**< classes 1, 2, 3 */
    /** @} */
    /** \name IIN reactions */
    /** @{ */
    bool clear_restart;           /**< DEVICE_RESTART -> WRITE g80v1 idx 7 = 0 (default true) */
    bool restart_reruns_startup;  /**< DEVICE_RESTART after start-up -> start-up again (default true) */
    bool integrity_on_overflow;   /**< EVENT_BUFFER_OVERFLOW -> integrity poll (default true) */
    uint8_t event_poll_on_iin;    /**< CLASS_n_EVENTS classes that trigger an event poll (default 1|2|3) */
    dnp3_timesync_mode time_sync; /**< NEED_TIME reaction (default NON_LAN) */
    /** @} */
    /** Hold the application confirm of every response to a READ (and of every unsolicited
     * response) that asks for one until the application calls dnp3_master_release_confirm
     * with the fragment's dnp3_rx_info::confirm_token, e.g. after it stored the measurements
     * (default false: confirmed as soon as the objects are validated). While a confirm is
     * held the association starts no new request; a held confirm not released within
     * response_timeout_ms is dropped (the outstation keeps the events and reports them again). */
    bool defer_confirm;
} dnp3_assoc_config;

/** Counters of an association (dnp3_master_assoc_get_stats). */
typedef struct {
    uint64_t requests_sent;          /**< requests queued on the channel */
    uint64_t confirms_sent;          /**< application confirms queued */
    uint64_t fragments_rx;           /**< fragments routed to the association */
    uint64_t unsolicited_rx;         /**< unsolicited responses received */
    uint64_t unsolicited_duplicates; /**< confirmed again, not delivered */
    uint64_t unsolicited_malformed;  /**< dropped, not confirmed */
    uint64_t unexpected_responses;   /**< solicited fragment while no task waited, or stale SEQ */
    uint64_t duplicate_fragments;    /**< repeated fragment of a response series (ignored) */
    uint64_t tasks_succeeded;        /**< tasks ended with DNP3_TASK_SUCCESS */
    uint64_t tasks_failed;           /**< tasks ended with any other result */
    uint64_t confirms_deferred;      /**< defer_confirm: confirms held for the application */
    uint64_t confirms_dropped;       /**< ... not released in time, or the series moved on */
} dnp3_master_assoc_stats;

/** Counters of a master (dnp3_master_get_stats). */
typedef struct {
    uint64_t fragments_unknown_source; /**< no association has the source address */
    uint64_t send_blocked;             /**< channel output queue was full */
} dnp3_master_stats;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_master_config)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_master_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_master_config_init_size(dnp3_master_config *c, size_t size);
/** Fills *c with the defaults listed above. */
static inline void dnp3_master_config_init(dnp3_master_config *c)
{
    dnp3_master_config_init_size(c, sizeof *c);
}
/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_assoc_config)): a program built against an older, smaller header gets its own fields and nothing
 * is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_assoc_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_assoc_config_init_size(dnp3_assoc_config *c, size_t size);
/** Fills *c with the defaults listed above (outstation address 10, timeouts, start-up masks, IIN reactions). */
static inline void dnp3_assoc_config_init(dnp3_assoc_config *c)
{
    dnp3_assoc_config_init_size(c, sizeof *c);
}

/**
 * Octets one master with this configuration needs (associations, user task
 * queues and a request buffer). Returns 0 if the configuration is invalid
 * (bad size field, 0 associations, queue/buffer below the minimums).
 * The accepted ranges: max_associations 1..0xFFFFFF, user_queue_len 1..1024,
 * task_buffer_size 32..65535, max_command_objects 1..65535.
 */
DNP3_API size_t dnp3_master_memory_size(const dnp3_master_config *c);
/** Why a master configuration is refused: DNP3_OK, or DNP3_ERR_CONFIG with *field (if field is not
 * NULL) set to the first bad field: "size", "max_associations", "user_queue_len",
 * "task_buffer_size", "max_command_objects" ("config" for NULL). For a valid
 * configuration *field is set to NULL. */
DNP3_API int dnp3_master_config_check(const dnp3_master_config *c, const char **field);
/** The same for an association configuration: "size", "address", "response_timeout_ms",
 * "retry_min_ms", "retry_max_ms", "time_sync" ("config" for NULL). Returns DNP3_OK or
 * DNP3_ERR_CONFIG; for a valid configuration *field is set to NULL. */
DNP3_API int dnp3_assoc_config_check(const dnp3_assoc_config *c, const char **field);

/**
 * Builds a master in mem[0..size) (aligned for max_align_t) that sends on
 * `ch` (a channel configured with is_master = true whose on_fragment is
 * dnp3_master_on_fragment with ctx = mem; set accept_any_remote for more than
 * one association). The master starts disconnected. Returns the master
 * (== mem), or NULL when ch is NULL, the memory is too small or misaligned or
 * the configuration is invalid.
 */
DNP3_API dnp3_master *dnp3_master_init(void *mem, size_t size, const dnp3_master_config *c, dnp3_channel *ch,
                                       dnp3_tstamp now);

/**
 * Adds an association for an outstation address. If the master is connected
 * its start-up sequence begins at once. Returns the association, or NULL if
 * the configuration is invalid, the address is in use or no slot is free.
 * Invalid: m or c NULL, a bad size field, an address above 0xFFEF,
 * response_timeout_ms or retry_min_ms 0, retry_max_ms below retry_min_ms, an
 * unknown time_sync mode. An address stays in use while its association is
 * being removed.
 */
DNP3_API dnp3_master_assoc *dnp3_master_add_assoc(dnp3_master *m, const dnp3_assoc_config *c, dnp3_tstamp now);

/**
 * Removes an association: its running and queued tasks end with
 * DNP3_TASK_CANCELLED (callbacks run). Inside a callback the slot is freed at
 * the end of the outermost call. Returns DNP3_OK or DNP3_ERR_INVALID_ARG.
 */
DNP3_API int dnp3_master_remove_assoc(dnp3_master_assoc *a, dnp3_tstamp now);

/** Returns the association for a link address, or NULL. */
DNP3_API dnp3_master_assoc *dnp3_master_find_assoc(dnp3_master *m, uint16_t address);

/** \name Accessors; each returns 0 / NULL / false for a NULL argument. */
/** @{ */
/** Returns the association's address / user pointer / owning master / last IIN received (0 if none):
 * this one the outstation link address. */
DNP3_API uint16_t dnp3_master_assoc_address(const dnp3_master_assoc *a);
/** Returns the association's user pointer (dnp3_assoc_config::user). */
DNP3_API void *dnp3_master_assoc_user(const dnp3_master_assoc *a);
/** Returns the master that owns the association. */
DNP3_API dnp3_master *dnp3_master_assoc_master(const dnp3_master_assoc *a);
/** Returns the IIN of the last response received (0 if none). */
DNP3_API uint16_t dnp3_master_assoc_iin(const dnp3_master_assoc *a);
/** Returns true while a request of this association awaits its response. */
DNP3_API bool dnp3_master_assoc_busy(const dnp3_master_assoc *a);
/** Returns the number of user tasks queued on the association, the running one included. */
DNP3_API size_t dnp3_master_assoc_queued(const dnp3_master_assoc *a);
/** Returns true once the start-up sequence has completed since the last connect. */
DNP3_API bool dnp3_master_assoc_started(const dnp3_master_assoc *a);
/** Returns the association's counters (NULL only for a NULL association). */
DNP3_API const dnp3_master_assoc_stats *dnp3_master_assoc_get_stats(const dnp3_master_assoc *a);
/** Returns the master's counters (NULL only for a NULL master). */
DNP3_API const dnp3_master_stats *dnp3_master_get_stats(const dnp3_master *m);
/** @} */

/**
 * The connection is up: every association restarts its session (start-up
 * sequence, periodic timers from `now`, unsolicited duplicate memory
 * cleared) and the scheduler runs. Returns DNP3_OK, DNP3_ERR_INVALID_ARG
 * (m NULL) or DNP3_ERR_STATE (called from a callback).
 */
DNP3_API int dnp3_master_on_connect(dnp3_master *m, dnp3_tstamp now);

/**
 * The connection is down: running tasks end with DNP3_TASK_DISCONNECTED,
 * automatic tasks stop, queued user tasks wait (task_start_timeout_ms) for
 * the next connect. Returns DNP3_OK, DNP3_ERR_INVALID_ARG or DNP3_ERR_STATE
 * (called from a callback).
 */
DNP3_API int dnp3_master_on_disconnect(dnp3_master *m, dnp3_tstamp now);

/** Returns true between dnp3_master_on_connect and dnp3_master_on_disconnect. */
DNP3_API bool dnp3_master_connected(const dnp3_master *m);

/**
 * The channel's fragment callback (dnp3_channel_fragment_fn; ctx = the
 * master). Routes the fragment by link source address; handles responses,
 * unsolicited responses, confirms and the scheduler. Never fails: problems end
 * the running task with a reason or are counted in the stats. Fragments sent
 * to a broadcast address are ignored (docs/protocol-notes.md §1.2), and so is a call from inside
 * a master callback (as dnp3_master_handle_apdu refuses it).
 */
DNP3_API void dnp3_master_on_fragment(void *ctx, const dnp3_channel_fragment *f, dnp3_tstamp now);

/**
 * Same as dnp3_master_on_fragment for callers that hold an APDU directly
 * (tests, other transports). Returns DNP3_OK, DNP3_ERR_INVALID_ARG or
 * DNP3_ERR_STATE (called from a callback: the fragment is not processed).
 */
DNP3_API int dnp3_master_handle_apdu(dnp3_master *m, uint16_t src, const uint8_t *apdu, size_t len,
                                     dnp3_tstamp now);

/** Returns the next deadline (ms) at which dnp3_master_handle_expiry must run, or DNP3_TSTAMP_NEVER. */
DNP3_API dnp3_tstamp dnp3_master_get_expiry(const dnp3_master *m);

/**
 * Runs what is due at `now`: response timeouts, user task start timeouts,
 * periodic polls and retries, and sends the next requests. Returns DNP3_OK,
 * DNP3_ERR_INVALID_ARG or DNP3_ERR_STATE (called from a callback).
 */
DNP3_API int dnp3_master_handle_expiry(dnp3_master *m, dnp3_tstamp now);

/**
 * defer_confirm: sends the CONFIRM held for the fragment whose dnp3_rx_info
 * carried `token` (SEQ and UNS of that fragment). May be called from a
 * callback (e.g. fragment_end). Returns DNP3_OK (sent or queued),
 * DNP3_ERR_INVALID_ARG (NULL association, token 0) or DNP3_ERR_STATE: the
 * token is no longer held (released already, dropped after
 * response_timeout_ms, the series ended with an error, a newer fragment
 * replaced it, or the connection went down) and nothing is sent. Called
 * outside the runtime's callbacks, drain the channel afterwards as after any
 * call (with dnp3/io_roles.h: dnp3_io_master_kick).
 */
DNP3_API int dnp3_master_release_confirm(dnp3_master_assoc *a, uint32_t token, dnp3_tstamp now);

/**
 * \name User tasks
 * Every function below queues one task on the association and returns
 * DNP3_OK (the callback `cb`, which may be NULL, runs when the task ends),
 * DNP3_ERR_INVALID_ARG (bad arguments or objects that do not parse for the
 * function), DNP3_ERR_BUFFER_TOO_SMALL (the objects exceed task_buffer_size
 * or max_command_objects) or DNP3_ERR_STATE (the association's user queue is
 * full or the association is being removed). User tasks run before automatic
 * polls, in the order queued. */
/** @{ */

/** READ with caller-built object headers (e.g.\ written with dnp3_apdu_header_range).
 * DNP3_ERR_INVALID_ARG when len is 0 or the headers do not validate as a READ. */
DNP3_API int dnp3_master_read(dnp3_master_assoc *a, const uint8_t *headers, size_t len, dnp3_task_cb cb, void *ctx,
                              dnp3_tstamp now);

/** READ of class data: classes is a DNP3_CLASS_* mask (read order 1, 2, 3, 0; DNP3_CLASS_ALL = integrity).
 * DNP3_ERR_INVALID_ARG for an empty mask or bits outside DNP3_CLASS_ALL. */
DNP3_API int dnp3_master_read_class(dnp3_master_assoc *a, uint8_t classes, dnp3_task_cb cb, void *ctx,
                                    dnp3_tstamp now);

/** How a command is executed. */
typedef enum {
    DNP3_CMD_SELECT_OPERATE = 0, /**< SELECT, then OPERATE with identical objects (SEQ + 1) */
    DNP3_CMD_DIRECT_OPERATE,     /**< DIRECT_OPERATE */
    DNP3_CMD_DIRECT_OPERATE_NR,  /**< DIRECT_OPERATE_NR: no response; succeeds once queued */
} dnp3_command_mode;

/** One command object: a CROB (g12v1) or an analog output block (g41v1..v4). */
typedef struct {
    uint8_t group;     /**< 12 or 41 */
    uint8_t variation; /**< 1 for g12; 1..4 for g41 */
    uint32_t index;    /**< point index */
    dnp3_crob crob;    /**< g12: code (TCC | CR | op type), count, on/off ms; status ignored */
    double value;      /**< g41 */
} dnp3_command;

/** Returns a CROB command object (g12v1) for dnp3_master_operate. */
static inline dnp3_command dnp3_command_crob(uint32_t index, uint8_t code, uint8_t count, uint32_t on_ms,
                                             uint32_t off_ms)
{
    dnp3_command c = {12, 1, index, {code, count, on_ms, off_ms, 0}, 0};
    return c;
}

/** Returns an analog output command object (g41v<variation>) for dnp3_master_operate. */
static inline dnp3_command dnp3_command_analog(uint32_t index, uint8_t variation, double value)
{
    dnp3_command c = {41, variation, index, {0, 0, 0, 0, 0}, value};
    return c;
}

/**
 * Sends n command objects in one request; consecutive objects of the same
 * group/variation share one header. qualifier is DNP3_QUAL_COUNT_8_INDEX_8
 * (0x17, indices < 256) or DNP3_QUAL_COUNT_16_INDEX_16 (0x28); 0 means 0x28.
 * The response must echo every object (status aside) or the task fails with
 * DNP3_TASK_ECHO_MISMATCH; any status other than SUCCESS gives
 * DNP3_TASK_COMMAND_STATUS (SBO: a failed SELECT is not followed by OPERATE).
 * DNP3_ERR_INVALID_ARG for cmds NULL, n 0, an unknown mode, a command object
 * that is not valid (group, variation) or an index the qualifier cannot
 * carry (> 255 with 0x17, > 65535); DNP3_ERR_BUFFER_TOO_SMALL for n above
 * max_command_objects or a request larger than the master's buffer.
 */
DNP3_API int dnp3_master_operate(dnp3_master_assoc *a, dnp3_command_mode mode, uint8_t qualifier,
                                 const dnp3_command *cmds, size_t n, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);

/**
 * Freeze: fc is DNP3_FC_IMMED_FREEZE(_NR), DNP3_FC_FREEZE_CLEAR(_NR) or
 * DNP3_FC_FREEZE_AT_TIME(_NR). headers are the request's object headers: counters (g20) or
 * analog inputs (g30, into frozen analog inputs g31), with FREEZE_AT_TIME preceded by one g50v2
 * (time and interval; dnp3_master_freeze_headers builds them); NULL/0 means all counters
 * (g20v0, qualifier 06) for the other functions. The _NR forms succeed once queued.
 * DNP3_ERR_INVALID_ARG for another fc, FREEZE_AT_TIME without headers, or headers that do not
 * validate for fc.
 */
DNP3_API int dnp3_master_freeze(dnp3_master_assoc *a, uint8_t fc, const uint8_t *headers, size_t len,
                                dnp3_task_cb cb, void *ctx, dnp3_tstamp now);

/**
 * Builds the headers of a freeze (dnp3_master_freeze) into out: with `at_time`, first g50v2
 * (qualifier 07, one object: `utc` ms since 1970, 0 = now, and `interval_ms`, 0 = once), then the
 * points of `group` (20 counters or 30 analog inputs): all (qualifier 06) when all is true, else
 * start..stop (qualifier 00 or 01 by size). Returns the length written, or DNP3_ERR_INVALID_ARG
 * (another group, start > stop) / DNP3_ERR_BUFFER_TOO_SMALL (cap < 27 is always enough).
 */
DNP3_API int dnp3_master_freeze_headers(uint8_t *out, size_t cap, uint8_t group, bool all, uint16_t start,
                                        uint16_t stop, bool at_time, dnp3_time48 utc, uint32_t interval_ms);

/** COLD_RESTART (warm = false) or WARM_RESTART; info.restart_delay_ms reports the g52 delay. */
DNP3_API int dnp3_master_restart(dnp3_master_assoc *a, bool warm, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);

/** WRITE with caller-built objects (validated as a WRITE request; DNP3_ERR_INVALID_ARG when len is 0 or they do
 * not validate). */
DNP3_API int dnp3_master_write(dnp3_master_assoc *a, const uint8_t *objects, size_t len, dnp3_task_cb cb,
                               void *ctx, dnp3_tstamp now);

/** WRITE of one octet string g110v<len> (len 1..255) at `index` (qualifier 0x17 or 0x28).
 * DNP3_ERR_INVALID_ARG for data NULL, len 0 or above 255, index above 65535. */
DNP3_API int dnp3_master_write_octet_string(dnp3_master_assoc *a, uint32_t index, const uint8_t *data, size_t len,
                                            dnp3_task_cb cb, void *ctx, dnp3_tstamp now);

/**
 * Changes the update key of the association's SA user with the parameters
 * given to dnp3_sa_master_begin_update_key (symmetric method, IEEE 1815-2012
 * clause 7): g120v11 -> g120v12, g120v13 + g120v15 -> g120v15. On success the
 * master uses the new key and re-establishes session keys with it. Fails with
 * DNP3_ERR_STATE when no SA is attached or no change was prepared.
 */
DNP3_API int dnp3_master_change_update_key(dnp3_master_assoc *a, dnp3_task_cb cb, void *ctx, dnp3_tstamp now);

/**
 * READ of device attributes: g0v<variation> (254 = all, 255 = list) of
 * attribute set `set` (0 = standard). Each attribute reaches
 * handler.measurement (type DNP3_POINT_DEVICE_ATTRIBUTE).
 * DNP3_ERR_INVALID_ARG for variation 0.
 */
DNP3_API int dnp3_master_read_attributes(dnp3_master_assoc *a, uint8_t set, uint8_t variation, dnp3_task_cb cb,
                                         void *ctx, dnp3_tstamp now);

/** Time synchronisation now (mode LAN or NON_LAN; DNP3_ERR_INVALID_ARG for any other mode). */
DNP3_API int dnp3_master_time_sync(dnp3_master_assoc *a, dnp3_timesync_mode mode, dnp3_task_cb cb, void *ctx,
                                   dnp3_tstamp now);

/** ENABLE_UNSOLICITED (enable = true) or DISABLE_UNSOLICITED for the classes 1..3 in `classes`.
 * DNP3_ERR_INVALID_ARG when classes holds none of DNP3_CLASS_1..3, or other bits. */
DNP3_API int dnp3_master_set_unsolicited(dnp3_master_assoc *a, bool enable, uint8_t classes, dnp3_task_cb cb,
                                         void *ctx, dnp3_tstamp now);

/**
 * Any other request: function fc with caller-built objects (may be empty for
 * functions without objects). Not for CONFIRM, responses, SELECT/OPERATE
 * (use dnp3_master_operate) or AUTH functions. No-response functions
 * (*_NR) succeed once queued. Responses to READ reach handler.measurement.
 * DNP3_ERR_INVALID_ARG for an undefined fc, a response, CONFIRM, SELECT,
 * OPERATE, AUTH_REQUEST(_NO_ACK), objects given to a function that takes
 * none, or objects that do not validate for fc.
 */
DNP3_API int dnp3_master_request(dnp3_master_assoc *a, uint8_t fc, const uint8_t *objects, size_t len,
                                 dnp3_task_cb cb, void *ctx, dnp3_tstamp now);
/** @} */

/** \name File transfer (IEEE 1815-2012 group 70; docs/master.md) */
/** @{ */

/** What a file transfer does. */
typedef enum {
    DNP3_FILE_OP_GET = 0, /**< OPEN_FILE (READ), READ g70v5 block by block, CLOSE_FILE */
    DNP3_FILE_OP_PUT,     /**< OPEN_FILE (WRITE), WRITE g70v5 block by block, CLOSE_FILE */
    DNP3_FILE_OP_DELETE,  /**< DELETE_FILE */
    DNP3_FILE_OP_INFO,    /**< GET_FILE_INFO (g70v7) */
    DNP3_FILE_OP_LIST,    /**< a directory: OPEN_FILE (READ), its blocks parsed as g70v7 descriptors, CLOSE_FILE */
} dnp3_file_op;

/** How a file transfer ended (valid only during dnp3_file_handler::done). */
typedef struct {
    dnp3_file_op op;            /**< what was asked */
    bool ok;                    /**< every request succeeded, status SUCCESS and (GET, LIST) every block up to LAST
                                     arrived in order with, for a file, exactly the size OPEN_FILE announced */
    dnp3_task_result task;      /**< the last request's task result (SUCCESS when it was answered) */
    dnp3_file_status status;    /**< the outstation's g70v4/v6 status of the step that failed (SUCCESS if none) */
    uint32_t size;              /**< GET / LIST: size announced by OPEN_FILE; PUT: octets written */
    uint64_t octets;            /**< data octets transferred */
    uint32_t blocks;            /**< blocks transferred */
    const dnp3_file_info *info; /**< INFO: the descriptor (NULL otherwise) */
} dnp3_file_result;

/** Callbacks of one file transfer; any may be NULL except fill for PUT. */
typedef struct {
    /** GET: block `block` of the file arrived (len octets, in order). Return false to stop (CLOSE_FILE
     * is still sent; the result is not ok). */
    bool (*data)(void *ctx, uint32_t block, const uint8_t *data, size_t len);
    /** PUT: supply block `block` (at most cap octets, the same cap every time) into buf; return its
     * length (or -1 to stop) and set *last on the final block. After a lost answer the same block is
     * asked for again: fill must give the same octets (e.g.\ read at offset block * cap). */
    long (*fill)(void *ctx, uint32_t block, uint8_t *buf, size_t cap, bool *last);
    /** LIST: one directory entry. */
    void (*entry)(void *ctx, const dnp3_file_info *info);
    /** After every block (GET, PUT, LIST): octets so far and the total (0 = unknown). */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    /** Once, at the end. */
    void (*done)(void *ctx, const dnp3_file_result *result);
    void *ctx; /**< first argument of every callback above */
} dnp3_file_handler;

/** One file transfer in progress: caller memory, filled by dnp3_master_file_start (fields private). */
typedef struct {
    dnp3_master_assoc *assoc;          /**< private */
    dnp3_file_handler h;               /**< private */
    dnp3_file_op op;                   /**< private */
    bool active;                       /**< true while the transfer runs (read-only) */
    uint8_t step;                      /**< private */
    uint16_t name_len;                 /**< private */
    char name[DNP3_FILE_NAME_MAX + 1]; /**< private */
    uint16_t block_size;               /**< private: asked, then granted */
    uint16_t permissions;              /**< private */
    uint16_t req_id;                   /**< private */
    uint32_t handle;                   /**< private */
    uint32_t block;                    /**< private: next block */
    uint32_t size;                     /**< private */
    uint64_t octets;                   /**< private */
    bool last;                         /**< private */
    bool failed;                       /**< private */
    uint8_t retries;                   /**< private: of the current step */
    dnp3_file_status status;           /**< private */
    dnp3_task_result task;             /**< private */
    dnp3_file_info info;               /**< private */
} dnp3_file_transfer;

/**
 * Starts a file transfer on association a: op on `name` (name_len octets, at most
 * DNP3_FILE_NAME_MAX), blocks of at most block_size octets (0 = the largest the outstation
 * grants; PUT: also at most the master's task_buffer_size - 14), PUT: file_size octets with
 * the given permissions. Each step is a user task (dnp3_master_request); ft must stay valid until
 * handler.done has run. Returns DNP3_OK, DNP3_ERR_INVALID_ARG (NULL, an unknown op, a bad name,
 * PUT without fill), DNP3_ERR_STATE (ft already active) or a submission error.
 */
DNP3_API int dnp3_master_file_start(dnp3_master_assoc *a, dnp3_file_transfer *ft, dnp3_file_op op,
                                    const char *name, size_t name_len, uint16_t block_size, uint32_t file_size,
                                    uint16_t permissions, const dnp3_file_handler *handler, dnp3_tstamp now);

/**
 * The same, for an outstation that demands file authentication: AUTHENTICATE_FILE (g70v2) with
 * `user` (1..DNP3_FILE_NAME_MAX octets) and `password` (0..DNP3_FILE_NAME_MAX octets) first; the
 * key the outstation returns goes into the OPEN_FILE or DELETE_FILE (GET_FILE_INFO carries none:
 * an INFO skips the step). A key of 0 ends the transfer with DNP3_FILE_PERMISSION_DENIED. The
 * password is not kept: the request is built at once and the local copy wiped. Returns as
 * dnp3_master_file_start, DNP3_ERR_INVALID_ARG also for a missing or over-long user or password.
 */
DNP3_API int dnp3_master_file_start_auth(dnp3_master_assoc *a, dnp3_file_transfer *ft, dnp3_file_op op,
                                         const char *name, size_t name_len, uint16_t block_size,
                                         uint32_t file_size, uint16_t permissions, const char *user,
                                         size_t user_len, const char *password, size_t password_len,
                                         const dnp3_file_handler *handler, dnp3_tstamp now);
/** @} */

#ifdef __cplusplus
}
#endif
#endif

/**
 * \file
 * dnp3/outstation.h - a sans-I/O DNP3 outstation (IEEE 1815-2012 clause 4
 * application layer, outstation side; object library Annex A).
 *
 * Two ways to drive it; both are single-threaded and allocation-free after
 * dnp3_outstation_init, and callbacks run only inside the call that causes them.
 *
 * \verbatim
   1. Application-fragment level (tests, custom transports):
        dnp3_outstation_receive(os, apdu, len, bcast, now)   request in
        dnp3_outstation_take(os, dst, cap, now)               next fragment out (loop until 0)

   2. Octet level, with the built-in channel (config.link_layer = true; what a
      libuv runtime uses):
        on connect:      dnp3_outstation_set_online(os, true, now)
        on bytes:        rc = dnp3_outstation_read(os, in, len, now)
        then, and after every update or timer:
                         while ((n = dnp3_outstation_write(os, buf, cap, now)) > 0) send(buf, n)
                         (each chunk is a whole fragment's frames: one write / one datagram)
        timer:           deadline = dnp3_outstation_get_expiry(os);
                         at the deadline rc = dnp3_outstation_handle_expiry(os, now)
        rc == DNP3_ERR_LINK_CLOSED: close the connection, then
                         dnp3_outstation_set_online(os, false, now)
   \endverbatim
 *
 * `now` is a monotonic millisecond clock. Wall-clock UTC (freeze times, time
 * synchronisation) only comes from callbacks.utc_now.
 *
 * Memory: dnp3_outstation_memory_size(config) octets, aligned like
 * max_align_t, provided by the caller: point database, event buffers, request
 * and response buffers and (optionally) the channel all live in that block.
 */
#ifndef DNP3_OUTSTATION_H
#define DNP3_OUTSTATION_H

#include "dnp3/export.h"
#include "dnp3/app.h"
#include "dnp3/channel.h"
#include "dnp3/file.h"
#include "dnp3/objects.h"
#include "dnp3/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The point types of an outstation database. */
typedef enum {
    DNP3_OS_BINARY_INPUT = 0,     /**< g1 static, g2 events */
    DNP3_OS_DOUBLE_BIT_INPUT,     /**< g3, g4 */
    DNP3_OS_BINARY_OUTPUT_STATUS, /**< g10, g11 */
    DNP3_OS_COUNTER,              /**< g20, g22 */
    DNP3_OS_FROZEN_COUNTER,       /**< g21, g23 */
    DNP3_OS_ANALOG_INPUT,         /**< g30, g32 */
    DNP3_OS_ANALOG_OUTPUT_STATUS, /**< g40, g42 */
    DNP3_OS_OCTET_STRING,         /**< g110, g111 */
    DNP3_OS_FROZEN_ANALOG_INPUT,  /**< g31, g33: analog inputs frozen by IMMED_FREEZE / FREEZE_AT_TIME on g30 */
    DNP3_OS_TYPE_COUNT            /**< number of types (not a type) */
} dnp3_os_type;

/** Per-type configuration (defaults for every point of the type). */
typedef struct {
    uint16_t count;           /**< number of points, indices 0..count-1 */
    uint8_t event_class;      /**< 0 = no events, 1..3 = event class */
    uint8_t static_variation; /**< default static variation (0 = the type's default) */
    uint8_t event_variation;  /**< default event variation (0 = the type's default) */
    bool in_class0;           /**< reported by class 0 / integrity polls (default true; per point:
                                 dnp3_outstation_set_class0) */
    uint16_t event_buffer;    /**< events kept for this type before the oldest is dropped */
    double deadband;          /**< counters, frozen counters, analogs: change that makes an event (0 = any) */
} dnp3_os_type_config;

/** Device attributes (group 0, set 0) reported as visible strings; NULL = not reported. */
typedef struct {
    const char *vendor;        /**< v252 manufacturer name */
    const char *model;         /**< v250 product name and model */
    const char *sw_version;    /**< v242 software version */
    const char *hw_version;    /**< v243 hardware version */
    const char *owner;         /**< v244 user-assigned owner name */
    const char *location;      /**< v245 user-assigned location */
    const char *id_code;       /**< v246 user-assigned ID code */
    const char *device_name;   /**< v247 user-assigned device name */
    const char *serial_number; /**< v248 device serial number */
    const char *subset;        /**< v249 DNP subset and conformance, e.g.\ "2:2012" */
} dnp3_os_attributes;

/** dnp3_outstation_config::unsol_retries value: retry an unconfirmed unsolicited response without limit (the
 * default). */
#define DNP3_OS_RETRY_FOREVER UINT32_MAX

/** \name Class masks (unsolicited classes). */
/** @{ */
#define DNP3_OS_CLASS1 0x01u /**< class 1 */
#define DNP3_OS_CLASS2 0x02u /**< class 2 */
#define DNP3_OS_CLASS3 0x04u /**< class 3 */
/** @} */

/**
 * Configuration of an outstation: set it up with dnp3_outstation_config_init
 * (every type with 0 points, event class 1, in class 0, 100 buffered events),
 * then give each type its point count and change what differs.
 */
typedef struct {
    uint32_t size; /**< sizeof(dnp3_outstation_config); set by dnp3_outstation_config_init */

    uint16_t link_addr;   /**< our link address (default 10) */
    uint16_t master_addr; /**< the master's link address (default 1) */

    dnp3_os_type_config types[DNP3_OS_TYPE_COUNT]; /**< per point type, indexed by dnp3_os_type */
    uint8_t octet_string_size;                     /**< largest octet-string point value, 1..255 (default 32) */

    size_t max_rx_fragment;      /**< largest request accepted, >= 249 (default 2048) */
    size_t max_tx_fragment;      /**< largest response fragment, 249..65535 (default 2048) */
    uint32_t select_timeout_ms;  /**< SELECT -> OPERATE window (default 5000) */
    uint32_t confirm_timeout_ms; /**< application confirm timeout (default 5000) */
    uint16_t max_controls;       /**< controls per request, the rest get TOO_MANY_OPS (0 = no limit; default 16) */

    bool unsolicited;              /**< unsolicited responses allowed (default false) */
    uint8_t unsol_classes;         /**< classes enabled at start-up (DNP3_OS_CLASSx mask; default 0) */
    uint32_t unsol_retries;        /**< identical retries after a confirm timeout (default forever) */
    uint32_t unsol_retry_delay_ms; /**< pause before a new series once retries are used up (default 5000) */

    bool need_time_at_start;      /**< assert NEED_TIME (IIN1.4) at start-up (default false) */
    uint32_t need_time_period_ms; /**< assert NEED_TIME again this long after a sync (0 = never) */
    uint16_t processing_delay_ms; /**< extra delay reported in g52v2 (DELAY_MEASURE), e.g.\ a serial turnaround */

    /** \name built-in channel (link + transport) */
    /** @{ */
    bool link_layer;             /**< embed a channel: dnp3_outstation_read/write (default true) */
    dnp3_channel_mode link_mode; /**< default DNP3_CHANNEL_STREAM (TCP) */
    bool self_addr;              /**< accept destination 0xFFFC (default false) */
    uint32_t keep_alive_ms;      /**< link-status keep-alive period (default 60000; 0 = off) */
    uint32_t link_timeout_ms;    /**< keep-alive answer timeout (default 1000) */
    /** @} */

    dnp3_os_attributes attr; /**< device attributes reported in group 0 (all NULL by default) */

    /** \name Security statistic events
     * Security statistic events (g122, IEEE 1815-2012 clause 7; docs/sa.md), reported once Secure
     * Authentication is attached (dnp3_sa.h, dnp3_outstation_set_sa): an event when a statistic has
     * grown by its threshold since its last event. */
    /** @{ */
    uint16_t sa_stat_event_buffer;   /**< events kept (default 32; 0 = no g122 events) */
    uint8_t sa_stat_event_class;     /**< 1..3 (default 3) */
    uint8_t sa_stat_event_variation; /**< 1 (count) or 2 (count and time; default) */
    /** @} */

    dnp3_framing_policy link_framing; /**< built-in channel: on a framing error (default by link_mode) */

    /** \name Command events
     * Binary and analog output command events (g13, g43; IEEE 1815-2012 Annex A): after each
     * control an OPERATE, DIRECT_OPERATE or DIRECT_OPERATE_NR passed to the application, the
     * commanded state (CROB: 1 for LATCH_ON, PULSE_ON or CLOSE, else 0) or value and the command
     * status it returned, with the UTC time of the control, reported by class polls and by a READ
     * of g13 / g43. */
    /** @{ */
    uint16_t command_event_buffer;      /**< events kept for g13 and for g43 each (default 0 = none) */
    uint8_t command_event_class;        /**< 1..3 (default 1) */
    uint8_t bo_command_event_variation; /**< g13: 1 (without time; default) or 2 (with time) */
    uint8_t ao_command_event_variation; /**< g43: 1..8 (default 1) */
    /** @} */

    /** \name Session rules
     * What this outstation, as one master's session, gets and may do. With several sessions on one
     * point database (dnp3_outstation_init_session) each session has its own rules. */
    /** @{ */
    uint8_t event_classes; /**< classes whose events this session buffers and reports (DNP3_OS_CLASSx mask;
                                default all three) */
    bool read_only;        /**< SELECT / OPERATE / DIRECT_OPERATE(_NR) are answered NOT_AUTHORIZED for every
                                object without reaching the application; what would change what every
                                session sees - ASSIGN_CLASS, freezes, restarts, WRITE of anything but
                                g80v1 (its own DEVICE_RESTART) - gets IIN2.0 NO_FUNC_CODE_SUPPORT, file
                                writes and deletes PERMISSION_DENIED (default false) */
    /** @} */

    /** An open file not used (read, written, closed) for this long is closed without keeping
     * what was written (file_close, keep = false); its handle is answered HANDLE_EXPIRED
     * afterwards (default 0 = open files do not expire). */
    uint32_t file_timeout_ms;

    /** \name built-in channel: confirmed user data and serial timing (dnp3_channel_config) */
    /** @{ */
    bool link_confirmed;              /**< send as CONFIRMED_USER_DATA after RESET_LINK_STATES (default false) */
    uint32_t link_confirm_timeout_ms; /**< ACK timeout, > 0 (default 2000) */
    uint32_t link_retries;            /**< resends after an ACK timeout, 0..255 (default 3) */
    uint32_t char_timeout_ms;         /**< serial mode: inter-character timeout (0 = off, default) */
    /** @} */
} dnp3_outstation_config;

/** How a control reaches the application. */
typedef enum {
    DNP3_CTRL_SELECT = 0,        /**< validate only; do not act */
    DNP3_CTRL_OPERATE,           /**< act: the matching SELECT succeeded */
    DNP3_CTRL_DIRECT_OPERATE,    /**< act without a SELECT */
    DNP3_CTRL_DIRECT_OPERATE_NR, /**< act, no response will be sent */
} dnp3_control_mode;

/** What the restart callback answers to COLD_RESTART / WARM_RESTART. */
typedef struct {
    bool supported;    /**< false: the restart function is answered with NO_FUNC_CODE_SUPPORT */
    bool milliseconds; /**< true: g52v2 (ms), false: g52v1 (s) */
    uint16_t delay;    /**< time until the outstation can be reached again */
} dnp3_restart_delay;

/** Which freeze the freeze callback reports. */
typedef enum {
    DNP3_FREEZE = 0,       /**< IMMED_FREEZE(_NR), and each freeze FREEZE_AT_TIME(_NR) scheduled */
    DNP3_FREEZE_AND_CLEAR, /**< FREEZE_CLEAR(_NR) */
} dnp3_freeze_kind;

/** Application callbacks; any of them may be NULL. */
typedef struct {
    uint32_t size; /**< sizeof(dnp3_outstation_callbacks) */
    void *ctx;     /**< first argument of every callback */
    /** CROB g12v1. Return the command status (SUCCESS when done or accepted). NULL: NOT_SUPPORTED. */
    dnp3_command_status (*crob)(void *ctx, dnp3_control_mode mode, uint16_t index, const dnp3_crob *crob);
    /** Analog output block g41v1..v4 (variation given). NULL: NOT_SUPPORTED. */
    dnp3_command_status (*analog_output)(void *ctx, dnp3_control_mode mode, uint16_t index, double value,
                                         uint8_t variation);
    /** Time written by the master (UTC ms). Return false to refuse (PARAMETER_ERROR). NULL: accepted. */
    bool (*write_time)(void *ctx, dnp3_time48 utc);
    /** COLD_RESTART (cold = true) / WARM_RESTART. NULL: not supported. */
    dnp3_restart_delay (*restart)(void *ctx, bool cold);
    /** Counters start..stop were frozen (and cleared) in the database; adjust the source if needed.
     * Freezes of analog inputs are reported by freeze_analog. */
    void (*freeze)(void *ctx, dnp3_freeze_kind kind, uint16_t start, uint16_t stop);
    /** Current UTC time in ms since 1970 (0 if unknown). NULL: always 0. */
    dnp3_time48 (*utc_now)(void *ctx);

    /** \name File transfer (group 70; docs/outstation.md). Without file_open every file function
     * (OPEN_FILE .. ABORT_FILE) is answered with NO_FUNC_CODE_SUPPORT. Names arrive exactly as sent:
     * name_len octets, not NUL-terminated, possibly containing anything (check them). */
    /** @{ */
    /** OPEN_FILE: open `name` for `mode` (READ, WRITE or APPEND) with blocks of at most block_size
     * octets. Set *handle (any value; the outstation keeps up to 4 open) and fill *info (type 0 for a
     * directory, whose READ then lists entries through file_dir_entry; size). */
    dnp3_file_status (*file_open)(void *ctx, const char *name, size_t name_len, dnp3_file_mode mode,
                                  uint16_t permissions, uint32_t block_size, uint32_t *handle,
                                  dnp3_file_info *info);
    /** Block `block` (0, 1, ...) of an open file: up to cap octets into buf, *len set, *last true for
     * the final block (an empty file has one empty last block). A block may be asked for again. */
    dnp3_file_status (*file_read)(void *ctx, uint32_t handle, uint32_t block, uint8_t *buf, size_t cap,
                                  size_t *len, bool *last);
    /** Block `block` of a file open for writing (blocks arrive in order; last = the final one). */
    dnp3_file_status (*file_write)(void *ctx, uint32_t handle, uint32_t block, const uint8_t *data, size_t len,
                                   bool last);
    /** CLOSE_FILE (keep = true) or ABORT_FILE / lost connection / a write closed before its last block
     * (keep = false: discard what was written). The handle is released whatever is returned. */
    dnp3_file_status (*file_close)(void *ctx, uint32_t handle, bool keep);
    /** DELETE_FILE. NULL: PERMISSION_DENIED. */
    dnp3_file_status (*file_delete)(void *ctx, const char *name, size_t name_len);
    /** GET_FILE_INFO: fill *info (name_len 0 = the name asked for). NULL: FILE_NOT_FOUND. */
    dnp3_file_status (*file_info)(void *ctx, const char *name, size_t name_len, dnp3_file_info *info);
    /** Entry `index` (0, 1, ...) of a directory opened for reading; FILE_NOT_FOUND after the last. */
    dnp3_file_status (*file_dir_entry)(void *ctx, uint32_t handle, uint32_t index, dnp3_file_info *info);
    /** AUTHENTICATE_FILE (g70v2): check a user name and password (as sent, not NUL-terminated);
     * return true with *key set to a non-zero authentication key, or false to refuse (key 0 is
     * answered). With this callback set, OPEN_FILE and DELETE_FILE must carry a key it issued on
     * this connection (the last 4 are kept; all are forgotten when the master goes), else they
     * are answered PERMISSION_DENIED. NULL: AUTHENTICATE_FILE is not supported and no key is
     * asked for. */
    bool (*file_authenticate)(void *ctx, const char *user, size_t user_len, const char *password,
                              size_t password_len, uint32_t *key);
    /** @} */
    /** Analog inputs start..stop were copied into frozen analog inputs start..stop with the time of
     * the freeze (IMMED_FREEZE(_NR) of g30, or a FREEZE_AT_TIME(_NR) schedule falling due; kind is
     * always DNP3_FREEZE: an analog input cannot be cleared). NULL: not told. */
    void (*freeze_analog)(void *ctx, dnp3_freeze_kind kind, uint16_t start, uint16_t stop);
} dnp3_outstation_callbacks;

/** What an update does about events. */
typedef enum {
    DNP3_EVENT_DETECT = 0, /**< an event if the state/flags changed or the deadband is exceeded */
    DNP3_EVENT_FORCE,      /**< always an event */
    DNP3_EVENT_SUPPRESS,   /**< never an event (the static value changes silently) */
} dnp3_event_mode;

/** Per-point settings (dnp3_outstation_configure_point). */
typedef struct {
    uint8_t event_class;      /**< 0..3 */
    uint8_t static_variation; /**< 0 = keep */
    uint8_t event_variation;  /**< 0 = keep */
    double deadband;          /**< change that makes an event (0 = any; must be >= 0) */
} dnp3_os_point_config;

/** An outstation, built by dnp3_outstation_init in caller memory (opaque). */
typedef struct dnp3_outstation dnp3_outstation;

/**
 * Fills the first `size` octets of *c with the defaults and sets c->size to `size` (at most
 * sizeof(dnp3_outstation_config)): a program built against an older, smaller header gets its own fields and
 * nothing is written past them. Does nothing when `size` does not reach past the size field. Called by
 * dnp3_outstation_config_init(), which passes the size the program was compiled with.
 */
DNP3_API void dnp3_outstation_config_init_size(dnp3_outstation_config *c, size_t size);
/** Fills *c with the defaults (see the field comments; no points configured). */
static inline void dnp3_outstation_config_init(dnp3_outstation_config *c)
{
    dnp3_outstation_config_init_size(c, sizeof *c);
}

/**
 * Octets one outstation with this configuration needs, or 0 if the
 * configuration is invalid (bad size field, fragment sizes out of range,
 * octet_string_size 0, an event class > 3, a variation the type does not have).
 * In full: c NULL or a size field outside what this library knows;
 * max_rx_fragment or max_tx_fragment outside 249..65535; octet_string_size 0
 * or too large for max_tx_fragment; an unknown link_mode; with
 * sa_stat_event_buffer set, sa_stat_event_class outside 1..3 or a g122
 * variation other than 1 or 2; with command_event_buffer set, command_event_class
 * outside 1..3 or a g13 / g43 variation it does not have; per type an event class above 3, a negative
 * deadband, or a static/event variation the type does not have.
 */
DNP3_API size_t dnp3_outstation_memory_size(const dnp3_outstation_config *c);
/**
 * Why an outstation configuration is refused: DNP3_OK, or DNP3_ERR_CONFIG with *field (if field
 * is not NULL) set to the first bad field: "size", "max_rx_fragment", "max_tx_fragment",
 * "octet_string_size", "link_mode", "link_framing", "link_confirm_timeout_ms", "link_retries",
 * "sa_stat_event_class",
 * "sa_stat_event_variation", "command_event_class", "bo_command_event_variation",
 * "ao_command_event_variation", "types[TYPE].event_class", "types[TYPE].static_variation",
 * "types[TYPE].event_variation" (TYPE: binary_input, ..., octet_string), "types[].deadband"
 * ("config" for NULL).
 */
DNP3_API int dnp3_outstation_config_check(const dnp3_outstation_config *c, const char **field);

/**
 * Builds an outstation in mem[0..size) (aligned like max_align_t); cb may be
 * NULL. Points start with value 0, flags RESTART, time 0; DEVICE_RESTART is
 * set. Returns the outstation (== mem) or NULL when memory is missing,
 * misaligned or too small, or the configuration is invalid.
 */
DNP3_API dnp3_outstation *dnp3_outstation_init(void *mem, size_t size, const dnp3_outstation_config *c,
                                               const dnp3_outstation_callbacks *cb, dnp3_tstamp now);

/* ---- several masters on one database ---- */

/**
 * Octets a session (dnp3_outstation_init_session) with this configuration needs: everything of
 * dnp3_outstation_memory_size but the point tables, which it shares. 0 for an invalid configuration.
 */
DNP3_API size_t dnp3_outstation_session_memory_size(const dnp3_outstation_config *c);

/**
 * Builds a further session on the point database of `shared` (an outstation from
 * dnp3_outstation_init), for a further master: a substation RTU answering its SCADA master, a
 * second control centre and a historian at once.
 *
 * The session has everything of its own but the points: link addresses, event buffers (sizes from
 * c), solicited and unsolicited state, the selection of select-before-operate, Secure Authentication
 * (dnp3_outstation_set_sa), open files, IIN bits, and its rules (c->event_classes, c->read_only).
 * The points, their values, classes, variations and deadbands are shared: an update or freeze made
 * through any member is stored once and its event is recorded into the buffer of every member whose
 * event_classes include the point's class, so each master reports and confirms its own copy.
 * Control and time callbacks come from cb (per session).
 *
 * c must give the same point counts (types[].count) and octet_string_size as the configuration of
 * `shared` (the per-type event classes, variations and deadbands of c are not used: the points already
 * have them). Returns the session (== mem) or NULL when memory is missing, misaligned or smaller
 * than dnp3_outstation_session_memory_size(c), c is invalid or does not match, or shared is NULL
 * or itself a session. `shared` must outlive its sessions; remove a session with
 * dnp3_outstation_detach before its memory is reused.
 */
DNP3_API dnp3_outstation *dnp3_outstation_init_session(void *mem, size_t size, const dnp3_outstation_config *c,
                                                       const dnp3_outstation_callbacks *cb,
                                                       dnp3_outstation *shared, dnp3_tstamp now);

/**
 * Takes a session out of its database's group: updates no longer reach its event buffers. Returns
 * DNP3_OK, DNP3_ERR_INVALID_ARG (os NULL, or not a session) or DNP3_ERR_STATE (the database's own
 * outstation while sessions remain on it).
 */
DNP3_API int dnp3_outstation_detach(dnp3_outstation *os);

/** Number of outstations sharing os's point database (1 for one without sessions; 0 for NULL). */
DNP3_API size_t dnp3_outstation_session_count(const dnp3_outstation *os);

/* ---- application-fragment level ---- */

/**
 * Processes one received application fragment (request or confirm).
 * Responses become available through dnp3_outstation_take. Returns DNP3_OK,
 * or DNP3_ERR_INVALID_ARG for a NULL fragment (or os NULL). Malformed fragments are
 * answered or ignored as the protocol requires; they are not library errors.
 */
DNP3_API int dnp3_outstation_receive(dnp3_outstation *os, const uint8_t *apdu, size_t len,
                                     dnp3_broadcast_kind bcast, dnp3_tstamp now);

/**
 * Moves the next fragment to send (a solicited response first, else an
 * unsolicited one if one is due) into dst. Returns its length, 0 if there is
 * nothing to send, or DNP3_ERR_BUFFER_TOO_SMALL (cap < max_tx_fragment; nothing taken).
 * Precisely: BUFFER_TOO_SMALL when dst is NULL or cap is below this fragment's
 * length (a cap of max_tx_fragment always suffices); DNP3_ERR_INVALID_ARG for os NULL.
 * A fragment that asks for a confirm starts its confirm timer here (and in
 * dnp3_outstation_write), at `now`.
 */
DNP3_API int dnp3_outstation_take(dnp3_outstation *os, uint8_t *dst, size_t cap, dnp3_tstamp now);

/**
 * Returns the next deadline (confirm, unsolicited retry, NEED_TIME, keep-alive)
 * or DNP3_TSTAMP_NEVER; 0 when output is ready now (take or write would return
 * something: a response, an unsolicited response or retry due, a link frame).
 * After any call, either nothing is ready or this says when it will be, so a
 * runtime that arms one timer at this deadline never leaves output waiting.
 */
DNP3_API dnp3_tstamp dnp3_outstation_get_expiry(const dnp3_outstation *os);

/**
 * Runs every timer due at `now`. Returns DNP3_OK, or DNP3_ERR_LINK_CLOSED when
 * the built-in channel's keep-alive went unanswered (close the connection).
 * DNP3_ERR_INVALID_ARG for os NULL.
 */
DNP3_API int dnp3_outstation_handle_expiry(dnp3_outstation *os, dnp3_tstamp now);

/**
 * Tells the outstation whether a master connection exists (initially true).
 * Going offline abandons responses in progress (their events stay buffered and
 * are reported again), cancels a selection and resets the built-in channel;
 * unsolicited reporting pauses until online again.
 */
DNP3_API void dnp3_outstation_set_online(dnp3_outstation *os, bool online, dnp3_tstamp now);

/* ---- octet level (config.link_layer) ---- */

/**
 * Feeds received octets to the built-in channel. Returns DNP3_OK,
 * DNP3_ERR_LINK_CLOSED (close the connection: framing error in stream mode)
 * or DNP3_ERR_STATE (no built-in channel, or os NULL); DNP3_ERR_INVALID_ARG
 * for in NULL with len > 0.
 */
DNP3_API int dnp3_outstation_read(dnp3_outstation *os, const uint8_t *in, size_t len, dnp3_tstamp now);

/**
 * Moves the next output chunk (a link reply, or every frame of one fragment)
 * into dst. Returns its length, 0 if nothing is pending,
 * DNP3_ERR_BUFFER_TOO_SMALL (see dnp3_outstation_write_size) or DNP3_ERR_STATE.
 * While online it first moves due fragments (as dnp3_outstation_take would)
 * into the channel's output queue, as far as there is room.
 */
DNP3_API int dnp3_outstation_write(dnp3_outstation *os, uint8_t *dst, size_t cap, dnp3_tstamp now);

/** Returns a buffer size that always suffices for dnp3_outstation_write (the wire size of a max_tx_fragment
 * fragment; 0 for os NULL). */
DNP3_API size_t dnp3_outstation_write_size(const dnp3_outstation *os);

/** Returns the built-in channel, or NULL without one. */
DNP3_API dnp3_channel *dnp3_outstation_channel(dnp3_outstation *os);

/* ---- database ---- */

/**
 * Sets a point's value, flags and time and records an event as `mode` says.
 * value: binary types 0/1, double-bit 0..3 (dnp3_double_bit), others numeric.
 * The state bits of the flags octet are taken from `value`. Returns 1 if an
 * event was recorded, 0 if not, or DNP3_ERR_INVALID_ARG (type, index, value).
 * DNP3_OS_OCTET_STRING is refused here (use dnp3_outstation_update_octets), as
 * is an unknown mode. No event is recorded for a point of class 0 or a type
 * without event buffer, whatever `mode` says.
 */
DNP3_API int dnp3_outstation_update(dnp3_outstation *os, dnp3_os_type type, uint16_t index, double value,
                                    uint8_t flags, dnp3_time48 time, dnp3_event_mode mode);

/**
 * Sets an octet-string point (1..octet_string_size octets). Returns 1 if an
 * event was recorded, 0 if not, or DNP3_ERR_INVALID_ARG (index, data NULL,
 * len 0 or too long, mode).
 */
DNP3_API int dnp3_outstation_update_octets(dnp3_outstation *os, uint16_t index, const uint8_t *data, size_t len,
                                           dnp3_time48 time, dnp3_event_mode mode);

/**
 * Reads a point back (any pointer may be NULL). Returns DNP3_OK or DNP3_ERR_INVALID_ARG.
 */
DNP3_API int dnp3_outstation_get(const dnp3_outstation *os, dnp3_os_type type, uint16_t index, double *value,
                                 uint8_t *flags, dnp3_time48 *time);

/**
 * Changes one point's class, variations or deadband. Returns DNP3_OK or
 * DNP3_ERR_INVALID_ARG (index, class > 3, variation not valid for the type,
 * negative deadband, pc NULL).
 */
DNP3_API int dnp3_outstation_configure_point(dnp3_outstation *os, dnp3_os_type type, uint16_t index,
                                             const dnp3_os_point_config *pc);

/**
 * Puts points start..stop of a type into class 0 or leaves them out of it: a point left out is
 * not reported by class 0 (integrity) polls, but still by a READ of its group, and its events
 * are unaffected. Every point starts as its type's dnp3_os_type_config::in_class0 says.
 * Returns DNP3_OK or DNP3_ERR_INVALID_ARG (type, start > stop, stop beyond the points).
 */
DNP3_API int dnp3_outstation_set_class0(dnp3_outstation *os, dnp3_os_type type, uint16_t start, uint16_t stop,
                                        bool in_class0);

/** Returns the number of buffered events of a type (all states), or 0 for a bad type. */
DNP3_API size_t dnp3_outstation_event_count(const dnp3_outstation *os, dnp3_os_type type);

/* ---- indications and state ---- */

/**
 * Sets or clears application-owned IIN bits: DNP3_IIN1_NEED_TIME,
 * DNP3_IIN1_LOCAL_CONTROL, DNP3_IIN1_DEVICE_TROUBLE, DNP3_IIN1_DEVICE_RESTART,
 * DNP3_IIN2_CONFIG_CORRUPT (other bits are ignored).
 */
DNP3_API void dnp3_outstation_set_iin(dnp3_outstation *os, uint16_t bits, bool on);

/** Returns the IIN a response built now would carry (without per-request bits). */
DNP3_API uint16_t dnp3_outstation_iin(const dnp3_outstation *os);

/** Returns the classes enabled for unsolicited reporting (DNP3_OS_CLASSx mask). */
DNP3_API uint8_t dnp3_outstation_unsol_classes(const dnp3_outstation *os);

#ifdef __cplusplus
}
#endif
#endif

/*
 * os_internal.h - the outstation's state and the functions its files share
 * (IEEE 1815-2012 clause 4, outstation side). Not part of the public API.
 *
 * Files in layers: a file calls only files of the layers below its own, so no two files call
 * each other (tests/release/check_layers.sh holds src/outstation to this list).
 *
 *   1    types.c        the point types and rings as data: groups, variations, what is stored
 *        iin.c          IIN bits, broadcast bookkeeping, UTC now
 *        attributes.c   device attributes (group 0)
 *   2    events.c       event buffers: record, select, write, confirm, overflow
 *   3    respond.c      single-fragment responses; abandoning the response in progress
 *        session.c      several masters' sessions on one point database
 *   4    database.c     points, updates, event detection, freeze, class assignment
 *        unsolicited.c  unsolicited responses, ENABLE/DISABLE_UNSOLICITED
 *        controls.c     SELECT / OPERATE / DIRECT_OPERATE(_NR)
 *        file.c         file transfer (group 70) through the application's file_* callbacks
 *        sa_hook.c      Secure Authentication of requests (IEEE 1815-2012 clause 7)
 *   5    read.c         READ: request -> response plan -> fragments (static data, events)
 *        timesync.c     DELAY_MEASURE, RECORD_CURRENT_TIME, time writes, NEED_TIME
 *   6    dispatch.c     request classification, duplicates, broadcast, pass-1 checks,
 *                       WRITE, ASSIGN_CLASS, freezes, restarts
 *   7    outstation.c   configuration, memory layout, init, fragment pump, timers
 */
#ifndef DNP3_OS_INTERNAL_H
#define DNP3_OS_INTERNAL_H

#include "core/cursor.h"
#include "dnp3/outstation.h"
#include "dnp3/sa.h"
#include "dnp3/writer.h"

#define OS_MAX_ITEMS 32    /* static headers of one READ (class 0 counts as one per type) */
#define OS_ATTR_STRINGS 10 /* string attributes of dnp3_os_attributes */

/* event states */
enum {
    EV_PENDING = 0,   /* not reported yet */
    EV_SELECTED,      /* chosen for the solicited response in progress, not written yet */
    EV_WRITTEN_SOL,   /* in a solicited fragment awaiting confirm */
    EV_WRITTEN_UNSOL, /* in an unsolicited fragment awaiting confirm */
};

/* How a value is stored (a column of dnp3_os_types): a point's value and an event's value each
 * take only the octets their type needs. */
enum {
    VK_NONE = 0, /* no value (octet strings keep their octets beside the records) */
    VK_U8,       /* binary state 0/1, double-bit state 0..3 */
    VK_U32,      /* counts: counter and security statistic events */
    VK_F64,      /* numbers as given (analogs; counter points, whose value the API reads back) */
};

static inline size_t dnp3_os_value_size(uint8_t kind)
{
    return kind == VK_U8 ? 1 : kind == VK_U32 ? 4 : kind == VK_F64 ? 8 : 0;
}

/* Element i of an array of values of `kind` (a point table's or an event ring's), as a double. */
static inline double dnp3_os_value_get(const void *vals, uint8_t kind, size_t i)
{
    switch (kind) {
    case VK_U8: return ((const uint8_t *)vals)[i];
    case VK_U32: return ((const uint32_t *)vals)[i];
    case VK_F64: return ((const double *)vals)[i];
    default: return 0;
    }
}

/* Stores v as element i: a state 0..3 (VK_U8) or a count already in 0..UINT32_MAX (VK_U32) is
 * kept exactly; nothing for VK_NONE. */
static inline void dnp3_os_value_put(void *vals, uint8_t kind, size_t i, double v)
{
    switch (kind) {
    case VK_U8: ((uint8_t *)vals)[i] = (uint8_t)v; break;
    case VK_U32: ((uint32_t *)vals)[i] = (uint32_t)v; break;
    case VK_F64: ((double *)vals)[i] = v; break;
    default: break;
    }
}

/* One row per event ring (the point types, then OS_SEC_STAT, OS_CMD_BO, OS_CMD_AO): groups,
 * variations and what is stored for a point and for an event of the type. Adding a type is one
 * row (types.c); layout() in outstation.c carves the arrays the row asks for. */
typedef struct {
    uint8_t sgroup, egroup;
    uint8_t sdef, edef;
    uint16_t smask, emask; /* bit v set: variation v allowed */
    uint8_t pkind;         /* VK_*: a point's value (point types only) */
    uint8_t ekind;         /* VK_*: an event's value */
    bool deadband;         /* points have a deadband (float) and a deadband reference (double) */
    bool ptime; /* points keep their time (dnp3_outstation_get returns it; static variations with time) */
} os_type_info;

/* The record every point has, whatever its type (4 octets); the rest is in os_table's per-type arrays. */
typedef struct {
    uint8_t flags; /* without the state bits */
    uint8_t cls;   /* event class 0..3 (OS_CLS_MASK), | OS_NOT_CLASS0 */
    uint8_t svar;
    uint8_t evar;
} os_point;

/* os_point.cls: the event class, and a bit for a point left out of class 0 polls (per type by
 * default, dnp3_outstation_set_class0; a bit rather than a field keeps os_point at 4 octets) */
#define OS_CLS_MASK 0x03u
#define OS_NOT_CLASS0 0x80u

/* A buffered event (16 octets); its value is in the ring's value array, same slot. */
typedef struct {
    uint32_t seq; /* global order of recording */
    uint16_t index;
    uint8_t time[6];   /* time48, little-endian (dnp3_store_u48 / dnp3_load_u48) */
    uint8_t flags;     /* command events: the command status */
    uint8_t cls_state; /* class 1..3 in bits 0..1 (OS_CLS_MASK), state (EV_*) in bits 2..3 */
    uint8_t vars;      /* bits 0..3: default event variation of the point when recorded; bits 4..7: variation
                          asked for by the READ in progress (0 = the default) */
    uint8_t len;       /* octet strings */
} os_event;

#define EV_CLS(e) ((uint8_t)((e)->cls_state & OS_CLS_MASK))
#define EV_STATE(e) ((uint8_t)((e)->cls_state >> 2))

/* What an event is recorded from: a point's value, flags, time, class and variation, or the same
 * for a command (controls.c) or a security statistic (sa_hook.c). */
typedef struct {
    double value;
    dnp3_time48 time;
    uint8_t flags;
    uint8_t cls; /* the class is cls & OS_CLS_MASK */
    uint8_t evar;
} os_ev_src;

typedef struct {
    os_event *ev;
    void *val;     /* cap values of the ring's kind (dnp3_os_types[].ekind), one per slot; NULL for VK_NONE */
    uint8_t *data; /* octet-string payloads, cap * octet_string_size (octet type only) */
    uint8_t kind;  /* dnp3_os_types[].ekind */
    uint16_t cap, head, count;
    uint16_t scan; /* write cursor (offset from head) during one fragment */
} os_ring;

/* One type's points: the common records and, in parallel, what the type needs (NULL otherwise). */
typedef struct {
    os_point *pts;
    void *val;        /* count values of dnp3_os_types[].pkind (uint8_t or double) */
    double *ref;      /* deadband types: value of the last event (deadband reference) */
    float *deadband;  /* deadband types */
    uint8_t *time;    /* types with ptime: 6 octets per point (time48, little-endian: core/cursor.h) */
    uint8_t *oct;     /* octet type: count * octet_string_size */
    uint8_t *oct_len; /* octet type: count */
    uint16_t count;
} os_table;

/* kinds of READ response items */
enum {
    ITEM_STATIC = 0, /* points start..stop of a type */
    ITEM_LIST,       /* points by index list (0x17 / 0x28) */
    ITEM_ATTR,       /* device attributes */
    ITEM_TIME,       /* g50v1 current time */
    ITEM_IIN,        /* g80v1 */
    ITEM_DEADBAND,   /* g34 of analog inputs start..stop */
};

typedef struct {
    uint8_t kind;
    uint8_t type;      /* dnp3_os_type */
    uint8_t variation; /* 0 = each point's default */
    uint8_t qual;      /* ITEM_LIST: response qualifier */
    uint32_t start, stop;
    uint32_t pos;      /* next index (ranges) / list position / attribute position */
    uint32_t list_off; /* ITEM_LIST: offset of the index list in the stored request */
    uint8_t list_width;
    bool class0; /* ITEM_STATIC of a class 0 poll: points left out of class 0 are skipped */
} os_item;

/* an open file (file.c) */
#define OS_FILE_MAX 4
typedef struct {
    bool used;
    bool dir;        /* a directory opened for reading: blocks list g70v7 descriptors */
    bool wrote_last; /* the block with the LAST bit was written */
    bool expired;    /* closed by the open-file timeout: the handle is answered HANDLE_EXPIRED */
    uint8_t mode;    /* dnp3_file_mode */
    uint32_t handle;
    uint32_t block_size;
    uint32_t next_block;
    uint32_t dir_next, dir_prev; /* directory: first entry of the next / the previous block */
    dnp3_tstamp used_at;         /* last request on the handle (the open-file timeout) */
} os_file;

/* A FREEZE_AT_TIME schedule: points start..stop of one freezable type at `at`, then every
 * `interval` ms (0 = once). */
typedef struct {
    dnp3_tstamp at; /* DNP3_TSTAMP_NEVER when none */
    uint32_t interval;
    uint32_t start, stop;
} os_freeze_schedule;
#define OS_FREEZABLE 2 /* counters (index 0) and analog inputs (index 1) */

/* unsolicited states */
enum { UNS_OFF = 0, UNS_NULL_DUE, UNS_IDLE, UNS_AWAIT, UNS_RETRY_DELAY };

/* broadcast states */
enum { BC_NONE = 0, BC_ONCE, BC_CONFIRM };

/* Event rings: one per point type, and more with no point table behind them: the security
 * statistics (g121 static, g122 events; fed by sa_hook.c) and the binary / analog output command
 * events (g13, g43; fed by controls.c). */
#define OS_SEC_STAT DNP3_OS_TYPE_COUNT
#define OS_CMD_BO (DNP3_OS_TYPE_COUNT + 1)
#define OS_CMD_AO (DNP3_OS_TYPE_COUNT + 2)
#define OS_EV_TYPES (DNP3_OS_TYPE_COUNT + 3)
#define OS_EV_ALL ((1u << OS_EV_TYPES) - 1u)

struct dnp3_outstation {
    dnp3_outstation_config cfg;
    dnp3_outstation_callbacks cb;
    os_table db[DNP3_OS_TYPE_COUNT];
    os_ring ev[OS_EV_TYPES];
    uint32_t next_event_seq;
    uint32_t unwritten[4]; /* per class 1..3: events pending or selected */
    bool overflow;         /* IIN2.3 */

    uint16_t iin_app; /* application-owned bits */
    bool online;

    /* last request (duplicate detection, SELECT match, deferred READ, index lists) */
    uint8_t *req;
    size_t req_len;
    bool req_valid;
    uint32_t req_counter;
    bool deferred_read;
    uint8_t *dfr; /* the deferred READ (other requests run ahead of it and replace req) */
    size_t dfr_len;

    /* solicited responses */
    uint8_t *sol;
    size_t sol_len;
    bool sol_ready;      /* a fragment waits to be taken */
    bool sol_repeatable; /* sol holds the answer to req (non-READ): a duplicate gets it again */
    bool sol_more;       /* a READ response has more fragments */
    bool sol_await;      /* waiting for a solicited confirm */
    uint8_t sol_seq;     /* SEQ of the last fragment sent */
    dnp3_tstamp sol_deadline;
    bool sol_bcast_con; /* the fragment awaiting confirm carries a mandatory broadcast confirm */
    os_item items[OS_MAX_ITEMS];
    uint8_t n_items, cur_item;
    uint16_t rsp_iin; /* per-request IIN2 bits of the READ in progress */

    /* unsolicited responses */
    uint8_t *uns;
    size_t uns_len;
    bool uns_ready;
    uint8_t uns_state;
    bool uns_null; /* the fragment in flight is the start-up null response */
    bool null_done;
    uint8_t uns_seq; /* SEQ of the fragment in flight */
    uint8_t uns_next_seq;
    uint8_t uns_classes;
    uint32_t uns_retries_left;
    dnp3_tstamp uns_deadline;
    bool uns_bcast_con;

    /* select-before-operate */
    bool sel_active;
    uint8_t sel_seq;
    dnp3_tstamp sel_time;
    uint32_t sel_counter;

    /* time */
    bool rec_valid;
    dnp3_tstamp rec_at;
    dnp3_tstamp need_time_at; /* DNP3_TSTAMP_NEVER when not scheduled */
    dnp3_tstamp req_time;     /* `now` of the request being processed */

    /* FREEZE_AT_TIME schedules (timesync.c): one for counters, one for analog inputs */
    os_freeze_schedule fz[OS_FREEZABLE];

    uint8_t bcast;

    const char *attr_str[OS_ATTR_STRINGS];
    uint8_t attr_len[OS_ATTR_STRINGS];

    dnp3_channel *ch;

    struct dnp3_sa_outstation *sa; /* Secure Authentication (sa_hook.c), NULL = off */
    uint32_t *sa_stat_reported;    /* each statistic's count at its last g122 event (DNP3_SA_STAT_COUNT; in the
                                      block only with sa_stat_event_buffer, else NULL) */

    os_file files[OS_FILE_MAX];      /* file transfer: open handles */
    uint32_t file_keys[OS_FILE_MAX]; /* authentication keys issued by AUTHENTICATE_FILE (0 = none) */
    uint8_t file_key_next;

    /* sessions on one point database (session.c): db_owner holds the point tables (itself when
     * not a session); the owner's list, through next_session, holds every member, itself first */
    dnp3_outstation *db_owner;
    dnp3_outstation *next_session;
};

/* ---- iin.c ---- */
uint16_t dnp3_os_iin(const dnp3_outstation *os);
/* Called once a response has been built: broadcast IIN bookkeeping. Returns true if CON is needed for it. */
bool dnp3_os_bcast_after_build(dnp3_outstation *os);
dnp3_time48 dnp3_os_utc_now(const dnp3_outstation *os);

/* ---- respond.c ---- */
/* Builds a single-fragment response with the given objects; sets sol_ready. */
void dnp3_os_respond(dnp3_outstation *os, uint8_t seq, uint16_t iin_req, const uint8_t *objs, size_t len,
                     bool repeatable);
/* Drops the solicited response in progress; its events return to pending. */
void dnp3_os_sol_abandon(dnp3_outstation *os);

/* ---- outstation.c ---- */
/* Octets one point / one buffered event of ring t takes in the block (records, values, deadbands,
 * times, octet strings; alignment padding of the arrays left out). */
size_t dnp3_os_point_octets(const dnp3_outstation_config *c, int t);
size_t dnp3_os_event_octets(const dnp3_outstation_config *c, int t);

/* ---- types.c ---- */
extern const os_type_info dnp3_os_types[OS_EV_TYPES];
uint8_t dnp3_os_static_group(dnp3_os_type t);
uint8_t dnp3_os_event_group(dnp3_os_type t);
bool dnp3_os_static_var_ok(dnp3_os_type t, uint8_t v);
bool dnp3_os_event_var_ok(dnp3_os_type t, uint8_t v);
uint8_t dnp3_os_default_static_var(dnp3_os_type t);
uint8_t dnp3_os_default_event_var(dnp3_os_type t);
/* Maps a group to a point type; *is_event tells static or event group. Returns -1 if none
 * (g121/g122 included: they have no point table). */
int dnp3_os_type_of_group(uint8_t group, bool *is_event);

/* ---- database.c ---- */
void dnp3_os_point_of(const dnp3_outstation *os, dnp3_os_type t, uint16_t index, dnp3_point *p);
/* Freezes points start..stop of t (counter or analog input; clipped to it and its frozen type) into
 * the frozen type (clear: counters are reset), then tells the application's freeze / freeze_analog
 * callback. */
void dnp3_os_freeze_now(dnp3_outstation *os, dnp3_os_type t, uint32_t start, uint32_t stop, bool clear);
/* Index in os->fz of a freezable type. */
#define OS_FZ_INDEX(t) ((t) == DNP3_OS_ANALOG_INPUT ? 1 : 0)

/* ---- session.c ---- */
/* Makes os (built without point tables) a member of owner's database group. */
void dnp3_os_session_join(dnp3_outstation *os, dnp3_outstation *owner);
/* Records an event of point `index` of ring t into every member of os's database group that
 * buffers it (ring of t and the point's class in its event_classes). Returns how many did. */
uint32_t dnp3_os_ev_record_shared(dnp3_outstation *os, dnp3_os_type t, uint16_t index, const os_ev_src *p,
                                  const uint8_t *oct, uint8_t len);

/* ---- events.c ---- */
void dnp3_os_ev_record(dnp3_outstation *os, dnp3_os_type t, uint16_t index, const os_ev_src *p, const uint8_t *oct,
                       uint8_t len);
/* Marks pending events (types in type_mask, classes in class_mask bits 1..3) as selected, oldest first. */
uint32_t dnp3_os_ev_select(dnp3_outstation *os, uint32_t type_mask, uint8_t class_mask, uint8_t var,
                           uint32_t limit);
/* Writes selected events into w, marking them `written_state`; returns true when none is left. */
bool dnp3_os_ev_write(dnp3_outstation *os, dnp3_apdu_writer *w, uint8_t written_state, bool *wrote);
/* Returns events in the given states to pending. */
void dnp3_os_ev_revert(dnp3_outstation *os, uint8_t s1, uint8_t s2);
/* Removes the events in state `s` (confirmed); may clear the overflow indication. */
void dnp3_os_ev_remove(dnp3_outstation *os, uint8_t s);
/* True if an unreported event of a class in class_mask (bits 1..3) exists. */
bool dnp3_os_ev_pending(const dnp3_outstation *os, uint8_t class_mask);

/* ---- read.c ---- */
/* Plans a READ (selects events, records static items) and builds the first fragment. */
void dnp3_os_read(dnp3_outstation *os, const dnp3_apdu *req, dnp3_tstamp now);
/* Builds the next fragment of the READ response in progress. */
void dnp3_os_read_next(dnp3_outstation *os, dnp3_tstamp now);

/* ---- attributes.c ---- */
/* True if the attribute variation can be answered (set 0). */
bool dnp3_os_attr_known(const dnp3_outstation *os, uint8_t variation);
/* Writes attributes for the request variation from *pos on; returns true when done. */
bool dnp3_os_attr_write(const dnp3_outstation *os, dnp3_apdu_writer *w, uint8_t variation, uint32_t *pos);

/* ---- controls.c ---- */
/* pre_status: SUCCESS, or the status (NO_SELECT, TIMEOUT) every object of a failed OPERATE gets. */
void dnp3_os_controls(dnp3_outstation *os, const dnp3_apdu *req, bool respond, uint8_t pre_status,
                      dnp3_tstamp now);

/* ---- unsolicited.c ---- */
void dnp3_os_unsol_init(dnp3_outstation *os);
/* ENABLE/DISABLE_UNSOLICITED: returns the IIN2 bits of the answer (0 = done). */
uint16_t dnp3_os_unsol_enable(dnp3_outstation *os, const dnp3_apdu *req, bool enable);
/* Whether dnp3_os_unsol_poll would build a response now (the lazy build of take/write). */
bool dnp3_os_unsol_due(const dnp3_outstation *os);
/* Starts an unsolicited response when one is due and allowed. */
void dnp3_os_unsol_poll(dnp3_outstation *os, dnp3_tstamp now);
/* A CONFIRM with UNS set and the confirm timer. Both return true when a READ deferred behind
 * the unsolicited response (clause 4.6.6: the outstation waits for the confirm) may now be
 * answered; the caller then runs dnp3_os_dispatch_deferred. */
bool dnp3_os_unsol_confirm(dnp3_outstation *os, uint8_t seq);
bool dnp3_os_unsol_timer(dnp3_outstation *os, dnp3_tstamp now);
void dnp3_os_unsol_offline(dnp3_outstation *os);
dnp3_tstamp dnp3_os_unsol_expiry(const dnp3_outstation *os);
bool dnp3_os_unsol_awaiting(const dnp3_outstation *os);

/* ---- timesync.c ---- */
void dnp3_os_time_init(dnp3_outstation *os, dnp3_tstamp now);
/* WRITE g50v1 / g50v3 object: checks (apply = false) or applies. Returns IIN2 bits. */
uint16_t dnp3_os_time_write(dnp3_outstation *os, uint8_t variation, dnp3_time48 t, bool apply, dnp3_tstamp now);
void dnp3_os_time_record(dnp3_outstation *os, dnp3_tstamp now);
/* ---- file.c ---- */
/* True if the file callbacks are set and fc is one of the file functions. */
bool dnp3_os_file_supported(const dnp3_outstation *os, uint8_t fc);
/* True if a READ/WRITE carries group 70 objects and file transfer is on. */
bool dnp3_os_file_is_transfer(const dnp3_outstation *os, const dnp3_apdu *req);
/* OPEN/CLOSE/DELETE/GET_FILE_INFO/ABORT_FILE and WRITE g70v5: builds the (repeatable) response. */
void dnp3_os_file_execute(dnp3_outstation *os, const dnp3_apdu *req);
/* READ g70v5: the next (or the same) block. */
void dnp3_os_file_read(dnp3_outstation *os, const dnp3_apdu *req);
/* Connection lost: every open file is closed without keeping writes, issued keys are forgotten. */
void dnp3_os_file_offline(dnp3_outstation *os);
/* The open-file timeout: the earliest expiry (DNP3_TSTAMP_NEVER if none) and the timer. */
dnp3_tstamp dnp3_os_file_expiry(const dnp3_outstation *os);
void dnp3_os_file_timer(dnp3_outstation *os, dnp3_tstamp now);

/* Delay reported for DELAY_MEASURE, in ms. */
uint16_t dnp3_os_time_delay(const dnp3_outstation *os, dnp3_tstamp now);
/* The earliest FREEZE_AT_TIME schedule (DNP3_TSTAMP_NEVER if none). */
dnp3_tstamp dnp3_os_freeze_expiry(const dnp3_outstation *os);
/* Runs the NEED_TIME and FREEZE_AT_TIME timers. */
void dnp3_os_time_timer(dnp3_outstation *os, dnp3_tstamp now);
/* FREEZE_AT_TIME(_NR) with g50v2 (time, interval) for points start..stop of t (counter or analog
 * input): checks (apply = false) or replaces t's schedule, freezing at once when due now. Returns
 * IIN2 bits. */
uint16_t dnp3_os_freeze_at(dnp3_outstation *os, dnp3_os_type t, dnp3_time48 at, uint32_t interval, uint32_t start,
                           uint32_t stop, bool apply, dnp3_tstamp now);

/* ---- dispatch.c ---- */
/* Runs the READ deferred while an unsolicited confirm was awaited (clause 4.6.6 rule 16), once the
 * answer to any request that ran ahead of it has been taken. */
void dnp3_os_dispatch_deferred(dnp3_outstation *os, dnp3_tstamp now);
/* Runs a request already known to be new (used for deferred READs too). */
void dnp3_os_execute(dnp3_outstation *os, const dnp3_apdu *req, dnp3_broadcast_kind bcast, uint8_t pre_status,
                     dnp3_tstamp now);

/* ---- sa_hook.c ---- */
/* Passes a request through Secure Authentication. Returns true to go on with (*apdu, *len)
 * (possibly an authenticated stored request), false when SA consumed it (answered or dropped). */
bool dnp3_os_sa_filter(dnp3_outstation *os, const uint8_t **apdu, size_t *len, dnp3_broadcast_kind bcast,
                       dnp3_tstamp now);
/* Records a g122 event for each statistic that has grown by its threshold since its last one. */
void dnp3_os_sa_stat_events(dnp3_outstation *os);
/* SA timers */
dnp3_tstamp dnp3_os_sa_expiry(const dnp3_outstation *os);
void dnp3_os_sa_timer(dnp3_outstation *os, dnp3_tstamp now);

#endif

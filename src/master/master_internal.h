/*
 * master_internal.h - shared state of the sans-I/O master in src/master:
 * the master object, associations, the running task, the user task queue and
 * the functions the files of src/master call on each other.
 *
 * Files in layers: a file calls only files of the layers below its own, so no two files call
 * each other (tests/release/check_layers.sh holds src/master to this list).
 *
 *   1    names.c        names of task kinds and results
 *        measurements.c objects of a response to the measurement callback, CTO resolution (Annex A g51)
 *        timesync.c     LAN and non-LAN time synchronisation (docs/protocol-notes.md §5.6)
 *        lists.c        the user task queue, the dirty list and the wait list
 *        retry.c        the back-off of automatic tasks
 *   2    commands.c     command objects, echo verification, statuses (clause 4.4.x controls, g12/g41)
 *        confirm.c      application confirms: sent, kept for room, held for the application (4.2.2.4)
 *        iin.c          reactions to the IIN bits of every response (IEEE 1815-2012 4.2.2.7.1)
 *   3    finish.c       the end of a task: callbacks, the user queue, the start-up sequence
 *   4    sa_hook.c      Secure Authentication of requests and AUTH_RESPONSEs (IEEE 1815-2012 clause 7)
 *   5    request.c      the request fragment of each task and phase (clause 4.2)
 *   6    scheduler.c    which task runs next (priorities, periodic polls), sending it
 *   7    evaluate.c     what a complete response means for each task kind
 *        unsolicited.c  unsolicited responses, confirms, duplicate detection (clause 4.2.2.4)
 *   8    response.c     solicited response series: SEQ/FIR/FIN rules, confirms (clause 4.2.2.4, 4.3)
 *   9    service.c      the end of each API call (nesting) and timers: scheduler runs, timer heap
 *   10   master.c       creation, associations, connect/disconnect, routing of fragments
 *        tasks.c        the user task API (queue)
 *   11   file.c         file transfer (group 70) as a chain of user requests
 */
#ifndef DNP3_MASTER_INTERNAL_H
#define DNP3_MASTER_INTERNAL_H

#include "dnp3/master.h"
#include "dnp3/sa.h"
#include "dnp3/writer.h"

/* IIN2 bits that say the outstation refused (part of) a request. */
#define MST_IIN_REQUEST_ERRORS                                                                                    \
    (DNP3_IIN2_NO_FUNC_CODE_SUPPORT | DNP3_IIN2_OBJECT_UNKNOWN | DNP3_IIN2_PARAMETER_ERROR)

typedef enum {
    MST_STARTUP_DISABLE = 0,
    MST_STARTUP_INTEGRITY,
    MST_STARTUP_ENABLE,
    MST_STARTUP_DONE,
} mst_startup;

/* Back-off of one automatic task: earliest next attempt and the next delay. */
typedef struct {
    dnp3_tstamp at;
    uint32_t delay;
} mst_retry;

/* A queued user task. */
typedef struct {
    dnp3_task_kind kind;
    uint8_t function; /* function code (COMMAND: of the first request) */
    uint8_t mode;     /* COMMAND: dnp3_command_mode; TIME_SYNC: dnp3_timesync_mode */
    uint8_t classes;  /* ENABLE/DISABLE_UNSOLICITED */
    dnp3_tstamp start_deadline;
    dnp3_task_cb cb;
    void *ctx;
    size_t len;   /* object octets in buf */
    uint8_t *buf; /* task_buffer_size octets */
} mst_user_task;

/* The task an association is running. */
typedef struct {
    bool running;      /* a task is in progress */
    bool send_pending; /* its next request still has to be queued on the channel */
    bool awaiting;     /* a request is outstanding */
    bool user;         /* the task is the head of the user queue */
    dnp3_task_kind kind;
    uint8_t phase;    /* 0 first request, 1 second (OPERATE, time WRITE) */
    uint8_t function; /* function code of the request outstanding / last sent */
    uint8_t seq;      /* its SEQ */
    uint8_t classes;
    uint8_t mode;
    bool series;      /* a first fragment (FIR) of the response was accepted */
    uint8_t rx_seq;   /* SEQ of the last accepted fragment */
    uint64_t rx_hash; /* hash and length of the last accepted fragment (duplicates) */
    size_t rx_len;
    dnp3_tstamp deadline;
    dnp3_tstamp sent_at;
    dnp3_time48 utc_at_send;
    bool have_iin;
    uint16_t iin;
    uint32_t objects_rx;
    uint32_t restart_delay_ms;
    int64_t propagation_ms;
    dnp3_time48 time_written;
    size_t n_statuses;
    dnp3_parse_error perr;
    uint8_t sa_error;   /* AUTH_FAILED: g120v7 code */
    const uint8_t *rsp; /* objects of the final response while it is evaluated (task_info.objects) */
    size_t rsp_len;
} mst_task;

/* A confirm held for the application (defer_confirm). */
typedef struct {
    bool active;
    uint8_t ac; /* the CONFIRM's application control (SEQ, UNS) */
    uint32_t token;
    dnp3_tstamp deadline; /* dropped when not released by then */
} mst_deferred;

struct dnp3_master_assoc {
    dnp3_master *m;
    uint32_t idx; /* position in the master's array */
    bool in_use;
    bool removing;
    bool dirty;      /* on the master's dirty list: service and recompute `due` */
    bool waiting;    /* on the master's wait list: has something to send, channel full */
    dnp3_tstamp due; /* next time this association needs handle_expiry (heap key) */
    dnp3_assoc_config cfg;
    mst_task t;
    uint8_t next_seq;
    bool stale_valid; /* stale_seq is the SEQ of the request before the current one */
    uint8_t stale_seq;
    bool have_sent;
    uint8_t last_sent_seq;

    /* automatic tasks */
    mst_startup startup;
    bool need_clear_restart;
    bool need_time_sync;
    bool need_integrity;
    uint8_t need_events; /* class mask (IIN-triggered, periodic, failed polls) */
    bool restart_seen;   /* DEVICE_RESTART was set in the last response */
    bool overflow_seen;  /* EVENT_BUFFER_OVERFLOW was set in the last response */
    mst_retry r_startup, r_restart, r_time, r_integrity, r_events;
    dnp3_tstamp next_integrity;
    dnp3_tstamp next_class[3];

    /* unsolicited duplicate memory */
    bool uns_have;
    uint8_t uns_seq;
    uint64_t uns_hash;
    size_t uns_len;

    /* a confirm that did not fit the channel yet */
    bool confirm_pending;
    uint8_t confirm_ac;

    /* defer_confirm: confirms held for the application ([0] solicited, [1] unsolicited) */
    mst_deferred dc[2];
    uint32_t next_token;

    bool have_iin;
    uint16_t last_iin;

    mst_user_task *q; /* ring of cfg user_queue_len slots */
    size_t q_head, q_count;
    uint8_t *statuses; /* max_command_objects */
    dnp3_master_assoc_stats stats;

    /* Secure Authentication (sa_hook.c), NULL = off */
    struct dnp3_sa_master *sa;
    mst_retry r_sa;
};

struct dnp3_master {
    dnp3_master_config cfg;
    dnp3_channel *ch;
    bool connected;
    unsigned depth; /* nesting of API calls (callbacks call back in) */
    bool blocked;   /* the channel refused a fragment: retry at blocked_at */
    dnp3_tstamp blocked_at;
    bool again;           /* the scheduler stopped early: run again at last_service */
    bool full;            /* the next scheduler run visits every association */
    bool pending_removal; /* an association is being removed */
    dnp3_tstamp last_service;
    size_t rr; /* round-robin start of the scheduler */
    dnp3_master_assoc *assocs;
    /* timer heap of the in-use associations keyed by `due`, and the dirty list:
     * a call touches only the associations it changed, so the cost of a
     * fragment or a submission does not grow with the number of associations */
    uint32_t *heap;
    uint32_t *hpos; /* heap position of each association (UINT32_MAX: not in the heap) */
    size_t heap_n;
    uint32_t *dirty;
    size_t n_dirty;
    uint32_t *wait; /* FIFO of associations waiting for room in the channel */
    size_t wait_head, wait_n;
    uint8_t *txbuf; /* request / confirm scratch */
    size_t txcap;
    dnp3_master_stats stats;
};

/* 64-bit FNV-1a over a fragment (duplicate detection). */
static inline uint64_t mst_hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static inline uint32_t mst_min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}
static inline dnp3_tstamp mst_min_ts(dnp3_tstamp a, dnp3_tstamp b)
{
    return a < b ? a : b;
}
static inline dnp3_tstamp mst_add(dnp3_tstamp t, uint32_t ms)
{
    return t > DNP3_TSTAMP_NEVER - ms ? DNP3_TSTAMP_NEVER - 1 : t + ms;
}

/* service.c: API nesting (the outermost leave services and re-times what the call touched),
 * the wait list emptied on connect/disconnect, the timer heap */
void dnp3_mst_enter(dnp3_master *m);
void dnp3_mst_leave(dnp3_master *m, dnp3_tstamp now);
void dnp3_mst_clear_waiting(dnp3_master *m);
void dnp3_mst_heap_insert(dnp3_master *m, dnp3_master_assoc *a);

/* master.c */
void dnp3_mst_session_reset(dnp3_master_assoc *a, dnp3_tstamp now);

/* lists.c */
void dnp3_mst_touch(dnp3_master_assoc *a);
void dnp3_mst_wait(dnp3_master_assoc *a);
mst_user_task *dnp3_mst_queue_head(dnp3_master_assoc *a);
mst_user_task *dnp3_mst_queue_at(dnp3_master_assoc *a, size_t i);
void dnp3_mst_queue_remove(dnp3_master_assoc *a, size_t i);

/* scheduler.c */
bool dnp3_mst_service_assoc(dnp3_master_assoc *a, dnp3_tstamp now);
void dnp3_mst_service_all(dnp3_master *m, dnp3_tstamp now);
dnp3_tstamp dnp3_mst_ready_at(const dnp3_master_assoc *a);
bool dnp3_mst_send_current(dnp3_master_assoc *a, dnp3_tstamp now);

/* finish.c: ends the running task (no-op when none runs); automatic tasks started by the
 * start-up sequence carry MST_MODE_STARTUP */
#define MST_MODE_STARTUP 1
void dnp3_mst_finish(dnp3_master_assoc *a, dnp3_task_result r, dnp3_tstamp now);

/* confirm.c */
void dnp3_mst_send_confirm(dnp3_master_assoc *a, uint8_t seq, bool uns);
bool dnp3_mst_flush_confirm(dnp3_master_assoc *a);
uint32_t dnp3_mst_confirm_or_defer(dnp3_master_assoc *a, uint8_t seq, bool uns, dnp3_tstamp now);
void dnp3_mst_confirm_duplicate(dnp3_master_assoc *a, uint8_t seq, bool uns);
bool dnp3_mst_deferred_hold(dnp3_master_assoc *a, dnp3_tstamp now);
void dnp3_mst_deferred_drop(dnp3_master_assoc *a, int slot);

/* retry.c */
bool dnp3_mst_retry_ready(const mst_retry *r, dnp3_tstamp now);
void dnp3_mst_retry_fail(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now);
void dnp3_mst_retry_reset(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now);

/* iin.c */
void dnp3_mst_process_iin(dnp3_master_assoc *a, uint16_t iin, dnp3_tstamp now);

/* request.c */
int dnp3_mst_build_request(dnp3_master_assoc *a, uint8_t *buf, size_t cap, size_t *len);
bool dnp3_mst_function_is_nr(uint8_t fc);
int dnp3_mst_write_class_headers(dnp3_apdu_writer *w, uint8_t classes, bool with_class0);

/* response.c */
void dnp3_mst_on_response(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                          dnp3_tstamp now);

/* unsolicited.c */
void dnp3_mst_on_unsolicited(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                             dnp3_tstamp now);

/* The outcome of a response handler: a dnp3_task_result that ends the task, or MST_GOES_ON when
 * the task continues (its next request was queued, or more fragments are awaited). The caller
 * ends the task once, with dnp3_mst_finish. */
#define MST_GOES_ON (-1)

/* evaluate.c: the outcome of the final fragment of a response; whether a task READs */
int dnp3_mst_evaluate(dnp3_master_assoc *a, const dnp3_apdu *apdu, dnp3_tstamp now);
bool dnp3_mst_task_is_read(const mst_task *t);

/* measurements.c */
uint32_t dnp3_mst_deliver(dnp3_master_assoc *a, const dnp3_apdu *apdu, const dnp3_rx_info *info);

/* commands.c */
int dnp3_mst_command_encode(const dnp3_command *cmds, size_t n, uint8_t qualifier, uint8_t *buf, size_t cap,
                            size_t *len);
dnp3_task_result dnp3_mst_command_check(dnp3_master_assoc *a, const dnp3_apdu *resp);

/* timesync.c */
int dnp3_mst_timesync_build(dnp3_master_assoc *a, dnp3_apdu_writer *w, uint8_t *buf, size_t cap, uint8_t ac);
int dnp3_mst_timesync_evaluate(dnp3_master_assoc *a, const dnp3_apdu *apdu, dnp3_tstamp now);
bool dnp3_mst_utc_now(const dnp3_master *m, dnp3_time48 *out);

/* sa_hook.c: AUTH_RESPONSE of the outstanding request; the request about to be sent (may be
 * rewritten in aggressive mode, returns its new length) and noted as sent. */
void dnp3_mst_on_auth_response(dnp3_master_assoc *a, const uint8_t *frag, size_t len, const dnp3_apdu *apdu,
                               dnp3_tstamp now);
size_t dnp3_mst_sa_outgoing(dnp3_master_assoc *a, uint8_t *buf, size_t cap, size_t len, dnp3_tstamp now);
bool dnp3_mst_sa_needs_keys(const dnp3_master_assoc *a, dnp3_tstamp now);
int dnp3_mst_sa_build(dnp3_master_assoc *a, uint8_t *buf, size_t cap, uint8_t ac, size_t *len);

/* The time delay of a response's first g52 object (g52v1 seconds, g52v2 ms) in ms; false if absent
 * (timesync.c; also used for the restart delay by evaluate.c). */
bool dnp3_mst_time_delay(const dnp3_apdu *apdu, uint32_t *ms);

#endif
